"""`-c dotted.key=value` overrides and `--enable/--disable FEATURE`.

Codex (utils/cli/src/config_override.rs) splits at the first `=`, parses the value as a TOML
value and, when that fails, uses the raw text (outer quotes trimmed) as a string, so
`-c model=o3` works without shell quoting. pycodex keeps that fallback for bare words but makes
one deliberate exception: a value that *starts* a TOML string, array or table (`"`, `'`, `[`,
`{`) and does not parse is an error (`Error parsing -c overrides: ...`), because Codex would
silently turn `-c 'notify=["a", "b"'` into the string `["a", "b"` (or `model="x` into `x`),
hiding a typo until much later.
"""

from __future__ import annotations

import logging
import tomllib
from collections.abc import Iterable, MutableMapping, Sequence
from typing import cast

from pycodex_config._features import FEATURES
from pycodex_config._layers import MAX_TOML_DEPTH, toml_depth
from pycodex_config.errors import ConfigOverrideError

logger = logging.getLogger(__name__)

_OPENERS = ('"', "'", "[", "{")


def _split_key(raw_key: str, override: str) -> list[str]:
    key = raw_key.strip()
    if not key:
        raise ConfigOverrideError(f"Error parsing -c overrides: empty key in override: {override}")
    try:
        parsed = tomllib.loads(f"{key} = 0")
    except tomllib.TOMLDecodeError:
        # Not a valid TOML key (e.g. `a.b c`): fall back to Codex's plain split on dots.
        return [part.strip() for part in key.split(".")]
    path: list[str] = []
    node: object = parsed
    while isinstance(node, dict) and node:
        name, node = next(iter(cast(dict[str, object], node).items()))
        path.append(name)
    return path


def _find_equals(text: str) -> int:
    """Index of the first `=` outside a quoted key segment, or -1."""
    quote: str | None = None
    for index, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = None
        elif ch in ('"', "'"):
            quote = ch
        elif ch == "=":
            return index
    return -1


def parse_cli_override(override: str) -> tuple[list[str], object]:
    """Parse one `-c key=value` argument.

    Args:
        override: the text after `-c`, e.g. `projects."/a/b".trust_level="trusted"`.

    Returns:
        The key path (quoted segments unquoted) and the parsed value.

    Raises:
        ConfigOverrideError: no `=`, an empty key, or a value that starts a TOML string,
            array or table but is not valid TOML.
    """
    equals = _find_equals(override)
    if equals < 0:
        raise ConfigOverrideError(f"Error parsing -c overrides: invalid override (missing '='): {override}")
    path = _split_key(override[:equals], override)
    if any(not part for part in path):
        raise ConfigOverrideError(f"Error parsing -c overrides: empty key segment in override: {override}")
    raw_value = override[equals + 1 :].strip()
    try:
        value = tomllib.loads(f"_x_ = {raw_value}")["_x_"]
        if toml_depth(value) > MAX_TOML_DEPTH:
            raise RecursionError
        return path, value
    except RecursionError:
        # Too deep to be a TOML value here: taken as a plain string, as Codex does with what it cannot parse.
        return path, raw_value.strip("\"'")
    except tomllib.TOMLDecodeError as exc:
        if raw_value.startswith(_OPENERS):
            dotted = ".".join(path)
            raise ConfigOverrideError(
                f"Error parsing -c overrides: `{dotted}`: invalid TOML value {raw_value!r}: {exc}",
                key=dotted,
            ) from None
        return path, raw_value.strip("\"'")


def apply_override(document: MutableMapping[str, object], path: Sequence[str], value: object) -> None:
    """Set `value` at `path` in a nested dict, creating (or replacing non-table) parents."""
    node = document
    for part in path[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = {}
            node[part] = child
        node = cast(dict[str, object], child)
    node[path[-1]] = value


def overrides_document(
    overrides: Iterable[str], enable: Iterable[str] = (), disable: Iterable[str] = ()
) -> tuple[dict[str, object], list[str], list[str]]:
    """Build the runtime layer from `-c` overrides and feature toggles.

    Returns:
        The layer as a nested dict, the override texts in order (for error messages) and
        warnings (none today; kept for callers).

    Raises:
        ConfigOverrideError: an override cannot be parsed, or `--enable/--disable` names a feature
            Codex 0.169 does not know (`Unknown feature flag: NAME`, as Codex exits).
    """
    document: dict[str, object] = {}
    sources: list[str] = []
    for override in overrides:
        path, value = parse_cli_override(override)
        apply_override(document, path, value)
        sources.append(override)
    warnings: list[str] = []
    for names, state in ((enable, True), (disable, False)):
        for name in names:
            if name not in FEATURES:
                raise ConfigOverrideError(f"Error: Unknown feature flag: {name}")
            apply_override(document, ["features", name], state)
            sources.append(f"features.{name}={'true' if state else 'false'}")
    return document, sources, warnings

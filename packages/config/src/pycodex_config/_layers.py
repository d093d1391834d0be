"""Configuration layers: reading files, validating them, merging, locating keys for messages."""

from __future__ import annotations

import logging
import re
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import cast

from pycodex_config._features import FEATURES
from pycodex_config._keys import validate
from pycodex_config._linemap import find_line, key_lines
from pycodex_config._schema import SchemaError
from pycodex_config.errors import ConfigError

logger = logging.getLogger(__name__)

LOAD_PREFIX = "Error loading config.toml: "
_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")

Doc = dict[str, object]


class Layer:
    """One source of settings, lowest precedence first in a list of layers."""

    def __init__(
        self,
        document: Doc,
        path: Path | None = None,
        text: str | None = None,
        prefix: tuple[str, ...] = (),
        overrides: list[str] | None = None,
    ) -> None:
        self.document = document
        """The TOML data this layer contributes (for a profile table: the table itself)."""
        self.path = path
        """The file it came from; `None` for `-c` overrides."""
        self.text = text
        """The file text, kept for line lookups on the error path."""
        self.prefix = prefix
        """Where `document` sits inside the file (`("profiles", "x")` for a profile table)."""
        self.overrides: list[str] = overrides if overrides is not None else []
        """For the `-c` layer: the override texts, in order."""
        self._lines: dict[tuple[str, ...], int] | None = None

    def __repr__(self) -> str:
        return f"Layer(path={self.path!r}, prefix={self.prefix!r})"

    def where(self, key: Sequence[str]) -> str:
        """Describe where `key` (relative to `document`) is set: `FILE:LINE` or `-c k=v`."""
        if self.path is None:
            dotted = ".".join(key)
            for text in reversed(self.overrides):
                head = text.split("=", 1)[0].strip().replace('"', "").replace("'", "")
                if dotted == head or dotted.startswith(head + ".") or head.startswith(dotted + "."):
                    return f"-c {text}"
            return "-c overrides"
        if self._lines is None:
            self._lines = key_lines(self.text or "")
        line = find_line(self._lines, (*self.prefix, *key))
        return f"{self.path}:{line}" if line is not None else str(self.path)

    def contains(self, key: Sequence[str]) -> bool:
        """Whether this layer sets `key`."""
        node: object = self.document
        for part in key:
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]  # pyright: ignore[reportUnknownVariableType]
        return True


MAX_TOML_DEPTH = 128
"""The deepest nesting of arrays and tables accepted in a config file or a `-c` value."""


def toml_depth(value: object) -> int:
    """How deeply `value` nests arrays and tables (a scalar is 0), measured without recursion."""
    deepest = 0
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(node, dict):
            stack.extend((child, depth + 1) for child in cast(dict[str, object], node).values())
        elif isinstance(node, list):
            stack.extend((child, depth + 1) for child in cast(list[object], node))
    return deepest


def read_toml_file(path: Path) -> Layer | None:
    """Parse `path` with tomllib; `None` if it does not exist.

    Raises:
        ConfigError: unreadable file or TOML syntax error (`FILE:LINE:COL: message`).
    """
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{LOAD_PREFIX}{path}: {exc}", path=path) from exc
    try:
        document = tomllib.loads(text)
        if toml_depth(document) > MAX_TOML_DEPTH:
            raise RecursionError
        return Layer(document=document, path=path, text=text)
    except RecursionError:
        raise ConfigError(
            f"{LOAD_PREFIX}{path}: recursion limit exceeded (values nested deeper than {MAX_TOML_DEPTH} levels)",
            path=path,
        ) from None
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        match = _POSITION.search(message)
        if match is None:
            if not message.endswith("(at end of document)"):
                raise ConfigError(f"{LOAD_PREFIX}{path}: {message}", path=path) from None
            # tomllib gives no position at the end of the file: point at the last line.
            lines = text.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
            message = message.removesuffix("(at end of document)").rstrip() + " (at end of document)"
            raise ConfigError(f"{LOAD_PREFIX}{path}:{line}:{column}: {message}", path=path, line=line) from None
        line, column = int(match[1]), int(match[2])
        raise ConfigError(
            f"{LOAD_PREFIX}{path}:{line}:{column}: {message[: match.start()]}", path=path, line=line
        ) from None


def check_layer(layer: Layer, *, strict: bool, allow_profiles: bool, warnings: list[str]) -> None:
    """Validate a layer's types; collect unknown, unsupported and legacy keys, and unknown features.

    Raises:
        ConfigError: a value has the wrong type, or (strict) a key is unknown or legacy, as in Codex.
    """
    try:
        found = validate(layer.document, allow_profiles=allow_profiles)
    except SchemaError as exc:
        raise located_error(layer, exc.path, exc.message) from None
    for key in [*found.unknown, *found.legacy] if strict else found.unknown:
        where = layer.where(key)
        dotted = ".".join((*layer.prefix, *key))
        if strict:
            raise ConfigError(
                f"{LOAD_PREFIX}{where}: unknown configuration field `{dotted}`", path=layer.path, key=dotted
            )
        warnings.append(f"unknown configuration key `{dotted}` in {where}")
    for key in found.unsupported:
        dotted = ".".join((*layer.prefix, *key))
        warnings.append(f"`{dotted}` in {layer.where(key)} is not supported by pycodex yet; it is ignored")
    features = layer.document.get("features")
    if isinstance(features, dict):
        for name in features:  # pyright: ignore[reportUnknownVariableType]
            if name not in FEATURES and layer.path is not None:
                key = ("features", str(name))  # pyright: ignore[reportUnknownArgumentType]
                if strict:
                    dotted = ".".join((*layer.prefix, *key))
                    raise ConfigError(
                        f"{LOAD_PREFIX}{layer.where(key)}: unknown configuration field `{dotted}`",
                        path=layer.path,
                        key=dotted,
                    )
                warnings.append(f"unknown feature flag `{name}` in {layer.where(key)}")


def located_error(layer: Layer, key: Sequence[str], message: str) -> ConfigError:
    """A `ConfigError` for `key` in `layer` with file and line filled in."""
    where = layer.where(key)
    dotted = ".".join((*layer.prefix, *key))
    line = where.rsplit(":", 1)[-1] if layer.path is not None else ""
    return ConfigError(
        f"{LOAD_PREFIX}{where}: {dotted}: {message}",
        path=layer.path,
        line=int(line) if line.isdigit() else None,
        key=dotted,
    )


def error_at(layers: Sequence[Layer], key: Sequence[str], message: str) -> ConfigError:
    """A `ConfigError` for `key`, located in the highest-precedence layer that sets it."""
    for layer in reversed(layers):
        if layer.contains(key):
            return located_error(layer, key, message)
    return ConfigError(f"{LOAD_PREFIX}{'.'.join(key)}: {message}", key=".".join(key))


def deep_merge(base: Mapping[str, object], top: Mapping[str, object]) -> Doc:
    """Merge `top` over `base`: tables merge recursively, everything else is replaced."""
    merged: Doc = dict(base)
    for key, value in top.items():
        current = merged.get(key)
        if isinstance(current, dict) and isinstance(value, dict):
            merged[key] = deep_merge(current, value)  # pyright: ignore[reportUnknownArgumentType]
        else:
            merged[key] = value
    return merged


def deep_merge_all(layers: Sequence[Layer]) -> Doc:
    """Merge the documents of `layers`, lowest precedence first."""
    merged: Doc = {}
    for layer in layers:
        merged = deep_merge(merged, layer.document)
    return merged

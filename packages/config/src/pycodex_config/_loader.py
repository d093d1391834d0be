"""`load_config`: layers -> `Config`.

Precedence, lowest first: built-in defaults < `$CODEX_HOME/config.toml` < profile
(`$CODEX_HOME/NAME.config.toml`, else `[profiles.NAME]`) < `-c` overrides and
`--enable/--disable` < dedicated CLI flags (`CliOverrides`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from pycodex_config._build import build_config
from pycodex_config._config import CliOverrides, Config
from pycodex_config._layers import LOAD_PREFIX, Layer, check_layer, read_toml_file
from pycodex_config._overrides import overrides_document
from pycodex_config.errors import ConfigError

__all__ = ["find_codex_home", "load_config"]

CONFIG_TOML = "config.toml"
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def find_codex_home(env: Mapping[str, str] | None = None) -> Path:
    """Return `$CODEX_HOME` (which must be an existing directory) or `~/.codex`.

    Raises:
        ConfigError: `CODEX_HOME` is set but is not an existing directory.
    """
    environ = os.environ if env is None else env
    value = environ.get("CODEX_HOME", "").strip()
    if not value:
        return Path.home() / ".codex"
    home = Path(value).expanduser()
    if not home.is_dir():
        problem = "is not a directory" if home.exists() else "does not exist"
        raise ConfigError(f"CODEX_HOME points to {str(home)!r}, but that path {problem}")
    return home.resolve()


def _profile_layer(name: str, codex_home: Path, base: Layer | None, strict: bool, warnings: list[str]) -> Layer:
    if not _PROFILE_NAME.match(name):
        raise ConfigError(f"{LOAD_PREFIX}invalid profile name {name!r}: use letters, digits, '_', '-' and '.'")
    file = codex_home / f"{name}.config.toml"
    layer = read_toml_file(file)
    if layer is not None:
        check_layer(layer, strict=strict, allow_profiles=False, warnings=warnings)
        return layer
    profiles = base.document.get("profiles") if base is not None else None
    table = profiles.get(name) if isinstance(profiles, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if isinstance(table, dict) and base is not None:
        # Already validated as part of config.toml (`profiles.NAME.*`).
        return Layer(document=dict(table), path=base.path, text=base.text, prefix=("profiles", name))  # pyright: ignore[reportUnknownArgumentType]
    config_toml = codex_home / CONFIG_TOML
    raise ConfigError(
        f"{LOAD_PREFIX}profile `{name}` not found: create {file} or add [profiles.{name}] to {config_toml}"
    )


def load_config(
    *,
    cwd: Path,
    codex_home: Path | None = None,
    overrides: Sequence[str] = (),
    profile: str | None = None,
    enable: Sequence[str] = (),
    disable: Sequence[str] = (),
    strict: bool = False,
    cli: CliOverrides | None = None,
    ignore_user_config: bool = False,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Load the effective configuration.

    Args:
        cwd: the session's working directory (made absolute).
        codex_home: configuration directory; default `find_codex_home()`.
        overrides: `-c key=value` arguments, in order.
        profile: `-p/--profile NAME`; default the `profile` key of the config.
        enable: `--enable FEATURE` names.
        disable: `--disable FEATURE` names.
        strict: unknown keys are errors instead of warnings (`--strict-config`).
        cli: values of dedicated command-line flags.
        ignore_user_config: skip `$CODEX_HOME/config.toml`.
        env: environment for `CODEX_HOME`/`CODEX_OSS_*` (default `os.environ`).

    Raises:
        ConfigError: unreadable or invalid configuration; the message names file, line and key.
        ConfigOverrideError: a `-c` override cannot be parsed.
    """
    environ = os.environ if env is None else env
    home = find_codex_home(environ) if codex_home is None else Path(codex_home).expanduser()
    cli = cli or CliOverrides()
    warnings: list[str] = []
    override_doc, override_texts, override_warnings = overrides_document(overrides, enable, disable)
    warnings.extend(override_warnings)

    base = None if ignore_user_config else read_toml_file(home / CONFIG_TOML)
    layers: list[Layer] = []
    if base is not None:
        check_layer(base, strict=strict, allow_profiles=True, warnings=warnings)
        layers.append(base)

    profile_name = (
        profile or _str(override_doc.get("profile")) or (_str(base.document.get("profile")) if base else None)
    )
    # `-c profiles.NAME.key=value` edits the profile itself: it applies on top of the profile's
    # own settings when NAME is the profile in use (and may define that profile on its own).
    override_profiles = override_doc.pop("profiles", None)
    from_overrides = override_profiles.get(profile_name) if isinstance(override_profiles, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if profile_name:
        try:
            layers.append(_profile_layer(profile_name, home, base, strict, warnings))
        except ConfigError:
            if not isinstance(from_overrides, dict):
                raise
        if isinstance(from_overrides, dict):
            profile_overrides = Layer(document=dict(from_overrides), overrides=override_texts)  # pyright: ignore[reportUnknownArgumentType]
            check_layer(profile_overrides, strict=strict, allow_profiles=False, warnings=warnings)
            layers.append(profile_overrides)
    if override_doc:
        runtime = Layer(document=override_doc, overrides=override_texts)
        check_layer(runtime, strict=strict, allow_profiles=False, warnings=warnings)
        layers.append(runtime)
    return build_config(
        layers,
        codex_home=home,
        cwd=Path(cwd).expanduser().resolve(),
        cli=cli,
        profile=profile_name,
        warnings=warnings,
        env=environ,
    )


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None

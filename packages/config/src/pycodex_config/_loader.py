"""`load_config`: layers -> `Config`.

Precedence, lowest first: built-in defaults < `$CODEX_HOME/config.toml` < profile
(`$CODEX_HOME/NAME.config.toml`) < trusted project `.codex/config.toml` files (project root down
to cwd) < `-c` overrides and `--enable/--disable` < dedicated CLI flags (`CliOverrides`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pycodex_config._build import build_config
from pycodex_config._config import CliOverrides, Config
from pycodex_config._layers import Layer, check_layer, read_toml_file
from pycodex_config._overrides import overrides_document
from pycodex_config._project import profile_layer, project_layers
from pycodex_config.errors import ConfigError

__all__ = ["find_codex_home", "load_config"]

CONFIG_TOML = "config.toml"


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
        profile: `-p/--profile NAME` (`$CODEX_HOME/NAME.config.toml`; legacy profile tables are refused).
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
    # `-c profiles.NAME.key=value` edits the profile itself: it applies on top of the profile's
    # own settings when NAME is the profile in use (and may define that profile on its own).
    override_profiles = override_doc.pop("profiles", None)
    selected = profile_layer(profile, home, base, override_doc, strict=strict, warnings=warnings)
    if selected is not None:
        layers.append(selected)
    override_doc.pop("profile", None)
    from_overrides = override_profiles.get(profile) if isinstance(override_profiles, dict) and profile else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    if isinstance(from_overrides, dict):
        profile_overrides = Layer(document=dict(from_overrides), overrides=override_texts)  # pyright: ignore[reportUnknownArgumentType]
        check_layer(profile_overrides, strict=strict, allow_profiles=False, warnings=warnings)
        layers.append(profile_overrides)
    resolved_cwd = Path(cwd).expanduser().resolve()
    layers.extend(project_layers(layers, override_doc, resolved_cwd, strict=strict, warnings=warnings))
    if override_doc:
        runtime = Layer(document=override_doc, overrides=override_texts)
        check_layer(runtime, strict=strict, allow_profiles=False, warnings=warnings)
        layers.append(runtime)
    return build_config(
        layers,
        codex_home=home,
        cwd=resolved_cwd,
        cli=cli,
        profile=profile if selected is not None or from_overrides is not None else None,
        warnings=warnings,
        env=environ,
    )

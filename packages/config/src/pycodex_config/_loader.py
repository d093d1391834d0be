"""`load_config`: layers -> `Config`.

Precedence, lowest first: built-in defaults < `$CODEX_HOME/config.toml` < profile
(`$CODEX_HOME/NAME.config.toml`) < trusted project `.codex/config.toml` files (project root down
to cwd) < `-c` overrides and `--enable/--disable` < dedicated CLI flags (`CliOverrides`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from pycodex_config._layers import Layer, check_layer, deep_merge_all, read_toml_file
from pycodex_config._mcp import McpServerConfig, mcp_servers_from
from pycodex_config._overrides import overrides_document
from pycodex_config._project import profile_layer, project_layers
from pycodex_config.errors import ConfigError

if TYPE_CHECKING:
    from pycodex_config._config import CliOverrides, Config

__all__ = ["LayerStack", "find_codex_home", "load_config", "load_layers", "load_mcp_servers"]

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
    from pycodex_config._build import build_config
    from pycodex_config._config import CliOverrides

    environ = os.environ if env is None else env
    stack = load_layers(
        cwd=cwd,
        codex_home=codex_home,
        overrides=overrides,
        profile=profile,
        enable=enable,
        disable=disable,
        strict=strict,
        ignore_user_config=ignore_user_config,
        env=environ,
    )
    return build_config(
        list(stack.layers),
        codex_home=stack.codex_home,
        cwd=stack.cwd,
        cli=cli or CliOverrides(),
        profile=stack.profile,
        warnings=stack.warnings,
        env=environ,
    )


class LayerStack(NamedTuple):
    """The validated layers of a configuration, before defaults and CLI flags are applied."""

    layers: tuple[Layer, ...]
    """Lowest precedence first."""
    codex_home: Path
    """The configuration directory used."""
    cwd: Path
    """The working directory, resolved."""
    profile: str | None
    """The profile in use, if any layer defines it."""
    warnings: list[str]
    """Warnings collected while reading (unknown keys, deprecated spellings)."""


def load_layers(
    *,
    cwd: Path,
    codex_home: Path | None = None,
    overrides: Sequence[str] = (),
    profile: str | None = None,
    enable: Sequence[str] = (),
    disable: Sequence[str] = (),
    strict: bool = False,
    ignore_user_config: bool = False,
    env: Mapping[str, str] | None = None,
) -> LayerStack:
    """Read and validate every configuration layer (the arguments are those of `load_config`).

    Raises:
        ConfigError: unreadable or invalid configuration; the message names file, line and key.
        ConfigOverrideError: a `-c` override cannot be parsed.
    """
    environ = os.environ if env is None else env
    home = find_codex_home(environ) if codex_home is None else Path(codex_home).expanduser()
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
    in_use = profile if selected is not None or from_overrides is not None else None
    return LayerStack(tuple(layers), home, resolved_cwd, in_use, warnings)


def load_mcp_servers(stack: LayerStack) -> dict[str, McpServerConfig]:
    """The `[mcp_servers]` of a layer stack, without building the rest of `Config` (fast: `codex mcp list`).

    Raises:
        ConfigError: a server table is invalid; the message names file, line and key.
    """
    return mcp_servers_from(deep_merge_all(stack.layers), stack.layers)

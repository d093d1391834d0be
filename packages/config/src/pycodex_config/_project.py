"""Profiles and project layers, as Codex 0.169 selects them.

- `-p NAME` layers `$CODEX_HOME/NAME.config.toml` (missing: nothing is layered). A legacy
  `[profiles.NAME]` table or `profile = "NAME"` selector in config.toml is refused with Codex's
  message; so is a `profile` key on its own.
- Project layers: `.codex/config.toml` in each directory from the project root (the nearest
  ancestor of cwd holding one of `project_root_markers`, default `.git`; `[]` means cwd only)
  down to cwd, each loaded only when its directory, or the project root, is trusted.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from pycodex_config._layers import LOAD_PREFIX, Doc, Layer, check_layer, deep_merge, read_toml_file
from pycodex_config.errors import ConfigError

__all__ = ["DEFAULT_MARKERS", "profile_layer", "profile_name_error", "project_layers", "project_root"]

DEFAULT_MARKERS = (".git",)
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_PROFILES_DOC = "https://developers.openai.com/codex/config-advanced#profiles"


def profile_name_error(name: str) -> str | None:
    """Codex's usage error for a `--profile` value that is not a plain name, or `None`."""
    if _PROFILE_NAME.match(name) and ".." not in name:
        return None
    return (
        f"invalid value '{name}' for '--profile <CONFIG_PROFILE_V2>': "
        f"invalid --profile value `{name}`; pass a plain name such as `work`"
    )


def _legacy_selector(base: Layer | None, overrides: Doc) -> str | None:
    value = overrides.get("profile", base.document.get("profile") if base else None)
    return value if isinstance(value, str) else None


def profile_layer(
    name: str | None, codex_home: Path, base: Layer | None, overrides: Doc, *, strict: bool, warnings: list[str]
) -> Layer | None:
    """The layer `-p NAME` adds (`None` when there is none).

    Raises:
        ConfigError: a bad name, a legacy profile table or selector, or an invalid profile file.
    """
    selector = _legacy_selector(base, overrides)
    config_toml = codex_home / "config.toml"
    if name is None:
        if selector is not None:
            raise ConfigError(
                f"Error: legacy `profile = {_quoted(selector)}` config is no longer supported; "
                f"use `--profile {selector}` with `{selector}.config.toml` instead"
            )
        return None
    error = profile_name_error(name)
    if error is not None:
        raise ConfigError(f"error: {error}")
    tables = base.document.get("profiles") if base is not None else None
    if selector == name or (isinstance(tables, dict) and name in tables):
        raise ConfigError(
            f"{LOAD_PREFIX}--profile `{name}` cannot be used while {config_toml} contains legacy "
            f"`profile = {_quoted(name)}` or `[profiles.{name}]` config; move those settings into "
            f"{codex_home / f'{name}.config.toml'} and remove the legacy profile selector/table. "
            f"See {_PROFILES_DOC} for more information."
        )
    layer = read_toml_file(codex_home / f"{name}.config.toml")
    if layer is not None:
        check_layer(layer, strict=strict, allow_profiles=True, warnings=warnings)
    return layer


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _markers(document: Doc) -> tuple[str, ...]:
    value = document.get("project_root_markers")
    if isinstance(value, list) and all(isinstance(v, str) for v in value):  # pyright: ignore[reportUnknownVariableType]
        return tuple(str(v) for v in value)  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]
    return DEFAULT_MARKERS


def project_root(cwd: Path, markers: Sequence[str]) -> Path:
    """The nearest ancestor of `cwd` (itself included) holding one of `markers`, else `cwd`."""
    for directory in (cwd, *cwd.parents):
        if any((directory / marker).exists() for marker in markers):
            return directory
    return cwd


def _trusted(document: Doc, directory: Path) -> bool:
    projects = document.get("projects")
    entry = projects.get(str(directory)) if isinstance(projects, dict) else None  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
    return isinstance(entry, dict) and bool(entry.get("trust_level") == "trusted")  # pyright: ignore[reportUnknownMemberType, reportUnknownArgumentType]


def project_layers(
    layers: Sequence[Layer], overrides: Doc, cwd: Path, *, strict: bool, warnings: list[str]
) -> list[Layer]:
    """The trusted `.codex/config.toml` layers from the project root down to `cwd`.

    The markers and the trust decisions come from the other layers (user, profile, `-c`).

    Raises:
        ConfigError: a project file cannot be read or is invalid.
    """
    merged: Doc = {}
    for layer in layers:
        merged = deep_merge(merged, layer.document)
    merged = deep_merge(merged, overrides)
    root = project_root(cwd, _markers(merged))
    chain = [cwd, *cwd.parents]
    directories = list(reversed(chain[: chain.index(root) + 1]))
    found: list[Layer] = []
    root_trusted = _trusted(merged, root)
    for directory in directories:
        if not (root_trusted or _trusted(merged, directory)):
            continue
        layer = read_toml_file(directory / ".codex" / "config.toml")
        if layer is not None:
            check_layer(layer, strict=strict, allow_profiles=False, warnings=warnings)
            found.append(layer)
    return found

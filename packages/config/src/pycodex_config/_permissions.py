"""Permission profiles: `default_permissions`, `[permissions.NAME]` (with `extends`) and the legacy projection.

Codex 0.169's rule for which model applies: a profile named explicitly (`codex sandbox -P NAME`)
wins; otherwise `sandbox_mode` (in any config layer, or `--sandbox`) selects the legacy settings;
otherwise `default_permissions`; otherwise the legacy default derived from project trust.

```toml
default_permissions = "proj"

[permissions.proj]
extends = ":workspace"

[permissions.proj.filesystem]
":root" = "read"
"/srv/data" = "write"
"/srv/data/secret" = "none"

[permissions.proj.filesystem.":workspace_roots"]
"." = "write"
".vscode" = "read"

[permissions.proj.workspace_roots]
"~/code/other" = true

[permissions.proj.network]
enabled = true
domains = { "pypi.org" = "allow", "evil.example" = "deny" }
```
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import cast

from pycodex_config._config import Config
from pycodex_config.errors import ConfigError
from pycodex_protocol import (
    PROTECTED_METADATA_NAMES,
    FileSystemAccessMode,
    FileSystemPath,
    FileSystemSandboxEntry,
    FileSystemSpecialPathKind,
    PermissionProfile,
    SandboxPolicy,
)

logger = logging.getLogger(__name__)

__all__ = ["BUILT_IN_PROFILES", "NamedPermissions", "legacy_permission_profile", "select_permissions"]

_SPECIAL_TOKENS: dict[str, FileSystemSpecialPathKind] = {
    ":root": "root",
    ":minimal": "minimal",
    ":cwd": "current_working_directory",
    ":current_working_directory": "current_working_directory",
    ":workspace": "project_roots",
    ":workspace_roots": "project_roots",
    ":project_roots": "project_roots",
    ":tmpdir": "tmpdir",
    ":slash_tmp": "slash_tmp",
}
_ACCESS: dict[str, FileSystemAccessMode] = {"read": "read", "write": "write", "none": "deny", "deny": "deny"}


def _special(kind: FileSystemSpecialPathKind, subpath: str | None = None) -> FileSystemPath:
    value: dict[str, str] = {"kind": kind}
    if subpath is not None and subpath not in ("", "."):
        value["subpath"] = subpath
    return cast(FileSystemPath, {"type": "special", "value": value})


def _entry(path: FileSystemPath, access: FileSystemAccessMode) -> FileSystemSandboxEntry:
    return {"path": path, "access": access}


@dataclass(frozen=True)
class NamedPermissions:
    """A selected permission profile, before it is resolved against a session."""

    name: str
    """`:read-only`, `:workspace`, `:danger-full-access`, a `[permissions.NAME]` name, or `legacy`."""
    profile: PermissionProfile
    """Wire form (filesystem entries and network setting)."""
    workspace_roots: tuple[Path, ...] = ()
    """Extra workspace roots the profile adds (`[permissions.NAME.workspace_roots]`)."""
    allowed_domains: tuple[str, ...] = ()
    """`network.domains` entries set to `allow`."""
    denied_domains: tuple[str, ...] = ()
    """`network.domains` entries set to `deny`."""
    allow_local_binding: bool = False
    """`network.allow_local_binding`."""
    extra: Mapping[str, object] = field(default_factory=lambda: {})
    """Other `network` keys, kept as written."""


_RO: PermissionProfile = {
    "type": "managed",
    "file_system": {"type": "restricted", "entries": [_entry(_special("root"), "read")]},
    "network": "restricted",
}
_WS: PermissionProfile = {
    "type": "managed",
    "file_system": {
        "type": "restricted",
        "entries": [
            _entry(_special("root"), "read"),
            _entry(_special("project_roots"), "write"),
            _entry(_special("slash_tmp"), "write"),
            _entry(_special("tmpdir"), "write"),
        ],
    },
    "network": "restricted",
}
BUILT_IN_PROFILES: Mapping[str, PermissionProfile] = {
    ":read-only": _RO,
    ":workspace": _WS,
    ":danger-full-access": {"type": "disabled"},
}
"""The built-in profiles of Codex 0.169."""


def legacy_permission_profile(policy: SandboxPolicy, cwd: Path) -> PermissionProfile:
    """Project a legacy `SandboxPolicy` onto a permission profile (as Codex 0.169 shows it)."""
    if policy["type"] == "danger-full-access":
        return {"type": "disabled"}
    if policy["type"] == "external-sandbox":
        return {"type": "external", "network": policy["network_access"]}
    if policy["type"] == "read-only":
        return {
            "type": "managed",
            "file_system": {"type": "restricted", "entries": [_entry(_special("root"), "read")]},
            "network": "enabled" if policy.get("network_access") else "restricted",
        }
    entries = [_entry(_special("root"), "read")]
    roots = list(dict.fromkeys([str(cwd), *policy["writable_roots"]]))
    for root in roots:
        entries.append(_entry({"type": "path", "path": root}, "write"))
    if not policy["exclude_slash_tmp"]:
        entries.append(_entry(_special("slash_tmp"), "write"))
    if not policy["exclude_tmpdir_env_var"]:
        entries.append(_entry(_special("tmpdir"), "write"))
    for name in PROTECTED_METADATA_NAMES:  # grouped by name, then root, as Codex 0.169 lists them
        for root in roots:
            path: FileSystemPath = {"type": "path", "path": str(Path(root) / name)}
            entries.append({"path": path, "access": "read", "missing_path_behavior": "skip"})
    return {
        "type": "managed",
        "file_system": {"type": "restricted", "entries": entries},
        "network": "enabled" if policy["network_access"] else "restricted",
    }


def _parse_path(key: str, where: str) -> tuple[FileSystemPath, bool]:
    """Return the path of a filesystem key and whether it may take a table of sub-paths."""
    if key.startswith(":"):
        kind = _SPECIAL_TOKENS.get(key)
        if kind is None:
            logger.warning("%s: unknown special path %r kept as unknown", where, key)
            return cast(FileSystemPath, {"type": "special", "value": {"kind": "unknown", "path": key}}), False
        return _special(kind), kind == "project_roots"
    path = Path(key).expanduser()
    if not path.is_absolute():
        raise ConfigError(f"{where}: {key!r} must be absolute, `~/...` or a `:special` path", key=where)
    return {"type": "path", "path": str(path)}, True


def _access(value: object, where: str) -> FileSystemAccessMode:
    if isinstance(value, str) and value in _ACCESS:
        return _ACCESS[value]
    raise ConfigError(f"{where}: expected one of read, write, none, got {value!r}", key=where)


def _with_subpath(base: FileSystemPath, sub: str, where: str) -> FileSystemPath:
    if sub.startswith("/") or ".." in Path(sub).parts:
        raise ConfigError(f"{where}: sub-path {sub!r} must be relative and stay inside", key=where)
    if base["type"] == "special":
        return _special(base["value"]["kind"], sub)
    return {"type": "path", "path": str(Path(base["path"]) / sub) if sub not in ("", ".") else base["path"]}


def _filesystem_entries(table: Mapping[str, object], where: str) -> list[FileSystemSandboxEntry]:
    entries: list[FileSystemSandboxEntry] = []
    for key, value in table.items():
        key_where = f"{where}.{key}"
        path, nested_ok = _parse_path(key, key_where)
        if isinstance(value, dict) and nested_ok:
            for sub, sub_value in cast(dict[str, object], value).items():
                sub_where = f"{key_where}.{sub}"
                entries.append(_entry(_with_subpath(path, sub, sub_where), _access(sub_value, sub_where)))
        else:
            entries.append(_entry(path, _access(cast(object, value), key_where)))
    return entries


def _domains(value: object, where: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    allowed: list[str] = []
    denied: list[str] = []
    if isinstance(value, dict):
        for host, decision in cast(dict[str, object], value).items():
            if decision not in ("allow", "deny"):
                raise ConfigError(f"{where}.{host}: expected allow or deny, got {decision!r}", key=where)
            (allowed if decision == "allow" else denied).append(host.strip().lower().rstrip("."))
    elif value is not None:
        raise ConfigError(f"{where}: expected a table of host = allow|deny", key=where)
    return tuple(allowed), tuple(denied)


def _named(tables: Mapping[str, object], name: str, chain: Sequence[str]) -> NamedPermissions:
    if name in BUILT_IN_PROFILES:
        return NamedPermissions(name=name, profile=BUILT_IN_PROFILES[name])
    if name in chain:
        raise ConfigError(f"permissions.{name}: `extends` forms a cycle ({' -> '.join([*chain, name])})")
    raw = tables.get(name)
    if not isinstance(raw, dict):
        known = ", ".join([*BUILT_IN_PROFILES, *sorted(tables)])
        raise ConfigError(f"permission profile {name!r} is not defined; known profiles: {known}", key="permissions")
    table = cast(dict[str, object], raw)
    where = f"permissions.{name}"
    parent_name = table.get("extends")
    parent = _named(tables, str(parent_name), [*chain, name]) if isinstance(parent_name, str) else None
    return _merge(name, parent, table, where)


def _merge(name: str, parent: NamedPermissions | None, table: Mapping[str, object], where: str) -> NamedPermissions:
    fs_table = table.get("filesystem")
    entries = _filesystem_entries(cast(dict[str, object], fs_table), f"{where}.filesystem") if fs_table else []
    base_entries: list[FileSystemSandboxEntry] = []
    network = "restricted"
    if parent is not None and parent.profile["type"] == "managed":
        fs = parent.profile["file_system"]
        base_entries = list(fs["entries"]) if fs["type"] == "restricted" else [_entry(_special("root"), "write")]
        network = parent.profile["network"]
    elif parent is not None and parent.profile["type"] == "disabled":
        base_entries, network = [_entry(_special("root"), "write")], "enabled"
    net = table.get("network")
    net_table = cast(dict[str, object], net) if isinstance(net, dict) else {}
    if isinstance(net_table.get("enabled"), bool):
        network = "enabled" if net_table["enabled"] else "restricted"
    allowed, denied = _domains(net_table.get("domains"), f"{where}.network.domains")
    roots_raw = table.get("workspace_roots")
    roots = (
        [Path(k).expanduser() for k, v in cast(dict[str, object], roots_raw).items() if v is True]
        if (isinstance(roots_raw, dict))
        else []
    )
    return NamedPermissions(
        name=name,
        profile={
            "type": "managed",
            "file_system": {"type": "restricted", "entries": base_entries + entries},
            "network": "enabled" if network == "enabled" else "restricted",
        },
        workspace_roots=(*(parent.workspace_roots if parent else ()), *roots),
        allowed_domains=(*(parent.allowed_domains if parent else ()), *allowed),
        denied_domains=(*(parent.denied_domains if parent else ()), *denied),
        allow_local_binding=net_table.get("allow_local_binding") is True
        or (parent.allow_local_binding if parent else False),
        extra={k: v for k, v in net_table.items() if k not in ("enabled", "domains", "allow_local_binding")},
    )


def select_permissions(config: Config, name: str | None = None, *, sandbox_flag: bool = False) -> NamedPermissions:
    """Pick the permission profile in effect for `config`.

    Args:
        config: The loaded configuration (its `raw` document holds `[permissions]`).
        name: A profile named on the command line (`-P NAME`); wins over everything.
        sandbox_flag: `--sandbox` was given, so the legacy settings apply.

    Raises:
        ConfigError: an unknown profile, a cycle in `extends`, a bad access value or path.
    """
    raw_tables = config.raw.get("permissions")
    tables = cast(dict[str, object], raw_tables) if isinstance(raw_tables, dict) else {}
    if name is None and not sandbox_flag and "sandbox_mode" not in config.raw:
        default = config.raw.get("default_permissions")
        name = default if isinstance(default, str) else None
    if name is None:
        return NamedPermissions(name="legacy", profile=legacy_permission_profile(config.sandbox_policy, config.cwd))
    return _named(tables, name, [])

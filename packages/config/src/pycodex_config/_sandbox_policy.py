"""Resolve a permission profile into the concrete `ResolvedSandboxPolicy` the platform sandboxes enforce.

Paths are made absolute and normalised lexically; each writable root gets its read-only
sub-paths: the profile's narrower `read`/`deny` entries below it, and the protected metadata
names (`.git`, `.agents`, `.codex`, `.aws`), whether they exist yet or not. A `.git` *file*
(`gitdir: ...`, as in linked worktrees) also protects the git directory it points to.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from pycodex_config._permissions import NamedPermissions
from pycodex_protocol import (
    PROTECTED_METADATA_NAMES,
    FileSystemPath,
    FileSystemSandboxEntry,
    NetworkMode,
    ResolvedSandboxPolicy,
    WritableRoot,
)

logger = logging.getLogger(__name__)

__all__ = ["MINIMAL_READABLE_ROOTS", "protected_subpaths", "resolve_sandbox_policy"]

MINIMAL_READABLE_ROOTS: tuple[str, ...] = ("/bin", "/sbin", "/usr", "/lib", "/lib32", "/lib64", "/etc", "/opt")
"""What `:minimal` grants on Linux: enough to start programs (besides /dev and /proc)."""

_RANK = {"read": 0, "write": 1, "deny": 2}


def _norm(path: str | Path) -> str:
    return os.path.normpath(os.fspath(path)) if os.fspath(path) else "/"


def _gitdir_of(dot_git: Path) -> Path | None:
    try:
        text = dot_git.read_text(encoding="utf-8", errors="replace")[:4096]
    except OSError:
        return None
    first = text.splitlines()[0] if text else ""
    if not first.startswith("gitdir:"):
        return None
    target = Path(first[len("gitdir:") :].strip())
    target = target if target.is_absolute() else dot_git.parent / target
    return Path(_norm(target)) if target.is_dir() else None


def protected_subpaths(root: Path) -> list[Path]:
    """The paths below `root` that stay read-only: the metadata names, plus a `.git` file's gitdir.

    Every name is listed even when it does not exist yet, so that creating it is refused too.
    """
    out = [root / name for name in PROTECTED_METADATA_NAMES]
    dot_git = root / ".git"
    if dot_git.is_file() and not dot_git.is_symlink():
        gitdir = _gitdir_of(dot_git)
        if gitdir is not None and gitdir not in out:
            out.append(gitdir)
    return out


def _resolve_path(
    path: FileSystemPath, cwd: Path, workspace_roots: Sequence[Path], env: Mapping[str, str]
) -> list[str]:
    if path["type"] == "path":
        return [_norm(path["path"])]
    value = path["value"]
    kind = value["kind"]
    sub = value.get("subpath")
    if kind == "root":
        return ["/"]
    if kind == "minimal":
        return [p for p in MINIMAL_READABLE_ROOTS if os.path.isdir(p)]
    if kind == "current_working_directory":
        bases = [cwd]
    elif kind == "project_roots":
        bases = list(workspace_roots)
    elif kind == "tmpdir":
        tmp = env.get("TMPDIR", "")
        bases = [Path(tmp)] if tmp and os.path.isabs(tmp) else []
    elif kind == "slash_tmp":
        bases = [Path("/tmp")] if os.path.isdir("/tmp") else []
    else:
        logger.warning("unknown special path %r ignored", value.get("path", kind))
        return []
    return [_norm(base / sub) if sub else _norm(base) for base in bases]


def _below(path: str, root: str) -> bool:
    return root == "/" or path == root or path.startswith(root + "/")


def _effective(entries: Sequence[tuple[str, str]]) -> dict[str, str]:
    """Per path, the strongest access among equally specific entries (`deny` > `write` > `read`)."""
    out: dict[str, str] = {}
    for path, access in entries:
        if path not in out or _RANK[access] > _RANK[out[path]]:
            out[path] = access
    return out


def _writable_roots(access: Mapping[str, str]) -> list[WritableRoot]:
    roots: list[WritableRoot] = []
    for root in sorted(p for p, a in access.items() if a == "write"):
        narrower = [p for p, a in access.items() if a != "write" and p != root and _below(p, root)]
        protected = [str(p) for p in protected_subpaths(Path(root))]
        subpaths = list(dict.fromkeys([*sorted(narrower), *protected]))
        roots.append({"root": root, "read_only_subpaths": subpaths})
    return roots


def resolve_sandbox_policy(
    permissions: NamedPermissions,
    *,
    cwd: Path,
    workspace_roots: Sequence[Path] = (),
    env: Mapping[str, str] | None = None,
    network_proxy: bool = False,
) -> ResolvedSandboxPolicy:
    """Resolve `permissions` for a session in `cwd`.

    Args:
        permissions: The selected profile (`select_permissions`).
        cwd: The session's working directory; always the first workspace root.
        workspace_roots: More workspace roots (`--add-dir`); the profile's own are added.
        env: Environment used for `:tmpdir` (default `os.environ`).
        network_proxy: The policy proxy runs (`features.network_proxy`), so an enabled network
            with domain rules goes through it.
    """
    env = os.environ if env is None else env
    profile = permissions.profile
    none: ResolvedSandboxPolicy = {
        "kind": "unrestricted",
        "full_read": True,
        "readable_roots": [],
        "writable_roots": [],
        "denied_paths": [],
        "network": "on",
    }
    if profile["type"] == "disabled":
        return none
    if profile["type"] == "external" or profile["file_system"]["type"] == "external-sandbox":
        return {**none, "kind": "external", "network": "on" if profile["network"] == "enabled" else "off"}
    fs = profile["file_system"]
    roots = list(dict.fromkeys(Path(_norm(p)) for p in (cwd, *workspace_roots, *permissions.workspace_roots)))
    entries: list[FileSystemSandboxEntry] = (
        fs["entries"] if fs["type"] == "restricted" else [{"path": {"type": "path", "path": "/"}, "access": "write"}]
    )
    pairs = [(p, e["access"]) for e in entries for p in _resolve_path(e["path"], cwd, roots, env)]
    access = _effective(pairs)
    network: NetworkMode = "off"
    if profile["network"] == "enabled":
        network = "proxied" if network_proxy else "on"
    policy: ResolvedSandboxPolicy = {
        "kind": "restricted",
        "full_read": access.get("/") in ("read", "write"),
        "readable_roots": sorted(p for p, a in access.items() if a != "deny"),
        "writable_roots": _writable_roots(access),
        "denied_paths": sorted(p for p, a in access.items() if a == "deny"),
        "network": network,
    }
    if network == "proxied":
        policy["proxy"] = {
            "allowed_domains": list(permissions.allowed_domains),
            "denied_domains": list(permissions.denied_domains),
            "allow_local_binding": permissions.allow_local_binding,
        }
    return policy

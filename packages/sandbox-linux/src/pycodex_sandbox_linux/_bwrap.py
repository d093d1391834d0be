"""The bubblewrap command line for a `ResolvedSandboxPolicy`.

Layout: a read-only bind of `/` (or an empty root with the readable trees bound read-only), a
fresh `/dev` and `/proc`, then every writable root and every read-only or denied path mounted in
order of depth, so the most specific rule wins. A protected path that does not exist yet gets an
empty read-only tmpfs, which keeps it from being created; bubblewrap makes the mount point on the
host, and `SyntheticTargets` removes it again afterwards.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_linux.errors import SandboxSetupError

logger = logging.getLogger(__name__)

__all__ = ["BwrapCommand", "build_bwrap_args", "find_bwrap"]


def find_bwrap(path: str | None = None, cwd: Path | None = None) -> str | None:
    """The first `bwrap` on `path` (default `$PATH`) that is not inside `cwd` (a repository could plant one).

    `$PYCODEX_BWRAP` overrides the search: a path to use, or empty to treat bubblewrap as missing.
    """
    forced = os.environ.get("PYCODEX_BWRAP")
    if forced is not None:
        return forced if forced and os.access(forced, os.X_OK) else None
    search = os.environ.get("PATH", "") if path is None else path
    for directory in search.split(os.pathsep):
        if not directory or not os.path.isabs(directory):
            continue
        if cwd is not None and (Path(directory) == cwd or cwd in Path(directory).parents):
            continue
        found = shutil.which("bwrap", path=directory)
        if found:
            return found
    return None


@dataclass
class BwrapCommand:
    """The bubblewrap arguments and the mount points it will create on the host."""

    args: list[str]
    """Everything between `bwrap` and `--` (the seccomp option is added by the caller)."""
    synthetic: list[str] = field(default_factory=lambda: [])
    """Protected paths that do not exist yet: bubblewrap creates them as empty mount points."""


def _depth(path: str) -> int:
    return 0 if path == "/" else path.count("/")


def _lexists(path: str) -> bool:
    return os.path.lexists(path)


def _read_only_mount(path: str, out: list[str], synthetic: list[str]) -> None:
    if os.path.islink(path):
        raise SandboxSetupError(f"cannot enforce read-only path {path!r}: it is a symbolic link")
    if _lexists(path):
        out += ["--ro-bind", path, path]
        return
    parent = os.path.dirname(path)
    if not os.path.isdir(parent) or os.path.islink(parent):
        return  # its writable root does not exist either, so nothing can create it
    out += ["--perms", "555", "--tmpfs", path, "--remount-ro", path]
    synthetic.append(path)


def _denied_mount(path: str, out: list[str]) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        out += ["--perms", "000", "--tmpfs", path, "--remount-ro", path]
    elif _lexists(path):
        out += ["--ro-bind", "/dev/null", path]


def _filesystem(policy: ResolvedSandboxPolicy) -> tuple[list[str], list[str]]:
    out: list[str] = []
    synthetic: list[str] = []
    if policy["full_read"]:
        out += ["--ro-bind", "/", "/"]
    else:
        out += ["--tmpfs", "/"]
        for root in sorted(policy["readable_roots"], key=_depth):
            if os.path.exists(root):
                out += ["--ro-bind", root, root]
    out += ["--dev", "/dev", "--proc", "/proc"]
    mounts: list[tuple[int, int, str, str]] = []
    for root in policy["writable_roots"]:
        if os.path.isdir(root["root"]):
            mounts.append((_depth(root["root"]), 0, "write", root["root"]))
        for sub in root["read_only_subpaths"]:
            mounts.append((_depth(sub), 1, "read", sub))
    mounts += [(_depth(p), 2, "deny", p) for p in policy["denied_paths"]]
    seen: set[tuple[str, str]] = set()
    for _, _order, kind, path in sorted(mounts):
        if (kind, path) in seen:
            continue
        seen.add((kind, path))
        if kind == "write":
            out += ["--bind", path, path]
        elif kind == "read":
            _read_only_mount(path, out, synthetic)
        else:
            _denied_mount(path, out)
    return out, synthetic


def build_bwrap_args(policy: ResolvedSandboxPolicy, cwd: Path, *, disable_userns: bool = True) -> BwrapCommand:
    """Build the bubblewrap arguments for `policy`, with the command starting in `cwd`.

    Raises:
        SandboxSetupError: a read-only path is a symbolic link (it could be re-pointed), so the
            sandbox cannot be built as asked.
    """
    args = ["--new-session", "--die-with-parent", "--unshare-user", "--unshare-pid", "--unshare-ipc"]
    args += ["--unshare-uts", "--unshare-cgroup-try"]
    if policy["network"] in ("off", "proxied"):
        args.append("--unshare-net")
    if disable_userns:
        args.append("--disable-userns")
    fs_args, synthetic = _filesystem(policy)
    args += fs_args
    args += ["--cap-drop", "ALL", "--chdir", str(cwd)]
    return BwrapCommand(args=args, synthetic=synthetic)


def probe_args(bwrap: str, net: bool = True) -> Sequence[str]:
    """A minimal bubblewrap run that tells whether namespaces can be created here."""
    args = [bwrap, "--unshare-user", "--unshare-pid", "--new-session", "--die-with-parent"]
    args += ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    if net:
        args.append("--unshare-net")
    return [*args, "--", "/bin/true"]

"""Landlock rules for the fallback path (no user namespaces, so no bubblewrap).

Landlock grants access to whole trees and cannot carve a read-only hole out of a granted one,
so a writable root whose protected names (`.git`, `.codex`, ...) exist, or that holds the working
directory, is granted child by child: every existing entry except the protected ones (and except
the ancestors of deeper protected paths, which are opened up one level further). The root itself
stays read-only there, so new top-level entries cannot be made in it: safe, narrower than
bubblewrap. A writable root without any protected name gets the whole tree.
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path

from pycodex_protocol import ResolvedSandboxPolicy, WritableRoot
from pycodex_sandbox_linux.errors import SandboxSetupError

logger = logging.getLogger(__name__)

__all__ = ["landlock_abi", "landlock_spec"]

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ABI1_ALL = (1 << 13) - 1
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1
_DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx")


def landlock_abi() -> int:
    """The Landlock ABI version of this kernel, 0 when Landlock is missing or disabled."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
    except OSError:
        return 0
    libc.syscall.restype = ctypes.c_long
    version = libc.syscall(444, None, ctypes.c_size_t(0), 1)
    return int(version) if version > 0 else 0


def _all_fs(abi: int) -> int:
    bits = _ABI1_ALL
    if abi >= 2:
        bits |= REFER
    if abi >= 3:
        bits |= TRUNCATE
    if abi >= 5:
        bits |= IOCTL_DEV
    return bits


def _file_bits(abi: int) -> int:
    return (EXECUTE | WRITE_FILE | READ_FILE) | (TRUNCATE if abi >= 3 else 0) | (IOCTL_DEV if abi >= 5 else 0)


def _grant_children(directory: Path, protected: set[str], rules: list[tuple[str, int]], abi: int) -> None:
    try:
        children = sorted(directory.iterdir())
    except OSError:
        return
    for child in children:
        path = str(child)
        if path in protected:
            continue
        if any(p.startswith(path + "/") for p in protected):
            if child.is_dir() and not child.is_symlink():
                _grant_children(child, protected, rules, abi)
            continue
        if child.is_symlink():
            continue  # the link's target is judged on its own path
        rules.append((path, _all_fs(abi) if child.is_dir() else _file_bits(abi)))


def _writable_rules(root: WritableRoot, cwd: Path, abi: int) -> list[tuple[str, int]]:
    path = Path(root["root"])
    if not path.is_dir():
        return []
    protected = set(root["read_only_subpaths"])
    existing = [p for p in protected if os.path.lexists(p)]
    holds_cwd = cwd == path or path in cwd.parents
    if not existing and not holds_cwd:
        return [(str(path), _all_fs(abi))]
    rules: list[tuple[str, int]] = []
    _grant_children(path, protected, rules, abi)
    return rules


def landlock_spec(policy: ResolvedSandboxPolicy, cwd: Path, abi: int) -> dict[str, object]:
    """The launcher spec (without the seccomp program) for `policy`.

    Raises:
        SandboxSetupError: the policy needs something Landlock cannot give (denied paths inside
            a readable tree, or the proxied network, which needs a network namespace).
    """
    if abi < 1:
        raise SandboxSetupError("Landlock is not available on this kernel")
    if policy["network"] == "proxied":
        raise SandboxSetupError("the proxied network needs a network namespace (bubblewrap)")
    if policy["denied_paths"]:
        raise SandboxSetupError("Landlock cannot make a path unreadable inside a readable tree")
    read = EXECUTE | READ_FILE | READ_DIR
    readable = ["/"] if policy["full_read"] else [*policy["readable_roots"], "/dev", "/proc"]
    rules: list[tuple[str, int]] = [(p, read) for p in readable if os.path.exists(p)]
    device = READ_FILE | WRITE_FILE | (IOCTL_DEV if abi >= 5 else 0)
    rules += [(d, device) for d in _DEVICES if os.path.exists(d)]
    if os.path.isdir("/dev/pts"):
        rules.append(("/dev/pts", READ_FILE | WRITE_FILE | READ_DIR | (IOCTL_DEV if abi >= 5 else 0)))
    for root in policy["writable_roots"]:
        rules += _writable_rules(root, cwd, abi)
    scoped = SCOPE_SIGNAL | (SCOPE_ABSTRACT_UNIX_SOCKET if policy["network"] == "off" else 0)
    return {
        "abi": abi,
        "handled_fs": _all_fs(abi),
        "rules": rules,
        "net": policy["network"] == "on",
        "scoped": scoped,
    }

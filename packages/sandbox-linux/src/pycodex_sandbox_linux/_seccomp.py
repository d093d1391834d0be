"""Seccomp filters as classic BPF, assembled here (no libseccomp).

The program checks the architecture (any other, including the x32 ABI, is refused), then
returns `EPERM` for the denied system calls and lets everything else through. Which calls are
denied depends on the network mode, after Codex 0.169's three modes:

- `off` (Codex "Restricted"): every socket call but `recvfrom`, `socket`/`socketpair` unless the
  family is `AF_UNIX`, plus `ptrace`, `process_vm_readv/writev`, `pidfd_getfd` and io_uring.
- `proxied` (Codex "ProxyRouted"): `socket` only for `AF_INET`/`AF_INET6` (the network namespace
  holds nothing but the forwarder to the proxy), `socketpair` only `AF_UNIX`; ptrace and io_uring denied.
- `on` (Codex "VmSocketRestricted"): `AF_VSOCK` sockets, ptrace and io_uring denied.

`program(mode)` returns the raw `struct sock_filter[]` bytes that `bwrap --seccomp FD` reads and
that `prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ...)` loads.
"""

from __future__ import annotations

import logging
import platform
import struct
from typing import Literal, TypeAlias

logger = logging.getLogger(__name__)

__all__ = ["SeccompMode", "denied_syscalls", "program"]

SeccompMode: TypeAlias = Literal["off", "proxied", "on"]
"""The network mode the filter is built for."""

# BPF opcodes.
_LD_W_ABS = 0x20
_JEQ_K = 0x15
_JGE_K = 0x35
_JSET_K = 0x45
_CLONE_NEWUSER = 0x10000000
_ENOSYS = 38
_RET_K = 0x06
_RET_ALLOW = 0x7FFF0000
_RET_ERRNO = 0x00050000
_EPERM = 1

AF_UNIX, AF_INET, AF_INET6, AF_VSOCK = 1, 2, 10, 40
_X32_BIT = 0x40000000

_ARCH = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
# System call numbers per architecture.
_NR: dict[str, dict[str, int]] = {
    "x86_64": {
        "socket": 41, "connect": 42, "accept": 43, "sendto": 44, "shutdown": 48, "bind": 49, "listen": 50,
        "getsockname": 51, "getpeername": 52, "socketpair": 53, "setsockopt": 54, "getsockopt": 55,
        "ptrace": 101, "accept4": 288, "recvmmsg": 299, "sendmmsg": 307, "process_vm_readv": 310,
        "process_vm_writev": 311, "io_uring_setup": 425, "io_uring_enter": 426, "io_uring_register": 427,
        "pidfd_getfd": 438, "clone": 56, "unshare": 272, "clone3": 435,
        "chmod": 90, "fchmod": 91, "chown": 92, "fchown": 93, "lchown": 94, "utime": 132, "utimes": 235,
        "fchownat": 260, "futimesat": 261, "fchmodat": 268, "utimensat": 280, "fchmodat2": 452,
        "setxattr": 188, "lsetxattr": 189, "fsetxattr": 190, "removexattr": 197, "lremovexattr": 198,
        "fremovexattr": 199,
    },
    "aarch64": {
        "socket": 198, "socketpair": 199, "bind": 200, "listen": 201, "accept": 202, "connect": 203,
        "getsockname": 204, "getpeername": 205, "sendto": 206, "setsockopt": 208, "getsockopt": 209,
        "shutdown": 210, "ptrace": 117, "accept4": 242, "recvmmsg": 243, "sendmmsg": 269,
        "process_vm_readv": 270, "process_vm_writev": 271, "io_uring_setup": 425, "io_uring_enter": 426,
        "io_uring_register": 427, "pidfd_getfd": 438, "clone": 220, "unshare": 97, "clone3": 435,
        "fchmod": 52, "fchmodat": 53, "fchownat": 54, "fchown": 55, "utimensat": 88, "fchmodat2": 452,
        "setxattr": 5, "lsetxattr": 6, "fsetxattr": 7, "removexattr": 14, "lremovexattr": 15, "fremovexattr": 16,
    },
}  # fmt: skip

_ALWAYS = (
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register",
)  # fmt: skip
# Landlock does not govern metadata: without a mount namespace these must be refused outright.
_METADATA_CALLS = (
    "chmod", "fchmod", "fchmodat", "fchmodat2", "chown", "fchown", "lchown", "fchownat", "utime", "utimes",
    "futimesat", "setxattr", "lsetxattr", "fsetxattr", "removexattr", "lremovexattr", "fremovexattr",
)  # fmt: skip
_SOCKET_CALLS = (
    "connect", "accept", "accept4", "bind", "listen", "getpeername", "getsockname", "shutdown", "sendto",
    "sendmmsg", "recvmmsg", "getsockopt", "setsockopt",
)  # fmt: skip


def _machine() -> str:
    machine = platform.machine().lower()
    return {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)


def denied_syscalls(mode: SeccompMode) -> tuple[str, ...]:
    """Names of the calls refused outright in `mode` (socket families are checked besides)."""
    if mode == "off":
        return _ALWAYS + _SOCKET_CALLS
    if mode == "proxied":
        return _ALWAYS
    return _ALWAYS


def _allowed_families(mode: SeccompMode) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """(families allowed for `socket`, for `socketpair`); `None` = any, except the `on`-mode VSOCK ban."""
    if mode == "off":
        return (AF_UNIX,), (AF_UNIX,)
    if mode == "proxied":
        return (AF_INET, AF_INET6), (AF_UNIX,)
    return None, None


def _ins(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("=HBBI", code, jt, jf, k)


_Insn: TypeAlias = tuple[int, int, int, int]


def _family_check(allowed: tuple[int, ...] | None) -> list[_Insn]:
    """Instructions run with the syscall number matched: load arg0 (low word) and decide."""
    deny: _Insn = (_RET_K, 0, 0, _RET_ERRNO | _EPERM)
    allow: _Insn = (_RET_K, 0, 0, _RET_ALLOW)
    load: _Insn = (_LD_W_ABS, 0, 0, 16)
    if allowed is None:  # everything but AF_VSOCK
        return [load, (_JEQ_K, 0, 1, AF_VSOCK), deny, allow]
    out: list[_Insn] = [load]
    for i, family in enumerate(allowed):
        remaining = len(allowed) - i - 1
        out.append((_JEQ_K, remaining + 1, 0, family))  # match -> jump to allow
    out += [deny, allow]
    return out


def _userns_block(nr: dict[str, int]) -> list[_Insn]:
    """Refuse new user namespaces: `clone`/`unshare` with CLONE_NEWUSER, and `clone3`.

    `clone3` keeps its flags in memory a filter cannot read; ENOSYS makes libc fall back to `clone`.
    """
    deny: _Insn = (_RET_K, 0, 0, _RET_ERRNO | _EPERM)
    return [
        (_JEQ_K, 0, 1, nr["clone3"]),
        (_RET_K, 0, 0, _RET_ERRNO | _ENOSYS),
        (_JEQ_K, 1, 0, nr["clone"]),
        (_JEQ_K, 0, 4, nr["unshare"]),
        (_LD_W_ABS, 0, 0, 16),
        (_JSET_K, 0, 1, _CLONE_NEWUSER),
        deny,
        (_LD_W_ABS, 0, 0, 0),
    ]


def _utimensat_block(nr: dict[str, int]) -> list[_Insn]:
    """`utimensat` with a path is refused; with a NULL path (`futimens` on an open descriptor) it is allowed."""
    deny: _Insn = (_RET_K, 0, 0, _RET_ERRNO | _EPERM)
    return [
        (_JEQ_K, 0, 6, nr["utimensat"]),
        (_LD_W_ABS, 0, 0, 24),
        (_JEQ_K, 0, 2, 0),
        (_LD_W_ABS, 0, 0, 28),
        (_JEQ_K, 1, 0, 0),
        deny,
        (_LD_W_ABS, 0, 0, 0),
    ]


def program(mode: SeccompMode, machine: str | None = None, *, fallback: bool = False) -> bytes:
    """The filter for `mode` on `machine` (default: this one), as `struct sock_filter` bytes.

    `fallback` is for the Landlock path, which has no mount or user namespace: it also refuses
    new user namespaces and every change of permissions, owners, times (by path) and extended
    attributes, which Landlock does not govern.

    Raises:
        ValueError: an architecture this filter does not know.
    """
    arch = machine or _machine()
    if arch not in _ARCH:
        raise ValueError(f"no seccomp filter for architecture {arch!r}")
    nr = _NR[arch]
    deny: _Insn = (_RET_K, 0, 0, _RET_ERRNO | _EPERM)
    allow: _Insn = (_RET_K, 0, 0, _RET_ALLOW)
    socket_families, pair_families = _allowed_families(mode)
    socket_block = _family_check(socket_families)
    pair_block = _family_check(pair_families)
    names = denied_syscalls(mode) + (_METADATA_CALLS if fallback else ())
    denied = [nr[name] for name in names if name in nr]
    # Layout: header, one JEQ per denied call (-> deny), JEQ socket, JEQ socketpair, allow, deny,
    # socket block, socketpair block.
    head: list[_Insn] = [(_LD_W_ABS, 0, 0, 4), (_JEQ_K, 1, 0, _ARCH[arch]), deny, (_LD_W_ABS, 0, 0, 0)]
    if arch == "x86_64":
        head.append((_JGE_K, 0, 1, _X32_BIT))
        head.append(deny)
    if fallback:
        head += _userns_block(nr) + _utimensat_block(nr)
    n_checks = len(denied) + 2
    body: list[_Insn] = []
    for i, number in enumerate(denied):
        to_deny = n_checks - i - 1 + 1  # skip the remaining checks and the `allow`
        body.append((_JEQ_K, to_deny, 0, number))
    # JEQ socket -> socket block, which starts after: socketpair check, allow, deny.
    body.append((_JEQ_K, 3, 0, nr["socket"]))
    body.append((_JEQ_K, 2 + len(socket_block), 0, nr["socketpair"]))
    body += [allow, deny]
    insns = head + body + socket_block + pair_block
    return b"".join(_ins(*i) for i in insns)

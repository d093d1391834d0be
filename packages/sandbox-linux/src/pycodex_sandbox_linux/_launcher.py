"""Stand-alone launcher for the Landlock fallback: `python -I -S _launcher.py SPEC -- CMD...`.

Runs with the standard library only (it is started with `-I -S`, so it never imports the
package). In order it: closes every descriptor above 2, starts a new session, asks for SIGKILL
when its parent dies, drops every capability (bounding, ambient, effective, permitted,
inheritable), sets `no_new_privs`, applies the Landlock ruleset, loads the seccomp filter, and
`execvp`s the command. Any step that fails stops the launch with exit status 126 and a line on
stderr starting `pycodex-sandbox:`; the command never runs unconfined.

SPEC is `fd:N` (a descriptor to read the JSON from) or the JSON itself: `{"abi": N,
"handled_fs": bits, "rules": [[path, bits], ...], "net": bool, "scoped": bits, "bpf": "<hex>",
"env": {...}}`.
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import sys
from typing import cast

_SYS_LANDLOCK_CREATE_RULESET = 444
_SYS_LANDLOCK_ADD_RULE = 445
_SYS_LANDLOCK_RESTRICT_SELF = 446
_PR_SET_PDEATHSIG = 1
_PR_CAPBSET_DROP = 24
_PR_SET_NO_NEW_PRIVS = 38
_PR_CAP_AMBIENT = 47
_PR_CAP_AMBIENT_CLEAR_ALL = 4
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SYS_CAPSET = {"x86_64": 126, "aarch64": 91}
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
_O_PATH: int = getattr(os, "O_PATH", 0o10000000)
_NET_BIND_TCP = 1
_NET_CONNECT_TCP = 2


class _Fail(Exception):
    pass


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    libc.prctl.restype = ctypes.c_int
    return libc


def _check(result: int, what: str) -> int:
    if result < 0:
        err = ctypes.get_errno()
        raise _Fail(f"{what}: {os.strerror(err)} (errno {err})")
    return result


def _drop_capabilities(libc: ctypes.CDLL) -> None:
    for cap in range(64):
        if libc.prctl(_PR_CAPBSET_DROP, cap, 0, 0, 0) < 0:
            if ctypes.get_errno() == 22:  # EINVAL: past the last capability
                break
            if ctypes.get_errno() != 1:  # EPERM: already unprivileged, nothing to drop
                _check(-1, f"drop capability {cap}")
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = (ctypes.c_uint32 * 2)(_LINUX_CAPABILITY_VERSION_3, 0)
    data = (ctypes.c_uint32 * 6)()
    machine = os.uname().machine
    _check(libc.syscall(_SYS_CAPSET.get(machine, 126), header, data), "capset")


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _landlock(libc: ctypes.CDLL, spec: dict[str, object]) -> None:
    abi = int(str(spec["abi"]))
    attr = _RulesetAttr(int(str(spec["handled_fs"])), 0, 0)
    size = 8
    if abi >= 4 and not spec.get("net"):
        attr.net, size = _NET_BIND_TCP | _NET_CONNECT_TCP, 16
    if abi >= 6:
        attr.scoped, size = int(str(spec.get("scoped", 0))), 24
    fd = _check(libc.syscall(_SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), 0), "landlock")
    rules = cast("list[tuple[str, int]]", spec["rules"])
    for path, bits in rules:
        try:
            path_fd = os.open(str(path), _O_PATH | os.O_CLOEXEC)
        except OSError:
            continue  # vanished since the plan was made: nothing to grant
        rule = _PathBeneath(int(bits), path_fd)
        _check(libc.syscall(_SYS_LANDLOCK_ADD_RULE, fd, 1, ctypes.byref(rule), 0), f"landlock rule {path}")
        os.close(path_fd)
    _check(libc.syscall(_SYS_LANDLOCK_RESTRICT_SELF, fd, 0), "landlock_restrict_self")
    os.close(fd)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


def _seccomp(libc: ctypes.CDLL, bpf: bytes) -> None:
    buf = ctypes.create_string_buffer(bpf, len(bpf))
    prog = _SockFprog(len(bpf) // 8, ctypes.cast(buf, ctypes.c_void_p))
    _check(libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp")


def main(argv: list[str]) -> int:
    """Confine this process as SPEC says and exec the command."""
    if len(argv) < 4 or argv[2] != "--":
        sys.stderr.write("pycodex-sandbox: usage: _launcher.py SPEC -- CMD...\n")
        return 126
    if argv[1].startswith("fd:"):
        with os.fdopen(int(argv[1][3:]), "rb") as source:
            spec = json.loads(source.read())
    else:
        spec = json.loads(argv[1])
    command = argv[3:]
    try:
        os.closerange(3, os.sysconf("SC_OPEN_MAX") if os.sysconf("SC_OPEN_MAX") > 0 else 65536)
        if os.getsid(0) != os.getpid():
            os.setsid()
        libc = _libc()
        _check(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "pdeathsig")
        _drop_capabilities(libc)
        _check(libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
        _landlock(libc, spec)
        _seccomp(libc, bytes.fromhex(str(spec["bpf"])))
    except (_Fail, OSError) as exc:
        sys.stderr.write(f"pycodex-sandbox: cannot confine the command: {exc}\n")
        return 126
    env_set = cast("dict[str, str]", spec.get("env") or {})
    os.environ.update(env_set)
    try:
        os.execvp(command[0], command)
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: {command[0]}: {exc.strerror}\n")
        return 127 if isinstance(exc, FileNotFoundError) else 126


if __name__ == "__main__":
    sys.exit(main(sys.argv))

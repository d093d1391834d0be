"""Stand-alone supervisor of a bubblewrap plan spawned as a plain argv: `python -I -S _supervisor.py SPEC -- BWRAP...`.

Used when the spawner cannot pass descriptors or call `SpawnPlan.close()` (a pty, another
process manager). Standard library only. It takes the shared locks on the protected mount points,
writes the seccomp program to a memfd and appends `--seccomp FD` to the bubblewrap options, runs
bubblewrap (every other descriptor closed), forwards SIGINT/SIGTERM/SIGHUP, and once bubblewrap
has exited removes the mount points no other sandbox still uses. It exits with bubblewrap's status.

SPEC is JSON: `{"registry": dir, "locks": [path, ...], "created": [path, ...], "bpf": "<hex>",
"keep_fds": [fd, ...]}` (`keep_fds`: descriptors bubblewrap must inherit, the proxy bridge).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import hashlib
import json
import os
import signal
import subprocess
import sys


def _key(path: str) -> str:
    return hashlib.sha256(os.fsencode(path)).hexdigest()[:32]


def _lock(registry: str, paths: list[str], created: list[str]) -> dict[str, int]:
    os.makedirs(registry, mode=0o700, exist_ok=True)
    held: dict[str, int] = {}
    for path in dict.fromkeys(paths):
        fd = os.open(
            os.path.join(registry, _key(path) + ".lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600
        )
        fcntl.flock(fd, fcntl.LOCK_SH)
        held[path] = fd
    for path in created:
        with open(os.path.join(registry, _key(path) + ".created"), "wb") as marker:
            marker.write(os.fsencode(path))
    return held


def _release(registry: str, held: dict[str, int]) -> None:
    for path, fd in held.items():
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue
        marker = os.path.join(registry, _key(path) + ".created")
        with contextlib.suppress(OSError):
            if os.path.exists(marker) and os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path):
                os.rmdir(path)
                os.unlink(marker)
        os.close(fd)


def _seccomp_fd(bpf: bytes) -> int:
    if sys.platform != "linux":
        raise OSError("the Linux sandbox runs only on Linux")
    fd = os.memfd_create("pycodex-seccomp", 0)
    os.write(fd, bpf)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def main(argv: list[str]) -> int:
    """Lock, run bubblewrap, clean up, exit with its status."""
    if len(argv) < 4 or argv[2] != "--" or "--" not in argv[3:]:
        sys.stderr.write("pycodex-sandbox: usage: _supervisor.py SPEC -- BWRAP OPTIONS... -- CMD...\n")
        return 126
    spec = json.loads(argv[1])
    bwrap = argv[3:]
    split = bwrap.index("--")
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: go when the agent goes
        held = _lock(spec["registry"], spec["locks"], spec["created"])
        fd = _seccomp_fd(bytes.fromhex(spec["bpf"]))
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: cannot prepare the sandbox: {exc}\n")
        return 126
    command = [*bwrap[:split], "--seccomp", str(fd), *bwrap[split:]]
    try:
        keep = tuple(int(k) for k in spec.get("keep_fds", []))
        child = subprocess.Popen(command, pass_fds=(fd, *keep), close_fds=True)
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: {command[0]}: {exc.strerror}\n")
        _release(spec["registry"], held)
        return 127
    os.close(fd)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _f: child.send_signal(n))
    code = child.wait()
    _release(spec["registry"], held)
    return 128 - code if code < 0 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv))

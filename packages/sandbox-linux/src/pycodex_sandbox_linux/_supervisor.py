"""Stand-alone supervisor of a bubblewrap plan spawned as a plain argv: `python -I -S _supervisor.py SPEC -- BWRAP...`.

Used when the spawner cannot pass descriptors or call `SpawnPlan.close()` (a pty, another
process manager). Standard library only. It takes the shared locks on the protected mount points,
writes the seccomp program to a memfd and appends `--seccomp FD` to the bubblewrap options, runs
bubblewrap (every other descriptor closed first), forwards SIGINT/SIGTERM/SIGHUP, and once
bubblewrap has exited exits with its status, leaving a forked child to remove the mount points no
other sandbox still uses (that waits for the kernel to tear the namespace down).

SPEC is JSON: `{"registry": dir, "locks": [path, ...], "created": [path, ...], "bpf": "<hex>",
"keep_fds": [fd, ...]}` (`keep_fds`: descriptors bubblewrap must inherit, the proxy bridge).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import signal
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


def _recheck(options: list[str], locked: list[str], created: list[str]) -> list[str]:
    """Re-point read-only binds of locked paths that vanished before the locks were taken.

    The plan was built before this process held the locks, so another sandbox may have removed an
    empty mount point since; it becomes a read-only tmpfs again (and this sandbox's to remove).
    """
    out: list[str] = []
    i = 0
    while i < len(options):
        word = options[i]
        if word == "--ro-bind" and i + 2 < len(options) and options[i + 1] in locked:
            path = options[i + 1]
            if not os.path.lexists(path):
                out += ["--perms", "555", "--tmpfs", path, "--remount-ro", path]
                created.append(path)
                i += 3
                continue
        out.append(word)
        i += 1
    return out


def _seccomp_fd(bpf: bytes) -> int:
    if sys.platform != "linux":
        raise OSError("the Linux sandbox runs only on Linux")
    fd = os.memfd_create("pycodex-seccomp", 0)
    os.write(fd, bpf)
    os.lseek(fd, 0, os.SEEK_SET)
    os.set_inheritable(fd, True)
    return fd


def _close_inherited(keep: tuple[int, ...]) -> None:
    """Close every descriptor above 2 except `keep` (the spawner may have left any number open)."""
    last = 3
    for fd in sorted(keep):
        if fd >= last:
            os.closerange(last, fd)
            last = fd + 1
    os.closerange(last, 1 << 20)


def _finish(registry: str, held: dict[str, int], code: int) -> int:
    """Remove the mount points in a child (it waits for the kernel), and return at once."""
    if held and os.fork() == 0:
        try:
            _release(registry, held)
        finally:
            os._exit(0)
    return code


def main(argv: list[str]) -> int:
    """Lock, run bubblewrap, clean up, exit with its status."""
    if len(argv) < 4 or argv[2] != "--" or "--" not in argv[3:]:
        sys.stderr.write("pycodex-sandbox: usage: _supervisor.py SPEC -- BWRAP OPTIONS... -- CMD...\n")
        return 126
    spec = json.loads(argv[1])
    bwrap = argv[3:]
    split = bwrap.index("--")
    keep = tuple(int(k) for k in spec.get("keep_fds", []))
    _close_inherited(keep)
    try:
        created = list(spec["created"])
        held = _lock(spec["registry"], spec["locks"], [])
        options = _recheck(bwrap[1:split], spec["locks"], created)
        _lock(spec["registry"], [], created)  # markers only
        fd = _seccomp_fd(bytes.fromhex(spec["bpf"]))
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: cannot prepare the sandbox: {exc}\n")
        return 126
    command = [bwrap[0], *options, "--seccomp", str(fd), *bwrap[split:]]
    try:
        pid = os.posix_spawn(command[0], command, os.environ)
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: {command[0]}: {exc.strerror}\n")
        return _finish(spec["registry"], held, 127)
    os.close(fd)
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda n, _f: os.kill(pid, n))
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
    return _finish(
        spec["registry"],
        held,
        os.waitstatus_to_exitcode(status) % 256 if os.WIFEXITED(status) else 128 + os.WTERMSIG(status),
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv))

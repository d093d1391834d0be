"""Bookkeeping for mount points bubblewrap creates on the host (protected paths that did not exist).

Each such path has a lock file in a per-user registry. A sandbox holds a shared lock on it for
as long as it runs; when it ends it tries for an exclusive lock, and only when no other
sandbox still uses the path (and the registry says a sandbox made it) removes the empty
directory again. The registry itself is mounted read-only in the sandbox when it lies inside a
writable root.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

__all__ = ["SyntheticTargets", "registry_dir"]


def registry_dir() -> Path:
    """Where the lock files live (created 0700 on first use)."""
    uid = os.geteuid()
    candidates = [Path(f"/run/user/{uid}"), Path("/run") if uid == 0 else None, Path.home() / ".cache"]
    for base in candidates:
        if base is not None and base.is_dir() and os.access(base, os.W_OK):
            return base / f"pycodex-sandbox-mounts-{uid}"
    return Path(os.environ.get("TMPDIR") or "/tmp") / f"pycodex-sandbox-mounts-{uid}"


def _key(path: str) -> str:
    return hashlib.sha256(os.fsencode(path)).hexdigest()[:32]


def _empty_dir(path: str) -> bool:
    try:
        return not os.path.islink(path) and os.path.isdir(path) and not os.listdir(path)
    except OSError:
        return False


class SyntheticTargets:
    """Shared locks on the protected paths of one sandbox that are (or may become) empty mount points."""

    def __init__(self, paths: Sequence[str]) -> None:
        """Take the shared locks for `paths` (waits while another sandbox is removing one of them)."""
        self.registry = registry_dir()
        self.registry.mkdir(mode=0o700, parents=True, exist_ok=True)
        if self.registry.is_symlink():
            raise OSError(f"sandbox mount registry {self.registry} must not be a symbolic link")
        self._held: dict[str, int] = {}
        for path in dict.fromkeys(paths):
            lock = self.registry / f"{_key(path)}.lock"
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC | os.O_NOFOLLOW, 0o600)
            fcntl.flock(fd, fcntl.LOCK_SH)
            self._held[path] = fd

    def mark_created(self, created: Sequence[str]) -> None:
        """Record that bubblewrap will make these mount points now (so the last user removes them)."""
        for path in created:
            (self.registry / f"{_key(path)}.created").write_bytes(os.fsencode(path))

    def release(self) -> None:
        """Drop the locks; remove the empty directories no other sandbox still uses."""
        for path, fd in self._held.items():
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                os.close(fd)
                continue  # another sandbox still has it mounted
            marker = self.registry / f"{_key(path)}.created"
            if marker.exists() and _empty_dir(path):
                with contextlib.suppress(OSError):
                    os.rmdir(path)
                    marker.unlink()
            elif marker.exists() and not os.path.lexists(path):
                marker.unlink(missing_ok=True)
            os.close(fd)
        self._held = {}

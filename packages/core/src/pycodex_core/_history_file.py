"""`history_log_id` / `history_entry_count` of `session_configured`, from `$CODEX_HOME/history.jsonl`.

As Codex computes them: the log id is the file's inode (so a front end can tell a rotated file
from the one it read), the count is the number of lines (one per saved prompt). The file is read
in fixed-size chunks, never whole, and only when it is a regular file (a FIFO or a device there
would block or never end); past `SCAN_LIMIT_BYTES` the count is extrapolated from the part read.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

__all__ = ["SCAN_LIMIT_BYTES", "history_metadata"]

logger = logging.getLogger(__name__)

SCAN_LIMIT_BYTES = 64 * 1024 * 1024
"""The most of the file read to count its lines."""
_CHUNK = 1024 * 1024


def history_metadata(path: Path, *, scan_limit: int = SCAN_LIMIT_BYTES) -> tuple[int, int]:
    """`(log id, entry count)` of the history file at `path`; `(0, 0)` when it is missing or not a regular file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return 0, 0
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return 0, 0
        return info.st_ino, _count_lines(fd, info.st_size, scan_limit)
    except OSError as exc:
        logger.warning("cannot read %s: %s", path, exc)
        return 0, 0
    finally:
        os.close(fd)


def _count_lines(fd: int, size: int, scan_limit: int) -> int:
    count = 0
    read = 0
    while read < scan_limit:
        chunk = os.read(fd, min(_CHUNK, scan_limit - read))
        if not chunk:
            return count
        read += len(chunk)
        count += chunk.count(b"\n")
    if size <= read:
        return count
    logger.warning("history file is %d bytes; its entry count is estimated from the first %d", size, read)
    return count * size // read

"""A write-ahead journal of one patch's file operations, so a crash (even `kill -9`) loses nothing.

Before touching any file, `apply_plan` writes a journal naming every entry it will create, rename
aside or replace, and keeps it locked (`flock`) while it works. A journal whose lock is free belongs
to a process that died: `recover_journals` then finishes the patch (when the crash came after every
new file was fully written, the `COMMIT` mark) or undoes it (otherwise), and removes the journal.

The file format: NUL-terminated fields, `MAGIC`, the pid, then records of four fields (`kind`,
`path`, `temp`, `backup`; kinds `D` delete, `W` replace an existing file, `N` create a file, `M`
create a directory), `END`, then state marks (`COMMIT`, `ROLLBACK`) appended as the work proceeds.
"""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no journal (see docs/apply-patch.md)
    fcntl = None

MAGIC = b"pycodex-apply-patch-journal 1"
JOURNAL_DIR_ENV = "PYCODEX_APPLY_PATCH_JOURNAL_DIR"
"""Environment variable: where journals live (default `$CODEX_HOME/apply_patch/journal`)."""
_SUFFIX = ".journal"
MAX_JOURNAL_BYTES = 256 << 20
"""A journal is a few hundred bytes per file of the patch; anything larger is not ours."""


def default_journal_dir() -> str:
    """`$PYCODEX_APPLY_PATCH_JOURNAL_DIR`, else `$CODEX_HOME/apply_patch/journal` (`~/.codex` by default)."""
    configured = os.environ.get(JOURNAL_DIR_ENV)
    if configured:
        return configured
    home = os.environ.get("CODEX_HOME") or os.path.join(os.path.expanduser("~"), ".codex")
    return os.path.join(home, "apply_patch", "journal")


class Record:
    """One journalled operation."""

    __slots__ = ("backup", "kind", "path", "temp")

    def __init__(self, kind: str, path: str, temp: str = "", backup: str = "") -> None:
        self.kind = kind
        """`D` delete, `W` replace an existing file, `N` create a file, `M` create a directory."""
        self.path = path
        self.temp = temp
        """The new content's temporary file, next to `path` (`W`, `N`)."""
        self.backup = backup
        """Where the old entry is kept until the end: renamed there (`D`) or hard-linked (`W`; may be empty)."""


class Journal:
    """An open, locked journal file."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self.fd = fd

    @classmethod
    def create(cls, directory: str, records: list[Record]) -> Journal | None:
        """Write and lock a journal for `records`; None where journals are not supported.

        Raises:
            OSError: The journal could not be written.
        """
        if fcntl is None:
            return None
        os.makedirs(directory, mode=0o700, exist_ok=True)
        stem = os.path.join(directory, f"{os.getpid()}.{os.urandom(6).hex()}")
        fd = os.open(stem + ".tmp", os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _write_all(fd, encode(records))
            os.rename(stem + ".tmp", stem + _SUFFIX)  # only a complete journal carries the suffix
        except BaseException:
            os.close(fd)
            _unlink_quietly(stem + ".tmp")
            raise
        return cls(stem + _SUFFIX, fd)

    def mark(self, state: bytes) -> None:
        """Append a state mark (`COMMIT` or `ROLLBACK`)."""
        _write_all(self.fd, state + b"\0")

    def close(self) -> None:
        """Remove the journal: the patch is complete (or fully undone)."""
        _unlink_quietly(self.path)
        os.close(self.fd)


def encode(records: list[Record]) -> bytes:
    """The journal's bytes for `records` (without state marks)."""
    fields = [MAGIC, str(os.getpid()).encode()]
    for record in records:
        fields += [record.kind.encode(), os.fsencode(record.path), os.fsencode(record.temp), os.fsencode(record.backup)]
    fields.append(b"END")
    return b"\0".join(fields) + b"\0"


def decode(data: bytes) -> tuple[list[Record], str] | None:
    """Records and final state (`prepare`, `commit` or `rollback`) of a journal; None if it is damaged."""
    fields = data.split(b"\0")
    if len(fields) < 4 or fields[0] != MAGIC:
        return None
    try:
        end = fields.index(b"END", 2)
    except ValueError:
        return None
    body = fields[2:end]
    if len(body) % 4:
        return None
    records = [
        Record(body[k].decode("ascii", "replace"), *(os.fsdecode(part) for part in body[k + 1 : k + 4]))
        for k in range(0, len(body), 4)
    ]
    if not all(map(_plausible, records)):
        return None
    marks = [field for field in fields[end + 1 :] if field in (b"COMMIT", b"ROLLBACK")]
    state = "prepare" if not marks else ("rollback" if b"ROLLBACK" in marks else "commit")
    return records, state


def _is_ours(name: str, path: str) -> bool:
    """A temporary or backup name that `apply_plan` gives: `.ap.*` next to the file it belongs to."""
    return os.path.dirname(name) == os.path.dirname(path) and os.path.basename(name).startswith(".ap.")


def _plausible(record: Record) -> bool:
    """Refuse a journal that would have recovery move or remove anything but its own entries."""
    if not os.path.isabs(record.path):
        return False
    temp_ok = _is_ours(record.temp, record.path)
    backup_ok = _is_ours(record.backup, record.path)
    if record.kind == "D":
        return backup_ok and not record.temp
    if record.kind == "W":
        return temp_ok and (backup_ok or not record.backup)
    if record.kind == "N":
        return temp_ok and not record.backup
    return record.kind == "M" and not record.temp and not record.backup


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _unlink_quietly(path: str) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass


def stale_journals(directory: str) -> Iterator[tuple[str, int]]:
    """Yield `(path, locked fd)` for each journal whose writer is gone; the caller closes the fd."""
    if fcntl is None:
        return
    try:
        names = sorted(os.listdir(directory))
    except OSError:
        return
    for name in names:
        if not name.endswith((_SUFFIX, ".tmp")):
            continue
        path = os.path.join(directory, name)
        flags = os.O_RDWR | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags)
        except OSError:
            continue
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_JOURNAL_BYTES:
                raise OSError("not a journal")  # a FIFO, a device, or far too big: never read
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if os.stat(path, follow_symlinks=False).st_ino != os.fstat(fd).st_ino:
                raise OSError("journal replaced")  # another recovery finished it
        except OSError:
            os.close(fd)
            continue
        if name.endswith(".tmp"):  # died before the journal was complete: nothing was touched yet
            _unlink_quietly(path)
            os.close(fd)
            continue
        yield path, fd

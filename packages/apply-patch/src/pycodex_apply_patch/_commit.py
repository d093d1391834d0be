"""Carry out a verified plan all-or-nothing, journalled so that a crash is rolled back or forward later.

Order: a journal names every entry to touch; deleted entries are renamed aside; missing directories
are made; every new content goes to a temporary file next to its target and each file to replace
gets a hard-linked backup; the journal is marked `COMMIT`; the temporaries are renamed over their
targets; backups and the journal are removed. A failure undoes everything in process; a crash is
undone (before `COMMIT`) or finished (after it) by `recover_journals`.
"""

from __future__ import annotations

import itertools
import os

from ._errors import PatchIOError
from ._journal import Journal, Record, decode, default_journal_dir, stale_journals
from ._types import PatchPlan, PatchResult, WriteOp, os_error_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
PAUSE_ENV = "PYCODEX_APPLY_PATCH_PAUSE_AFTER"
"""Test hook: after this many file-system steps, print a line on stderr and wait to be killed."""
_serial = itertools.count()


def _free_name(head: str, suffix: str) -> str:
    # Short names (`.ap.<pid>.<n>`): a target name near NAME_MAX must not make its temporary too long.
    pid = os.getpid()
    while True:
        name = os.path.join(head, f".ap.{pid}.{next(_serial)}{suffix}")
        if not os.path.lexists(name):
            return name


def _records(plan: PatchPlan) -> list[Record]:
    """Name every temporary, backup and new directory the plan needs, in the order they are made."""
    deletes: list[Record] = []
    dirs: list[Record] = []
    writes: list[Record] = []
    seen: set[str] = set()
    for op in plan.ops:
        head = os.path.dirname(op.path)
        if op.data is None:
            deletes.append(Record("D", op.path, "", _free_name(head, ".bak")))
            continue
        existing = op.snapshot.kind != "missing"
        backup = _free_name(head, ".bak") if existing else ""
        writes.append(Record("W" if existing else "N", op.path, _free_name(head, ".tmp"), backup))
        missing: list[str] = []
        while head and head not in seen and not os.path.isdir(head):
            seen.add(head)
            missing.append(head)
            head = os.path.dirname(head)
        dirs += [Record("M", directory) for directory in reversed(missing)]
    return deletes + dirs + writes


def _write_new(path: str, data: bytes, mode: int | None, owner: tuple[int, int] | None) -> None:
    fd = os.open(path, _FLAGS, 0o666)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        if owner is not None:
            os.fchown(fd, *owner)
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def _owner(op: WriteOp) -> tuple[int, int] | None:
    snap = op.snapshot
    if snap.kind == "file" and snap.uid >= 0 and hasattr(os, "geteuid") and os.geteuid() == 0:
        return snap.uid, snap.gid
    return None


def undo(records: list[Record], placed: bool, restore: Callable[[Record], None] | None = None) -> list[str]:
    """Put back what the records' patch changed; return what could not be restored.

    Idempotent: each step first looks at what is on disk. `placed`: renames over targets may have
    happened (the `ROLLBACK` state); `restore` rewrites a replaced file that has no backup.
    """
    problems: list[str] = []
    writes = [record for record in records if record.kind in "WN"]
    if placed:
        for record in reversed(writes):
            if os.path.lexists(record.temp):
                continue  # never renamed into place
            if record.kind == "N":
                _quietly(os.unlink, record.path)
            elif record.backup and os.path.lexists(record.backup):
                _quietly(os.replace, record.backup, record.path)
            elif restore is not None:
                _quietly(restore, record)
            else:
                problems.append(f"{record.path}: no backup left; it keeps the patched content")
    for record in writes:
        for leftover in (record.temp, record.backup):
            if leftover and os.path.lexists(leftover):
                _quietly(os.unlink, leftover)
    for record in reversed(records):
        if record.kind == "M":
            _quietly(os.rmdir, record.path)
    # Deleted entries last: a directory made by this patch may sit where one of them was.
    for record in reversed(records):
        if record.kind == "D" and os.path.lexists(record.backup) and not os.path.lexists(record.path):
            _quietly(os.rename, record.backup, record.path)
    return problems


def redo(records: list[Record]) -> None:
    """Finish a patch whose new contents were all written (the `COMMIT` state)."""
    for record in records:
        if record.kind in "WN" and os.path.lexists(record.temp):
            _quietly(os.replace, record.temp, record.path)
    for record in records:
        if record.kind in "DW" and record.backup and os.path.lexists(record.backup):
            _quietly(os.unlink, record.backup)


class _Transaction:
    """One apply: the records, the journal, and how far it got."""

    def __init__(self, plan: PatchPlan, records: list[Record], journal: Journal | None) -> None:
        self.ops = {op.path: op for op in plan.ops}
        self.records = records
        self.journal = journal
        self.current = plan.ops[0] if plan.ops else None
        self.placing = False
        self.steps = 0
        pause = os.environ.get(PAUSE_ENV, "")
        self.pause_after = int(pause) if pause.isdigit() else -1

    def step(self) -> None:
        self.steps += 1
        if self.steps == self.pause_after:
            import time

            os.write(2, f"apply_patch: paused after {self.steps} steps\n".encode())
            while True:  # the test kills the process here
                time.sleep(3600)

    def prepare(self) -> None:
        for record in self.records:
            op = self.ops.get(record.path) if record.kind != "M" else None
            if op is not None:
                self.current = op
            if record.kind == "D":
                os.rename(record.path, record.backup)
            elif record.kind == "M":
                os.mkdir(record.path)
            else:
                assert op is not None and op.data is not None
                _write_new(record.temp, op.data, op.mode, _owner(op))
            self.step()
        for record in self.records:
            if record.kind == "W":
                self.current = self.ops[record.path]
                try:
                    os.link(record.path, record.backup)
                except OSError:
                    if self.current.snapshot.data is None:
                        raise
                    record.backup = ""  # restored from the bytes read while planning, if need be
                self.step()

    def place(self) -> None:
        if self.journal is not None:
            self.journal.mark(b"COMMIT")
            self.step()
        self.placing = True
        for record in self.records:
            if record.kind in "WN":
                self.current = self.ops[record.path]
                os.replace(record.temp, record.path)
                self.step()

    def finish(self) -> None:
        for record in self.records:
            if record.kind in "DW" and record.backup:
                _quietly(os.unlink, record.backup)
                self.step()
        if self.journal is not None:
            self.journal.close()

    def rollback(self) -> None:
        if self.placing and self.journal is not None:
            _quietly(self.journal.mark, b"ROLLBACK")
        undo(self.records, self.placing, self._restore_bytes)
        if self.journal is not None:
            self.journal.close()

    def _restore_bytes(self, record: Record) -> None:
        op = self.ops[record.path]
        temp = _free_name(os.path.dirname(record.path), ".tmp")
        _write_new(temp, op.snapshot.data or b"", op.snapshot.mode, _owner(op))
        os.replace(temp, record.path)


def _logger() -> logging.Logger:
    # `logging` costs more to import than the whole patch run; load it only when there is something to log.
    import logging

    return logging.getLogger(__name__)


def _quietly(action: Callable[..., object], *args: object) -> None:
    try:
        action(*args)
    except OSError:
        _logger().warning("apply_patch undo step %s%r failed", getattr(action, "__name__", action), args)


def _open_journal(directory: str, records: list[Record]) -> Journal | None:
    try:
        return Journal.create(directory, records)
    except OSError as error:
        _logger().warning("apply_patch: no journal in %s (%s); a crash now would need manual repair", directory, error)
        return None


def _check_unchanged(plan: PatchPlan) -> None:
    """Refuse a plan whose files, or the directories leading to them, changed since `plan_patch`.

    A directory swapped for a symlink since then (by a process running beside the agent) would
    lead the writes somewhere that was never checked against the writable roots.
    """
    directories: set[str] = set()
    for op in plan.ops:
        head = os.path.dirname(op.path)
        moved = head not in directories and os.path.realpath(head) != head
        directories.add(head)
        if moved or not op.snapshot.still_current(op.path):
            raise PatchIOError(f"{op.display} changed since the patch was verified; nothing was written", op.display)


def apply_plan(plan: PatchPlan, *, journal_dir: str | os.PathLike[str] | None = None) -> PatchResult:
    """Write a verified plan to disk, all or nothing, even across a crash.

    Stale journals of crashed runs in `journal_dir` are recovered first (see `recover_journals`).
    Files that changed on disk since `plan_patch` stop the apply before anything is written. If a
    step fails, everything done so far is undone and no file is changed; if the process dies, the
    next run (or `recover_journals`) completes or undoes the patch from its journal.

    Args:
        plan: The result of `plan_patch`.
        journal_dir: Where the journal lives (default: `default_journal_dir()`).

    Returns:
        The result, whose `summary()` is Codex's success text.

    Raises:
        PatchIOError: A file changed since planning, or a write/rename/removal failed (after rollback).
    """
    directory = os.fspath(journal_dir) if journal_dir is not None else default_journal_dir()
    recover_journals(directory)
    _check_unchanged(plan)
    records = _records(plan)
    tx = _Transaction(plan, records, _open_journal(directory, records) if records else None)
    try:
        tx.prepare()
        tx.place()
    except OSError as error:
        tx.rollback()
        assert tx.current is not None
        verb = "write file" if tx.current.data is not None else "delete file"
        raise PatchIOError(
            f"Failed to {verb} {tx.current.display}: {os_error_text(error)} (no file was changed)", tx.current.display
        ) from error
    except BaseException:
        tx.rollback()
        raise
    tx.finish()
    return PatchResult(plan)


class JournalRecovery:
    """What `recover_journals` did with one journal left by a crashed run."""

    __slots__ = ("action", "journal", "paths", "problems")

    def __init__(self, journal: str, action: str, paths: tuple[str, ...], problems: tuple[str, ...]) -> None:
        self.journal = journal
        """The journal file (now removed, unless it was damaged)."""
        self.action = action
        """`rolled back` (the crash came before every new file was written), `rolled forward`, or `damaged`."""
        self.paths = paths
        """The files and directories the patch touches."""
        self.problems = problems
        """Steps that could not be done (empty when the files are as before or as after the patch)."""

    def __repr__(self) -> str:
        return f"JournalRecovery({self.journal!r}, action={self.action!r}, paths={len(self.paths)})"


def recover_journals(journal_dir: str | os.PathLike[str] | None = None) -> list[JournalRecovery]:
    """Complete or undo every patch whose process died mid-apply, and remove its journal.

    Journals still locked by a live process are left alone. Safe to call at any time, from any
    process (the `codex doctor` command does).

    Args:
        journal_dir: The journal directory (default: `default_journal_dir()`).

    Returns:
        One entry per journal found and handled (empty when there was nothing to recover).
    """
    directory = os.fspath(journal_dir) if journal_dir is not None else default_journal_dir()
    done: list[JournalRecovery] = []
    for path, fd in stale_journals(directory):
        try:
            chunks: list[bytes] = []
            while chunk := os.read(fd, 1 << 20):
                chunks.append(chunk)
            decoded = decode(b"".join(chunks))
            if decoded is None:
                done.append(JournalRecovery(path, "damaged", (), ("unreadable journal, left in place",)))
                continue
            records, state = decoded
            problems: list[str] = []
            if state == "commit":
                redo(records)
            else:
                problems = undo(records, placed=state == "rollback")
            action = "rolled forward" if state == "commit" else "rolled back"
            done.append(JournalRecovery(path, action, tuple(r.path for r in records), tuple(problems)))
            os.unlink(path)
        except OSError as error:
            done.append(JournalRecovery(path, "damaged", (), (os_error_text(error),)))
        finally:
            os.close(fd)
    return done

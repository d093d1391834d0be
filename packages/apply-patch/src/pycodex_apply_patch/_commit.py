"""Carry out a verified plan all-or-nothing: deletions aside, temp files, then renames; rolled back on failure."""

from __future__ import annotations

import os

from ._errors import PatchIOError
from ._types import PatchPlan, PatchResult, WriteOp, os_error_text

TYPE_CHECKING = False
if TYPE_CHECKING:
    import logging
    from collections.abc import Callable

_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)


class _Transaction:
    """Tracks everything done so far so that it can be undone."""

    def __init__(self) -> None:
        self.created_dirs: list[str] = []
        self.temps: dict[str, str] = {}
        self.backups: list[tuple[str, str | None, WriteOp]] = []
        self.removed: list[tuple[str, str]] = []
        self.placed: list[str] = []

    def make_parents(self, path: str) -> None:
        missing: list[str] = []
        parent = os.path.dirname(path)
        while parent and not os.path.isdir(parent):
            missing.append(parent)
            parent = os.path.dirname(parent)
        for directory in reversed(missing):
            os.mkdir(directory)
            self.created_dirs.append(directory)

    def write_temp(self, op: WriteOp) -> None:
        assert op.data is not None
        head = os.path.dirname(op.path)
        for attempt in range(100):
            # Short fixed-length names: a target name near NAME_MAX must not make its temporary too long.
            temp = os.path.join(head, f".ap.{os.getpid()}.{attempt}.tmp")
            try:
                fd = os.open(temp, _FLAGS, 0o666)
            except FileExistsError:
                continue
            break
        else:
            raise FileExistsError(f"no free temporary name next to {op.path}")
        self.temps[op.path] = temp
        try:
            if op.mode is not None:
                os.fchmod(fd, op.mode)
            snap = op.snapshot
            if snap.kind == "file" and snap.uid >= 0 and hasattr(os, "geteuid") and os.geteuid() == 0:
                os.fchown(fd, snap.uid, snap.gid)
            view = memoryview(op.data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def backup(self, path: str) -> str:
        """Keep the current entry at `path` reachable under a temporary name (a hard link, or a rename)."""
        head = os.path.dirname(path)
        for attempt in range(100):
            backup = os.path.join(head, f".ap.{os.getpid()}.{attempt}.bak")
            if not os.path.lexists(backup):
                return backup
        raise FileExistsError(f"no free backup name next to {path}")

    def remove(self, op: WriteOp) -> None:
        """Move a deleted entry aside under a backup name (undone by `rollback`, dropped by `commit`)."""
        backup = self.backup(op.path)
        os.rename(op.path, backup)
        self.removed.append((op.path, backup))

    def place(self, op: WriteOp) -> None:
        assert op.data is not None
        if op.snapshot.kind != "missing":
            backup = self.backup(op.path)
            try:
                os.link(op.path, backup)
            except OSError:
                if op.snapshot.data is None:
                    raise
                self.backups.append((op.path, None, op))  # restore from the bytes read while planning
            else:
                self.backups.append((op.path, backup, op))
        os.replace(self.temps[op.path], op.path)
        del self.temps[op.path]
        self.placed.append(op.path)

    def rollback(self) -> None:
        restored = {path for path, _, _ in self.backups}
        for path in reversed(self.placed):
            if path not in restored:
                _quietly(os.unlink, path)
        for path, backup, op in reversed(self.backups):
            if backup is not None:
                _quietly(os.replace, backup, path)
                if os.path.lexists(backup):  # rename() between two links of one file does nothing
                    _quietly(os.unlink, backup)
            else:
                _quietly(_restore_bytes, self, op)
        self.cleanup_temps()
        for directory in reversed(self.created_dirs):
            _quietly(os.rmdir, directory)
        # Deleted entries last: a directory created by this patch may sit where one of them was.
        for path, backup in reversed(self.removed):
            _quietly(os.rename, backup, path)

    def cleanup_temps(self) -> None:
        for temp in self.temps.values():
            _quietly(os.unlink, temp)
        self.temps.clear()

    def commit(self) -> None:
        for _, backup, _ in self.backups:
            if backup is not None:
                _quietly(os.unlink, backup)
        for _, backup in self.removed:
            _quietly(os.unlink, backup)


def _restore_bytes(tx: _Transaction, op: WriteOp) -> None:
    original = WriteOp(op.path, op.display, op.snapshot.data, op.snapshot.mode, op.snapshot)
    tx.write_temp(original)
    os.replace(tx.temps.pop(op.path), op.path)


def _logger() -> logging.Logger:
    # `logging` costs more to import than the whole patch run; load it only when there is something to log.
    import logging

    return logging.getLogger(__name__)


def _quietly(action: Callable[..., object], *args: object) -> None:
    try:
        action(*args)
    except OSError:
        _logger().warning("apply_patch rollback step %s%r failed", getattr(action, "__name__", action), args)


def apply_plan(plan: PatchPlan) -> PatchResult:
    """Write a verified plan to disk, all or nothing.

    Deleted files are first renamed aside (so a new directory may take their place), then every new
    file content is written to a temporary file in the target's directory (mode and owner copied
    from the original); only then are the temporaries renamed over their targets. If anything
    fails, everything done so far is undone and no file is changed.
    Files that changed on disk since `plan_patch` stop the apply before anything is written.

    Args:
        plan: The result of `plan_patch`.

    Returns:
        The result, whose `summary()` is Codex's success text.

    Raises:
        PatchIOError: A file changed since planning, or a write/rename/removal failed (after rollback).
    """
    for op in plan.ops:
        if not op.snapshot.still_current(op.path):
            raise PatchIOError(f"{op.display} changed since the patch was verified; nothing was written", op.display)
    tx = _Transaction()
    current: WriteOp | None = None
    try:
        # Deletions first (renamed aside, so reversible): a deleted file may be where a new directory goes.
        for current in plan.ops:
            if current.data is None:
                tx.remove(current)
        for current in plan.ops:
            if current.data is not None:
                tx.make_parents(current.path)
                tx.write_temp(current)
        for current in plan.ops:
            if current.data is not None:
                tx.place(current)
    except OSError as error:
        tx.rollback()
        assert current is not None
        verb = "write file" if current.data is not None else "delete file"
        raise PatchIOError(
            f"Failed to {verb} {current.display}: {os_error_text(error)} (no file was changed)", current.display
        ) from error
    except BaseException:
        tx.rollback()
        raise
    tx.commit()
    return PatchResult(plan)

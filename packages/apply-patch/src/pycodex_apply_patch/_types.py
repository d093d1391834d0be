"""Value types shared by planning and applying: file snapshots, planned writes, plans and results."""

from __future__ import annotations

import os
import stat

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Literal

    from ._parser import Patch

    ChangeKind = Literal["add", "delete", "update"]


def os_error_text(error: OSError) -> str:
    """Format an OSError like Rust's `io::Error` Display: `No such file or directory (os error 2)`."""
    if error.errno is None:
        return str(error)
    return f"{os.strerror(error.errno)} (os error {error.errno})"


_READ_FLAGS = (
    os.O_RDONLY
    | getattr(os, "O_NOFOLLOW", 0)
    | getattr(os, "O_NONBLOCK", 0)
    | getattr(os, "O_CLOEXEC", 0)
    | getattr(os, "O_BINARY", 0)
)


class _NotRegularError(Exception):
    """The entry is no longer a regular file (swapped after `lstat`)."""


def _read_regular(path: str) -> bytes:
    """Read a regular file without following a final symlink or blocking on a FIFO or device."""
    fd = os.open(path, _READ_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _NotRegularError(path)
        chunks: list[bytes] = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


class Snapshot:
    """What was at a path when the patch was verified."""

    __slots__ = ("data", "error", "gid", "kind", "link", "mode", "signature", "uid")

    def __init__(self) -> None:
        self.kind = "missing"
        """One of "missing", "file", "symlink", "dir", "other"."""
        self.data: bytes | None = None
        self.mode: int | None = None
        self.uid = -1
        self.gid = -1
        self.error: str | None = None
        self.signature: tuple[int, int, int, int] | None = None
        self.link: str | None = None
        """A symlink's target text (the link is never followed to read it)."""

    @classmethod
    def take(cls, path: str) -> Snapshot:
        """Record the entry at `path` (not following a final symlink) and read a regular file's bytes."""
        snap = cls()
        try:
            info = os.lstat(path)
        except (FileNotFoundError, NotADirectoryError):
            return snap
        except OSError as error:
            snap.kind, snap.error = "other", os_error_text(error)
            return snap
        snap.signature = (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns)
        snap.mode, snap.uid, snap.gid = stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid
        if stat.S_ISDIR(info.st_mode):
            snap.kind, snap.error = "dir", "Is a directory (os error 21)"
        elif stat.S_ISLNK(info.st_mode):
            snap.kind = "symlink"
            try:
                snap.link = os.readlink(path)
            except OSError as error:
                snap.error = os_error_text(error)
        elif stat.S_ISREG(info.st_mode):
            snap.kind = "file"
            try:
                snap.data = _read_regular(path)
            except OSError as error:
                snap.error = os_error_text(error)
            except _NotRegularError:
                snap.kind, snap.error = "other", "not a regular file"
        else:
            snap.kind, snap.error = "other", "not a regular file"
        return snap

    def still_current(self, path: str) -> bool:
        """True when `path` still looks like it did when the snapshot was taken."""
        try:
            info = os.lstat(path)
        except OSError:
            return self.signature is None
        return self.signature == (info.st_mode, info.st_ino, info.st_size, info.st_mtime_ns)


class WriteOp:
    """One planned file-system change: write `data` to `path`, or remove `path` when `data` is None."""

    __slots__ = ("data", "display", "mode", "path", "snapshot")

    def __init__(self, path: str, display: str, data: bytes | None, mode: int | None, snapshot: Snapshot) -> None:
        self.path = path
        """Absolute path with symlinks resolved."""
        self.display = display
        """The path as Codex would print it (cwd joined with the patch's path)."""
        self.data = data
        self.mode = mode
        """Permission bits to give the file (None: the default for a new file)."""
        self.snapshot = snapshot


class FileChangeSpec:
    """The net change a plan makes to one file (Codex's `ApplyPatchFileChange`)."""

    __slots__ = ("_diff", "_move_display", "_path_display", "kind", "new_bytes", "old_bytes")

    def __init__(
        self,
        kind: ChangeKind,
        path: str,
        move_path: str | None,
        old_bytes: bytes | None,
        new_bytes: bytes | None,
    ) -> None:
        self.kind: ChangeKind = kind
        """"add", "delete" or "update"."""
        self._path_display = path
        self._move_display = move_path
        self.old_bytes = old_bytes
        """The file's bytes before the patch (None for an added file)."""
        self.new_bytes = new_bytes
        """The file's bytes after the patch (None for a deleted file)."""
        self._diff: str | None = None

    @property
    def path(self) -> Path:
        """Absolute path of the file (the source, for a rename)."""
        from pathlib import Path

        return Path(self._path_display)

    @property
    def move_path(self) -> Path | None:
        """Absolute destination of a `*** Move to:`, else None."""
        from pathlib import Path

        return None if self._move_display is None else Path(self._move_display)

    @property
    def old_content(self) -> str | None:
        """Text before the patch; bytes that are not UTF-8 appear as lone surrogates (`surrogateescape`)."""
        return None if self.old_bytes is None else _decode(self.old_bytes)

    @property
    def new_content(self) -> str | None:
        """Text after the patch; bytes that are not UTF-8 appear as lone surrogates (`surrogateescape`)."""
        return None if self.new_bytes is None else _decode(self.new_bytes)

    @property
    def unified_diff(self) -> str:
        """Unified diff (one line of context, no `---`/`+++` header) from the old to the new text."""
        if self._diff is None:
            from ._diff import unified_diff

            self._diff = unified_diff(self.old_content or "", self.new_content or "")
        return self._diff

    def to_wire(self) -> dict[str, str | None]:
        """The protocol `FileChange` dict.

        `{type: "add", content}`, `{type: "delete", content}` or `{type: "update", unified_diff, move_path}`.
        """
        if self.kind == "update":
            return {"type": "update", "unified_diff": self.unified_diff, "move_path": self._move_display}
        data = self.new_bytes if self.kind == "add" else self.old_bytes
        return {"type": self.kind, "content": (data or b"").decode("utf-8", "replace")}

    def __repr__(self) -> str:
        move = f", move_path={self._move_display!r}" if self._move_display else ""
        return f"FileChangeSpec(kind={self.kind!r}, path={self._path_display!r}{move})"


def _decode(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


def format_summary(added: tuple[str, ...], modified: tuple[str, ...], deleted: tuple[str, ...]) -> str:
    """Codex's success text: `Success. Updated the following files:` then `A`/`M`/`D` lines."""
    lines = ["Success. Updated the following files:"]
    lines += [f"A {path}" for path in added]
    lines += [f"M {path}" for path in modified]
    lines += [f"D {path}" for path in deleted]
    return "\n".join(lines) + "\n"


class PatchPlan:
    """A verified patch: what every file will become. Nothing has been written yet.

    Build it with `plan_patch`; carry it out with `apply_plan`.
    """

    def __init__(
        self,
        *,
        patch: Patch,
        cwd: str,
        writable_roots: tuple[str, ...],
        read_only_subpaths: tuple[str, ...] = (),
        changes: list[FileChangeSpec],
        ops: tuple[WriteOp, ...],
        added: tuple[str, ...],
        modified: tuple[str, ...],
        deleted: tuple[str, ...],
    ) -> None:
        self.patch = patch
        """The parsed patch."""
        self.cwd = cwd
        """The directory relative paths were resolved against."""
        self.writable_roots = writable_roots
        """The writable roots, resolved."""
        self.read_only_subpaths = read_only_subpaths
        """Paths inside the roots that stay read-only (each as given and resolved)."""
        self.change_list = changes
        """The per-file changes in patch order."""
        self.ops = ops
        """The file-system operations `apply_plan` performs."""
        self.added = added
        """Paths of `*** Add File:` hunks, as written in the patch."""
        self.modified = modified
        """Paths of `*** Update File:` hunks (the destination for a move), as written."""
        self.deleted = deleted
        """Paths of `*** Delete File:` hunks, as written."""

    @property
    def changes(self) -> dict[Path, FileChangeSpec]:
        """The per-file changes keyed by absolute path (the source path for a rename)."""
        return {spec.path: spec for spec in self.change_list}

    def summary(self) -> str:
        """The success text Codex prints once this plan is applied."""
        return format_summary(self.added, self.modified, self.deleted)


class PatchResult:
    """What `apply_plan` did."""

    def __init__(self, plan: PatchPlan) -> None:
        self.plan = plan
        """The plan that was applied."""

    @property
    def added(self) -> list[Path]:
        """Added files, as written in the patch."""
        from pathlib import Path

        return [Path(path) for path in self.plan.added]

    @property
    def modified(self) -> list[Path]:
        """Updated files (the destination for a move), as written in the patch."""
        from pathlib import Path

        return [Path(path) for path in self.plan.modified]

    @property
    def deleted(self) -> list[Path]:
        """Deleted files, as written in the patch."""
        from pathlib import Path

        return [Path(path) for path in self.plan.deleted]

    def summary(self) -> str:
        """Codex's text: `Success. Updated the following files:` then one `A`/`M`/`D path` line each."""
        return self.plan.summary()

    def __repr__(self) -> str:
        return f"PatchResult(added={self.plan.added!r}, modified={self.plan.modified!r}, deleted={self.plan.deleted!r})"

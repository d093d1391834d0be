"""Verify a whole patch against the file system and compute every file's new bytes, writing nothing."""

from __future__ import annotations

import os

from ._errors import PatchConflictError, PatchIOError, PathNotAllowedError, ProtectedPathError
from ._parser import AddFile, DeleteFile, Patch, UpdateChunk, UpdateFile
from ._roots import ResolvedRoots, WritableRoot
from ._seek import LineIndex, seek_in
from ._text import TextFile
from ._types import FileChangeSpec, PatchPlan, Snapshot, WriteOp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence


class _Content:
    """A file's content in the virtual file system: parsed text and/or raw bytes, plus its mode."""

    __slots__ = ("data", "mode", "text")

    def __init__(self, text: TextFile | None, data: bytes | None, mode: int | None) -> None:
        self.text = text
        self.data = data
        self.mode = mode

    def as_text(self) -> TextFile:
        if self.text is None:
            self.text = TextFile.from_bytes(self.data or b"")
        return self.text

    def as_bytes(self, path: str) -> bytes:
        if self.data is None:
            self.data = self.as_text().to_bytes(path)
        return self.data


class _Planner:
    """Runs the hunks in order against an overlay of the file system (Codex applies them one by one)."""

    def __init__(self, cwd: str, roots: ResolvedRoots) -> None:
        self.cwd = cwd
        self.roots = roots
        self.snapshots: dict[str, Snapshot] = {}
        self.current: dict[str, _Content | None] = {}
        self.display: dict[str, str] = {}
        self.moves: dict[str, str] = {}
        self.read_from: dict[str, str] = {}
        self.added: list[str] = []
        self.modified: list[str] = []
        self.deleted: list[str] = []

    # -- paths ---------------------------------------------------------------------------------
    def _check_allowed(self, key: str, display: str) -> None:
        if not self.roots.inside(key):
            raise PathNotAllowedError(
                f"Refusing to write {display}: it resolves to {key}, "
                f"outside the writable roots ({', '.join(self.roots.roots)})",
                display,
            )
        protected = self.roots.read_only_match(key, os.path.normpath(display))
        if protected is not None:
            raise ProtectedPathError(
                f"Refusing to write {display}: {protected} is read-only inside the writable roots", display, protected
            )

    def _write_key(self, path: str) -> tuple[str, str]:
        """Key of a path that will be written: every symlink resolved (a write follows them)."""
        display = os.path.join(self.cwd, path)
        key = os.path.realpath(display)
        self._check_allowed(key, display)
        self.display.setdefault(key, display)
        return key, display

    def _delete_key(self, path: str) -> tuple[str, str]:
        """Key of a path that will be removed: the directory resolved, the last component kept.

        No lexical normalisation first: `lnk/../x` goes up from where `lnk` points, as the OS does.
        """
        display = os.path.join(self.cwd, path)
        head, name = os.path.split(display)
        if name in ("", os.curdir, os.pardir):
            key = os.path.realpath(display)
        else:
            key = os.path.join(os.path.realpath(head), name)
        self._check_allowed(key, display)
        self.display.setdefault(key, display)
        return key, display

    # -- virtual file system -------------------------------------------------------------------
    def _snapshot(self, key: str) -> Snapshot:
        found = self.snapshots.get(key)
        if found is None:
            found = self.snapshots[key] = Snapshot.take(key)
        return found

    def _state(self, key: str) -> _Content | None | str:
        """Current content, None when absent, or "dir"/"other" for what cannot be read as a file."""
        if key in self.current:
            return self.current[key]
        snap = self._snapshot(key)
        if snap.data is not None:
            return _Content(None, snap.data, snap.mode)
        return None if snap.kind == "missing" else snap.kind

    def _check_parents(self, key: str, display: str) -> None:
        parent = os.path.dirname(key)
        while parent and parent != os.path.dirname(parent):
            if parent in self.current:
                if self.current[parent] is not None:
                    break  # a file of this patch sits where a directory is needed
                parent = os.path.dirname(parent)
                continue
            if os.path.isdir(parent):
                return
            if os.path.lexists(parent):
                break
            parent = os.path.dirname(parent)
        else:
            return
        raise PatchIOError(f"Failed to write file {display}", display)

    def _put(self, key: str, display: str, content: _Content) -> None:
        self._check_parents(key, display)
        if self._state(key) == "dir":
            raise PatchIOError(f"Failed to write file {display}", display)
        self.current[key] = content

    # -- hunks -----------------------------------------------------------------------------------
    def add(self, hunk: AddFile) -> None:
        key, display = self._write_key(hunk.path)
        previous = self._state(key)
        mode = previous.mode if isinstance(previous, _Content) else None
        self._put(key, display, _Content(None, hunk.contents.encode("utf-8", "surrogateescape"), mode))
        self.added.append(hunk.path)

    def delete(self, hunk: DeleteFile) -> None:
        key, display = self._delete_key(hunk.path)
        state = self._state(key)
        if state is None or state == "dir":
            raise PatchIOError(f"Failed to delete file {display}", display)
        self.current[key] = None
        self.deleted.append(hunk.path)

    def update(self, hunk: UpdateFile) -> None:
        key, display = self._write_key(hunk.path)
        state = self._state(key)
        if not isinstance(state, _Content):
            reason = "No such file or directory (os error 2)"
            if isinstance(state, str):
                reason = f"path `{display}` is not a file"
            raise PatchIOError(f"Failed to read file to update {display}: {reason}", display)
        original = state.as_text()
        replacements = compute_replacements(original.texts, hunk.chunks, display, original.python_strip_ok)
        new_text = original.replaced(replacements)
        if hunk.move_path is None:
            self.current[key] = _Content(new_text, None, state.mode)
            self.modified.append(hunk.path)
            return
        # The content is read through a symlink, but the entry removed is the link itself (as Codex does).
        source_key, _ = self._delete_key(hunk.path)
        dest_key, dest_display = self._write_key(hunk.move_path)
        self._put(dest_key, dest_display, _Content(new_text, None, state.mode))
        if dest_key != source_key:
            self.current[source_key] = None
            self.moves[source_key] = dest_key
            self.read_from[source_key] = key
        self.modified.append(hunk.move_path)

    # -- result ------------------------------------------------------------------------------------
    def build(self, patch: Patch) -> PatchPlan:
        writes: list[WriteOp] = []
        for key, content in self.current.items():
            snap = self._snapshot(key)
            if content is None:
                if snap.kind != "missing":
                    writes.append(WriteOp(key, self.display[key], None, None, snap))
                continue
            data = content.as_bytes(self.display[key])
            mode = content.mode
            if snap.kind == "file" and snap.data == data and (mode is None or mode == snap.mode):
                continue
            writes.append(WriteOp(key, self.display[key], data, mode, snap))
        return PatchPlan(
            patch=patch,
            cwd=self.cwd,
            writable_roots=tuple(self.roots.roots),
            read_only_subpaths=tuple(self.roots.protected.values()),
            changes=self._changes(),
            ops=tuple(writes),
            added=tuple(self.added),
            modified=tuple(self.modified),
            deleted=tuple(self.deleted),
        )

    def _changes(self) -> list[FileChangeSpec]:
        specs: list[FileChangeSpec] = []
        renames = {
            source: dest
            for source, dest in self.moves.items()
            if self.current.get(source, 0) is None and self._snapshot(source).kind != "missing"
        }
        consumed = set(renames.values())
        for key, content in self.current.items():
            if key in consumed and key not in renames:
                continue
            snap = self._snapshot(key)
            before = snap.data if snap.kind != "missing" else None
            display = self.display[key]
            dest = renames.get(key)
            if dest is not None and key in self.read_from:
                before = self._snapshot(self.read_from[key]).data
            if dest is not None and before is not None:
                final = self.current[dest]
                after = final.as_bytes(display) if final is not None else b""
                specs.append(FileChangeSpec("update", display, self.display[dest], before, after))
            elif content is None:
                if snap.kind != "missing":
                    specs.append(FileChangeSpec("delete", display, None, before or b"", None))
            elif snap.kind == "missing" or before is None:
                specs.append(FileChangeSpec("add", display, None, None, content.as_bytes(display)))
            else:
                specs.append(FileChangeSpec("update", display, None, before, content.as_bytes(display)))
        return specs


def compute_replacements(
    lines: list[str], chunks: Sequence[UpdateChunk], display: str, python_strip_ok: bool | None = None
) -> list[tuple[int, int, list[str | int]]]:
    """Locate every chunk of an update in `lines`; return sorted `(start, old_len, new_lines)` replacements.

    In `new_lines`, an int is the index of a file line kept as it is (a context line: the patch's copy
    only located it, fuzzily perhaps); a str is an added line, as the patch wrote it.

    Raises:
        PatchConflictError: A `@@` context line or a chunk's expected lines are not in the file.
    """
    index = LineIndex(lines, python_strip_ok)
    replacements: list[tuple[int, int, list[str | int]]] = []
    line_index = 0
    for chunk in chunks:
        if chunk.change_context is not None:
            found = seek_in(index, [chunk.change_context], line_index, False)
            if found is None:
                raise PatchConflictError(f"Failed to find context '{chunk.change_context}' in {display}", display)
            line_index = found + 1
        if not chunk.old_lines:
            replacements.append((len(lines), 0, list[str | int](chunk.new_lines)))
            continue
        pattern = chunk.old_lines
        new_lines = chunk.new_lines
        origins = chunk.new_origins
        found = seek_in(index, pattern, line_index, chunk.is_end_of_file)
        if found is None and pattern[-1] == "":
            pattern = pattern[:-1]
            if new_lines and new_lines[-1] == "":
                new_lines = new_lines[:-1]
                origins = None if origins is None else origins[:-1]
            found = seek_in(index, pattern, line_index, chunk.is_end_of_file)
        if found is None:
            raise PatchConflictError(
                f"Failed to find expected lines in {display}:\n" + "\n".join(chunk.old_lines), display
            )
        replacements.append((found, len(pattern), _kept(new_lines, origins, found, len(pattern))))
        line_index = found + len(pattern)
    replacements.sort(key=lambda item: item[0])
    return replacements


def _kept(new_lines: list[str], origins: list[int] | None, found: int, count: int) -> list[str | int]:
    """The new lines of a matched chunk, with each context line replaced by its file line's index."""
    if origins is None:
        return list[str | int](new_lines)
    return [found + origin if 0 <= origin < count else line for line, origin in zip(new_lines, origins, strict=True)]


def plan_patch(
    patch: Patch,
    *,
    cwd: str | os.PathLike[str],
    writable_roots: Sequence[str | os.PathLike[str] | WritableRoot] | None = None,
) -> PatchPlan:
    """Verify `patch` against the files under `cwd` and compute the result, without writing anything.

    Hunks are evaluated in order on a virtual copy of the file system, so a patch may add a file and
    then update it, exactly as Codex's sequential application would.

    Args:
        patch: A parsed patch (see `parse_patch`).
        cwd: Directory that relative paths in the patch are resolved against.
        writable_roots: Directories the patch may write to (default: `[cwd]`). Paths are checked after
            resolving `..` and every symlink. A `WritableRoot` also names read-only sub-paths
            (`WritableRoot.protected(root)`: `.git`, `.agents`, `.codex`, `.aws`, as Codex's sandbox).

    Returns:
        The plan: per-file changes and the operations `apply_plan` will perform.

    Raises:
        PathNotAllowedError: A path resolves outside the writable roots.
        ProtectedPathError: A path is in (or is) a read-only sub-path of a writable root.
        PatchConflictError: A chunk does not match the file.
        PatchIOError: A file to update or delete does not exist, or a directory is in the way.
        EmptyPatchError: The patch has no hunks.
    """
    from ._errors import EmptyPatchError

    if not patch.hunks:
        raise EmptyPatchError
    cwd_text: str = os.path.abspath(os.fspath(cwd))
    roots = ResolvedRoots(cwd_text, writable_roots if writable_roots is not None else [cwd_text])
    planner = _Planner(cwd_text, roots)
    for hunk in patch.hunks:
        if isinstance(hunk, AddFile):
            planner.add(hunk)
        elif isinstance(hunk, DeleteFile):
            planner.delete(hunk)
        else:
            planner.update(hunk)
    return planner.build(patch)

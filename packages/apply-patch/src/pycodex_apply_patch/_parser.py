"""Parse apply_patch text into hunks, with the leniency Codex 0.169 allows."""

from __future__ import annotations

from ._errors import InvalidHunkError, InvalidPatchError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

BEGIN_PATCH = "*** Begin Patch"
END_PATCH = "*** End Patch"
ADD_FILE = "*** Add File: "
DELETE_FILE = "*** Delete File: "
UPDATE_FILE = "*** Update File: "
MOVE_TO = "*** Move to: "
END_OF_FILE = "*** End of File"
ENVIRONMENT_ID = "*** Environment ID: "
_HEREDOC_OPENERS = ("<<EOF", "<<'EOF'", '<<"EOF"')

RUST_WHITESPACE = (
    "\t\n\x0b\x0c\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
"""The characters Rust's `str::trim` removes (Unicode `White_Space`); Python's `str.strip()` differs slightly."""


class _Record:
    """Tiny value-object base: equality and repr from `__slots__` (no dataclasses: import time matters)."""

    __slots__ = ()

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Record) and type(other) is type(self) and other._values() == self._values()

    def __hash__(self) -> int:
        return hash((type(self).__name__, *map(repr, self._values())))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__name__}({fields})"


class UpdateChunk(_Record):
    """One `@@` section of an `*** Update File:` hunk."""

    __slots__ = ("change_context", "is_end_of_file", "new_lines", "new_origins", "old_lines")

    def __init__(
        self,
        change_context: str | None,
        old_lines: list[str],
        new_lines: list[str],
        is_end_of_file: bool = False,
        new_origins: list[int] | None = None,
    ) -> None:
        self.change_context = change_context
        """Text after `@@ ` (a line that must appear before `old_lines`), or None for a bare `@@`."""
        self.old_lines = old_lines
        """Context and removed lines: what must be found in the file."""
        self.new_lines = new_lines
        """Context and added lines: what replaces `old_lines`."""
        self.is_end_of_file = is_end_of_file
        """True when the chunk ended with `*** End of File`: `old_lines` must sit at the end."""
        self.new_origins = new_origins
        """For each of `new_lines`: the index in `old_lines` of the same context line, or -1 for an added line.

        A context line is written back as the file has it (the patch's copy only locates it). None:
        unknown, every new line is written as given.
        """


class AddFile(_Record):
    """`*** Add File: path` with its `+` lines."""

    __slots__ = ("contents", "path")

    def __init__(self, path: str, contents: str) -> None:
        self.path = path
        """The path as written in the patch."""
        self.contents = contents
        """The new file's text; every `+` line ends with `\\n`."""


class DeleteFile(_Record):
    """`*** Delete File: path`."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path
        """The path as written in the patch."""


class UpdateFile(_Record):
    """`*** Update File: path`, an optional `*** Move to:` and its chunks."""

    __slots__ = ("chunks", "move_path", "path")

    def __init__(self, path: str, move_path: str | None, chunks: list[UpdateChunk]) -> None:
        self.path = path
        """The path as written in the patch."""
        self.move_path = move_path
        """The `*** Move to:` destination as written, or None."""
        self.chunks = chunks
        """The chunks, in file order."""


Hunk = AddFile | DeleteFile | UpdateFile
"""One file operation of a patch."""


class Patch(_Record):
    """A parsed patch: its hunks in order."""

    __slots__ = ("environment_id", "hunks", "text")

    def __init__(self, hunks: Sequence[Hunk], text: str, environment_id: str | None = None) -> None:
        self.hunks: tuple[Hunk, ...] = tuple(hunks)
        """The file operations, in patch order."""
        self.text = text
        """The patch text from `*** Begin Patch` to `*** End Patch` (any heredoc wrapper removed)."""
        self.environment_id = environment_id
        """The value of a `*** Environment ID:` line, if the patch had one."""


def parse_patch(text: str) -> Patch:
    """Parse apply_patch text.

    The text is trimmed; `*** Begin Patch` / `*** End Patch` may carry surrounding whitespace, and
    the whole patch may be wrapped in `<<EOF` ... `EOF` (also `<<'EOF'` and `<<"EOF"`), as Codex accepts.

    Args:
        text: The patch.

    Returns:
        The parsed patch.

    Raises:
        InvalidPatchError: The begin/end markers are missing.
        InvalidHunkError: A hunk is malformed; the message names the 1-based line.
    """
    stripped = text.strip(RUST_WHITESPACE)
    lines = [line[:-1] if line.endswith("\r") else line for line in stripped.split("\n")] if stripped else []
    patch_lines = _check_boundaries(lines)
    body = patch_lines[1:-1]
    line_number = 2
    environment_id = None
    if body and body[0].startswith(ENVIRONMENT_ID):
        environment_id = body[0][len(ENVIRONMENT_ID) :]
        body = body[1:]
        line_number = 3
    hunks: list[Hunk] = []
    index = 0
    while index < len(body):
        hunk, consumed = _parse_hunk(body, index, line_number)
        hunks.append(hunk)
        index += consumed
        line_number += consumed
    return Patch(hunks, "\n".join(patch_lines), environment_id)


def _check_boundaries(lines: list[str]) -> list[str]:
    error = _strict_boundary_error(lines)
    if error is None:
        return lines
    if len(lines) >= 4 and lines[0] in _HEREDOC_OPENERS and lines[-1].endswith("EOF"):
        inner = lines[1:-1]
        inner_error = _strict_boundary_error(inner)
        if inner_error is None:
            return inner
        raise InvalidPatchError(inner_error)
    raise InvalidPatchError(error)


def _strict_boundary_error(lines: list[str]) -> str | None:
    first = lines[0].strip(RUST_WHITESPACE) if lines else None
    last = lines[-1].strip(RUST_WHITESPACE) if lines else None
    if first == BEGIN_PATCH and last == END_PATCH:
        return None
    if first is not None and first != BEGIN_PATCH:
        return "The first line of the patch must be '*** Begin Patch'"
    return "The last line of the patch must be '*** End Patch'"


def _parse_hunk(lines: list[str], start: int, line_number: int) -> tuple[Hunk, int]:
    """Parse the hunk at `lines[start]`; return it and the number of lines it used."""
    header = lines[start].strip(RUST_WHITESPACE)
    if header.startswith(ADD_FILE):
        contents: list[str] = []
        index = start + 1
        while index < len(lines) and lines[index].startswith("+"):
            contents.append(lines[index][1:] + "\n")
            index += 1
        return AddFile(header[len(ADD_FILE) :], "".join(contents)), index - start
    if header.startswith(DELETE_FILE):
        return DeleteFile(header[len(DELETE_FILE) :]), 1
    if header.startswith(UPDATE_FILE):
        return _parse_update(lines, start, line_number, header[len(UPDATE_FILE) :])
    raise InvalidHunkError(
        f"'{header}' is not a valid hunk header. Valid hunk headers: "
        "'*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'",
        line_number,
    )


def _parse_update(lines: list[str], start: int, line_number: int, path: str) -> tuple[UpdateFile, int]:
    index = start + 1
    move_path = None
    if index < len(lines) and lines[index].startswith(MOVE_TO):
        move_path = lines[index][len(MOVE_TO) :].strip(RUST_WHITESPACE)
        index += 1
    chunks: list[UpdateChunk] = []
    while index < len(lines):
        line = lines[index]
        if not line.strip(RUST_WHITESPACE):
            index += 1
            continue
        if line.startswith("*"):
            break
        chunk, consumed = _parse_chunk(lines, index, line_number + index - start, allow_missing_context=not chunks)
        chunks.append(chunk)
        index += consumed
    if not chunks:
        raise InvalidHunkError(f"Update file hunk for path '{path}' is empty", line_number)
    return UpdateFile(path, move_path, chunks), index - start


def _parse_chunk(
    lines: list[str], start: int, line_number: int, *, allow_missing_context: bool
) -> tuple[UpdateChunk, int]:
    first = lines[start]
    context: str | None = None
    if first == "@@":
        body_start = start + 1
    elif first.startswith("@@ "):
        context = first[3:]
        body_start = start + 1
    elif allow_missing_context:
        body_start = start
    else:
        raise InvalidHunkError(f"Expected update hunk to start with a @@ context marker, got: '{first}'", line_number)
    if body_start >= len(lines):
        raise InvalidHunkError("Update hunk does not contain any lines", line_number + 1)
    old: list[str] = []
    new: list[str] = []
    origins: list[int] = []
    is_eof = False
    index = body_start
    while index < len(lines):
        line = lines[index]
        if line == END_OF_FILE:
            if index == body_start:
                raise InvalidHunkError("Update hunk does not contain any lines", line_number + 1)
            is_eof = True
            index += 1
            break
        marker = line[:1]
        if marker == "":
            origins.append(len(old))
            old.append("")
            new.append("")
        elif marker == " ":
            origins.append(len(old))
            old.append(line[1:])
            new.append(line[1:])
        elif marker == "+":
            origins.append(-1)
            new.append(line[1:])
        elif marker == "-":
            old.append(line[1:])
        elif index == body_start:
            raise InvalidHunkError(
                f"Unexpected line found in update hunk: '{line}'. Every line should start with "
                "' ' (context line), '+' (added line), or '-' (removed line)",
                line_number + body_start - start,
            )
        else:
            break
        index += 1
    return UpdateChunk(context, old, new, is_eof, origins), index - start

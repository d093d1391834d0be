"""Exceptions raised by `pycodex_apply_patch`.

Exception tree:

```
ApplyPatchError                 base; str(err) is the text Codex's apply_patch prints
├── PatchParseError             the patch text does not follow the grammar
│   ├── InvalidPatchError       bad `*** Begin Patch` / `*** End Patch` framing
│   └── InvalidHunkError        a bad hunk (has `line_number`)
├── PatchConflictError          context or expected lines not found in the file
├── PatchIOError                reading, writing or deleting a file failed (has `path`)
├── PathNotAllowedError         a path is outside the writable roots (has `path`)
│   └── ProtectedPathError      a path is in a read-only sub-path such as `.git` (has `protected`)
├── EmptyPatchError             the patch has no hunks ("No files were modified.")
└── ImplicitInvocationError     a bare patch was run without `apply_patch`
```
"""

from __future__ import annotations


class ApplyPatchError(Exception):
    """Base class of every error of this package.

    `str(err)` is the message Codex's `apply_patch` prints on stderr for the same failure.
    """


class PatchParseError(ApplyPatchError):
    """The patch text does not follow the apply_patch grammar."""


class InvalidPatchError(PatchParseError):
    """The patch is not framed by `*** Begin Patch` ... `*** End Patch`."""

    def __init__(self, message: str) -> None:
        super().__init__(f"Invalid patch: {message}")
        self.message = message
        """The bare reason, without the `Invalid patch: ` prefix."""


class InvalidHunkError(PatchParseError):
    """A hunk of the patch is malformed."""

    def __init__(self, message: str, line_number: int) -> None:
        super().__init__(f"Invalid patch hunk on line {line_number}: {message}")
        self.message = message
        """The bare reason, without the `Invalid patch hunk on line N: ` prefix."""
        self.line_number = line_number
        """1-based line number in the trimmed patch (`*** Begin Patch` is line 1)."""


class PatchConflictError(ApplyPatchError):
    """A chunk's `@@` context or its expected lines were not found in the target file."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path
        """Absolute path of the file the chunk was applied to."""


class PatchIOError(ApplyPatchError):
    """A file could not be read, written or deleted."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path
        """Absolute path of the file concerned."""


class PathNotAllowedError(ApplyPatchError):
    """The patch would write outside the writable roots."""

    def __init__(self, message: str, path: str) -> None:
        super().__init__(message)
        self.path = path
        """The offending path, absolute."""


class ProtectedPathError(PathNotAllowedError):
    """The patch would write inside a read-only sub-path of a writable root (`.git`, `.codex`, ...)."""

    def __init__(self, message: str, path: str, protected: str) -> None:
        super().__init__(message, path)
        self.protected = protected
        """The read-only sub-path that holds `path`."""


class EmptyPatchError(ApplyPatchError):
    """The patch parsed but contains no hunk."""

    def __init__(self) -> None:
        super().__init__("No files were modified.")


class ImplicitInvocationError(ApplyPatchError):
    """A raw patch body was given as a command, without an explicit `apply_patch` call."""

    def __init__(self) -> None:
        super().__init__('patch detected without explicit call to apply_patch. Rerun as ["apply_patch", "<patch>"]')

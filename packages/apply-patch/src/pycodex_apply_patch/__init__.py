"""Codex's apply_patch format: parse, verify, apply atomically, keep files as they were.

Typical use:

```python
from pycodex_apply_patch import apply_patch

result = apply_patch(patch_text, cwd=workdir)
print(result.summary())
```

Or in two steps, to show or approve the change before writing: `plan = plan_patch(parse_patch(text),
cwd=...)`, inspect `plan.changes`, then `apply_plan(plan)`.
"""

from __future__ import annotations

import os

from ._cli import main
from ._commit import JournalRecovery, apply_plan, recover_journals
from ._errors import (
    ApplyPatchError,
    EmptyPatchError,
    ImplicitInvocationError,
    InvalidHunkError,
    InvalidPatchError,
    PatchConflictError,
    PatchIOError,
    PatchParseError,
    PathNotAllowedError,
    ProtectedPathError,
)
from ._journal import default_journal_dir
from ._parser import AddFile, DeleteFile, Hunk, Patch, UpdateChunk, UpdateFile, parse_patch
from ._plan import plan_patch
from ._roots import WritableRoot, protected_subpaths
from ._seek import seek_sequence
from ._shell import ApplyPatchInvocation, ShellPatch, extract_patch_from_shell, parse_invocation
from ._types import FileChangeSpec, PatchPlan, PatchResult

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "AddFile",
    "ApplyPatchError",
    "ApplyPatchInvocation",
    "DeleteFile",
    "EmptyPatchError",
    "FileChangeSpec",
    "Hunk",
    "ImplicitInvocationError",
    "InvalidHunkError",
    "InvalidPatchError",
    "JournalRecovery",
    "Patch",
    "PatchConflictError",
    "PatchIOError",
    "PatchParseError",
    "PatchPlan",
    "PatchResult",
    "PathNotAllowedError",
    "ProtectedPathError",
    "ShellPatch",
    "UpdateChunk",
    "UpdateFile",
    "WritableRoot",
    "apply_patch",
    "apply_plan",
    "default_journal_dir",
    "extract_patch_from_shell",
    "main",
    "parse_invocation",
    "parse_patch",
    "plan_patch",
    "protected_subpaths",
    "recover_journals",
    "seek_sequence",
]


def apply_patch(
    text: str,
    *,
    cwd: str | os.PathLike[str],
    writable_roots: Sequence[str | os.PathLike[str] | WritableRoot] | None = None,
    journal_dir: str | os.PathLike[str] | None = None,
) -> PatchResult:
    """Parse, verify and apply a patch, all or nothing.

    Args:
        text: The patch (`*** Begin Patch` ... `*** End Patch`, optionally in a heredoc wrapper).
        cwd: Directory relative paths are resolved against.
        writable_roots: Directories the patch may write to (default: `[cwd]`); a `WritableRoot` adds
            read-only sub-paths (`WritableRoot.protected(root)` keeps `.git`, `.codex`, ... read-only).
        journal_dir: Where the crash journal lives (default: `default_journal_dir()`); journals left
            there by crashed runs are recovered before the patch is read against the files.

    Returns:
        What was done; `result.summary()` is Codex's success text.

    Raises:
        ApplyPatchError: Any failure; `str(error)` is the text Codex prints. No file was changed.
    """
    recover_journals(journal_dir)
    plan = plan_patch(parse_patch(text), cwd=cwd, writable_roots=writable_roots)
    return apply_plan(plan, journal_dir=journal_dir)

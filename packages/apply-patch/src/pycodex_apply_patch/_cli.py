"""The `apply_patch` console script: Codex's standalone patcher, same texts and exit codes."""

from __future__ import annotations

import os
import sys

from ._commit import apply_plan, recover_journals
from ._errors import ApplyPatchError
from ._parser import parse_patch
from ._plan import plan_patch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

USAGE = "Usage: apply_patch 'PATCH'\n       echo 'PATCH' | apply_patch\n"
WRITABLE_ROOTS_ENV = "PYCODEX_APPLY_PATCH_WRITABLE_ROOTS"
"""Environment variable: `os.pathsep`-separated directories the patch may write to (default: the cwd)."""


def _emit(stream: object, text: str) -> None:
    buffer = getattr(stream, "buffer", None)
    if buffer is not None:
        buffer.write(text.encode("utf-8", "surrogateescape"))
        buffer.flush()
    else:
        stream.write(text)  # type: ignore[attr-defined]
        stream.flush()  # type: ignore[attr-defined]


def main(argv: Sequence[str] | None = None) -> int:
    """Run `apply_patch 'PATCH'` (or read the patch from stdin) in the current directory.

    Prints Codex's success summary on stdout (exit 0), the error on stderr (exit 1), or the usage
    (exit 2). The patch may only write inside the current directory, or inside the directories listed
    in `PYCODEX_APPLY_PATCH_WRITABLE_ROOTS`.

    Args:
        argv: Arguments without the program name (default: `sys.argv[1:]`).

    Returns:
        The exit status.
    """
    args = sys.argv[1:] if argv is None else list(argv)
    if len(args) > 1:
        _emit(sys.stderr, "Error: apply_patch accepts exactly one argument.\n")
        return 2
    if args:
        text = args[0]
    else:
        text = sys.stdin.buffer.read().decode("utf-8", "surrogateescape")
        if not text:
            _emit(sys.stderr, USAGE)
            return 2
    cwd = os.getcwd()
    roots_env = os.environ.get(WRITABLE_ROOTS_ENV)
    roots = [root for root in roots_env.split(os.pathsep) if root] if roots_env else None
    recover_journals()  # a run that died mid-apply is finished or undone before this one reads files
    try:
        plan = plan_patch(parse_patch(text), cwd=cwd, writable_roots=roots)
        result = apply_plan(plan)
    except ApplyPatchError as error:
        _emit(sys.stderr, f"{error}\n")
        return 1
    _emit(sys.stdout, result.summary())
    return 0

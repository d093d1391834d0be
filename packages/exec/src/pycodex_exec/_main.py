"""`main(argv)`: the whole of `codex exec`, returning the exit status."""

from __future__ import annotations

import contextlib
import io
import logging
import os
import sys
from typing import cast

from ._args import UsageError, parse_args
from .errors import ExecError

logger = logging.getLogger(__name__)

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Run `codex exec` with `argv` (the words after `exec`) and return the exit status.

    Status 0: the turn completed (even if a command it ran failed). 1: the turn failed or was
    interrupted, or the run could not start (config, prompt, git check). 2: a usage error.
    """
    from ._setup import prepare, prepare_oss

    try:
        args = parse_args(list(sys.argv[1:] if argv is None else argv))
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    stdin = sys.stdin if sys.stdin is not None else io.StringIO("")
    try:
        plan = prepare(args, stdin=stdin, stderr=sys.stderr)
        if args.oss:
            prepare_oss(plan, stderr=sys.stderr)
    except ExecError as exc:
        sys.stderr.write(f"{exc}\n")
        return exc.exit_code
    from ._run import run

    try:
        return run(plan)
    except KeyboardInterrupt:
        return 1
    except Exception as exc:  # the top of the front end: a clean message, never a traceback
        if _contains(exc, BrokenPipeError):
            # The reader of stdout went away (`codex exec --json | head -1`): the session was
            # stopped when the write failed; say nothing more on a pipe nobody reads.
            _silence_stdout()
            return 1
        logger.debug("codex exec failed", exc_info=True)
        sys.stderr.write(f"ERROR: {_describe(exc)}\n")
        return 1


def _contains(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `exc` is a `kind`, or an exception group holding one."""
    if isinstance(exc, kind):
        return True
    if isinstance(exc, BaseExceptionGroup):
        group = cast("BaseExceptionGroup[BaseException]", exc)
        return any(_contains(inner, kind) for inner in group.exceptions)
    return False


def _describe(exc: BaseException) -> str:
    """The innermost message of `exc` (exception groups unwrapped)."""
    while isinstance(exc, BaseExceptionGroup):
        group = cast("BaseExceptionGroup[BaseException]", exc)
        if len(group.exceptions) != 1:
            break
        exc = group.exceptions[0]
    innermost = cast("BaseException", exc)
    return str(innermost) or type(innermost).__name__


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)

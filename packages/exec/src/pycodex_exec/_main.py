"""`main(argv)`: the whole of `codex exec`, returning the exit status."""

from __future__ import annotations

import io
import logging
import sys

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
            prepare_oss(plan)
    except ExecError as exc:
        sys.stderr.write(f"{exc}\n")
        return exc.exit_code
    from ._run import run

    try:
        return run(plan)
    except KeyboardInterrupt:
        return 1

"""Where the prompt comes from: argv, stdin, or both (Codex 0.169's rules)."""

from __future__ import annotations

import logging
from typing import IO

from .errors import ExecError

logger = logging.getLogger(__name__)

__all__ = ["resolve_prompt"]

NO_PROMPT = "No prompt provided. Either specify one as an argument or pipe the prompt into stdin."
NO_STDIN_PROMPT = "No prompt provided via stdin."


def _is_tty(stream: IO[str]) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def resolve_prompt(arg: str | None, stdin: IO[str], stderr: IO[str]) -> str:
    """Build the prompt text.

    * No prompt (or `-`): the whole of stdin is the prompt; a terminal on stdin is an error.
    * A prompt and a non-terminal stdin: stdin, when not empty, is appended as a `<stdin>` block.

    Raises:
        ExecError: No prompt could be found (exit 1).
    """
    if arg is None or arg == "-":
        if arg is None and _is_tty(stdin):
            raise ExecError(NO_PROMPT)
        stderr.write("Reading prompt from stdin...\n")
        stderr.flush()
        text = stdin.read()
        if not text.strip():
            raise ExecError(NO_STDIN_PROMPT)
        return text
    if _is_tty(stdin):
        return arg
    stderr.write("Reading additional input from stdin...\n")
    stderr.flush()
    try:
        extra = stdin.read()
    except (OSError, ValueError):
        extra = ""
    if not extra.strip():
        return arg
    if not extra.endswith("\n"):
        extra += "\n"
    return f"{arg}\n\n<stdin>\n{extra}</stdin>"

"""Where the prompt comes from: argv, stdin, or both (Codex 0.169's rules)."""

from __future__ import annotations

import logging
from typing import IO

from .errors import ExecError

logger = logging.getLogger(__name__)

__all__ = ["resolve_prompt"]

NO_PROMPT = "No prompt provided. Either specify one as an argument or pipe the prompt into stdin."
NO_STDIN_PROMPT = "No prompt provided via stdin."


def _read_all(stdin: IO[str]) -> str:
    """All of stdin as UTF-8, whatever the locale says.

    Raises:
        ExecError: stdin is not valid UTF-8 (exit 1), rather than sending a mangled prompt.
    """
    buffer = getattr(stdin, "buffer", None)
    try:
        if buffer is None:  # a text stream with no bytes underneath (tests, StringIO)
            return stdin.read()
        return buffer.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ExecError(f"Failed to read prompt from stdin: input is not valid UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise ExecError(f"Failed to read prompt from stdin: {exc.strerror or exc}") from None


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
    if arg is not None:
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes in argv arrive as lone surrogates
            raise ExecError("The prompt argument is not valid UTF-8.") from None
    if arg is None or arg == "-":
        if arg is None and _is_tty(stdin):
            raise ExecError(NO_PROMPT)
        stderr.write("Reading prompt from stdin...\n")
        stderr.flush()
        text = _read_all(stdin)
        if not text.strip():
            raise ExecError(NO_STDIN_PROMPT)
        return text
    if _is_tty(stdin):
        return arg
    stderr.write("Reading additional input from stdin...\n")
    stderr.flush()
    extra = _read_all(stdin)
    if not extra.strip():
        return arg
    if not extra.endswith("\n"):
        extra += "\n"
    return f"{arg}\n\n<stdin>\n{extra}</stdin>"

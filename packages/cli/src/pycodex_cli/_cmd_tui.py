"""Entries of the interactive front end: `codex [PROMPT]`, `codex resume`, `codex fork`.

The interactive session owns the terminal, so its logs go to `$CODEX_HOME/log/codex-tui.log`.
"""

from __future__ import annotations


def _run(argv: list[str], command: str | None) -> int:
    from pycodex_cli._logging import setup_logging

    setup_logging(log_file="codex-tui.log")
    from pycodex_tui import main as tui_main

    return tui_main(argv, command=command)


def interactive(argv: list[str]) -> int:
    """`codex [OPTIONS] [PROMPT]`."""
    return _run(argv, None)


def resume(argv: list[str]) -> int:
    """`codex resume [ID|--last|--all]`."""
    return _run(argv, "resume")


def fork(argv: list[str]) -> int:
    """`codex fork [ID|--last]`."""
    return _run(argv, "fork")

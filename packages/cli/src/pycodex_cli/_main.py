"""Entry point of the `codex` command: root flags, then dispatch through the command table.

Nothing heavy is imported here: `--version` and `--help` answer from argv and `_registry`, and
each subcommand imports its module only when it runs.
"""

from __future__ import annotations

import sys

from pycodex_cli import __version__
from pycodex_cli._registry import INTERACTIVE, ROOT_FLAGS, Command, RootFlag, lookup

__all__ = ["dispatch", "run_command", "split_root"]

USAGE = "Usage: codex [OPTIONS] [PROMPT]\n       codex [OPTIONS] <COMMAND> [ARGS]\n"


class UsageError(Exception):
    """A command line that cannot be understood (exit status 2, clap's wording)."""


def _root_flag(arg: str) -> tuple[RootFlag, str | None] | None:
    """The root flag `arg` names, with its attached value (`--x=v`, `-cv`), or `None`."""
    if arg.startswith("--"):
        name, eq, value = arg.partition("=")
        flag = ROOT_FLAGS.get(name)
        return (flag, value if eq else None) if flag else None
    flag = ROOT_FLAGS.get(arg[:2])
    if flag is None:
        return None
    if len(arg) == 2:
        return flag, None
    return (flag, arg[2:].removeprefix("=")) if flag.value else None


_HELP = RootFlag("--help", False, "common")
_VERSION = RootFlag("--version", False, "common")


def split_root(args: list[str]) -> tuple[list[tuple[RootFlag, str | None]], list[str]]:
    """Split argv into the root flags (with values) and the words from the first positional on.

    `-h/--help` and `-V/--version` come back as flags named `--help` and `--version`.

    Raises:
        UsageError: An unknown flag, or a flag missing its value.
    """
    flags: list[tuple[RootFlag, str | None]] = []
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--" or arg == "-" or not arg.startswith("-"):
            return flags, args[i:]
        if arg in ("-h", "--help", "-V", "--version"):
            flags.append((_HELP if arg in ("-h", "--help") else _VERSION, None))
            i += 1
            continue
        found = _root_flag(arg)
        if found is None:
            raise UsageError(f"unexpected argument '{arg}' found")
        flag, value = found
        if flag.value and value is None:
            if i + 1 >= len(args):
                raise UsageError(f"a value is required for '{arg}' but none was supplied")
            value = args[i + 1]
            i += 1
        flags.append((flag, value))
        i += 1
    return flags, []


def _forward(name: str, command: Command, flags: list[tuple[RootFlag, str | None]], rest: list[str]) -> list[str]:
    """The root flags `command` receives, as `--long=value` words, as Codex 0.169 hands them on.

    Raises:
        SystemExit: A root flag Codex refuses before this command (status 1, Codex's message).
    """
    words: list[str] = []
    full = f"codex {name}" + (f" {rest[0]}" if command.takes == "common" and rest and rest[0][:1] != "-" else "")
    for flag, value in flags:
        kind = flag.kind
        if kind == "remote" and command.takes != "interactive":
            shown = f"{flag.long} {value}"
            _fail(f"Error: `{shown}` is only supported for interactive TUI commands, not `{full}`")
        if kind == "strict" and command.takes == "common":
            _fail(f"Error: `--strict-config` is not supported for `codex {name}`")
        if kind == "tui" and command.takes != "interactive":
            continue  # accepted and ignored, as Codex does before `exec` and the other commands
        if kind == "session" and command.takes == "common":
            continue
        words.append(flag.long if value is None else f"{flag.long}={value}")
    return words


def _fail(line: str) -> None:
    sys.stderr.write(line + "\n")
    raise SystemExit(1)


def run_command(name: str, command: Command, argv: list[str]) -> int:
    """Run `command` (its module imported now) with `argv`; one line and status 2 when unavailable."""
    if command.entry is None:
        if "-h" in argv or "--help" in argv:
            from pycodex_cli._help import command_help

            sys.stdout.write(command_help(name))
            return 0
        from pycodex_cli._tree_check import check

        path, error = check([name] if name else [], argv)
        if error is not None:
            sys.stderr.write(
                f"error: {error}\n\nUsage: codex {path} [OPTIONS]\n\nFor more information, try '--help'.\n"
            )
            return 2
        what = "the interactive session" if command is INTERACTIVE else f"`codex {path}`"
        sys.stderr.write(f"{what} {command.unavailable} (pycodex {__version__}).\n")
        return 2
    import importlib

    module_name, _, function = command.entry.partition(":")
    entry = getattr(importlib.import_module(module_name), function or "main")
    from pycodex_cli._logging import setup_logging

    setup_logging()
    return int(entry(argv))


def dispatch(args: list[str]) -> int:
    """Run `codex ARGS` and return the exit status."""
    try:
        flags, rest = split_root(args)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n\n{USAGE}\nFor more information, try '--help'.\n")
        return 2
    if any(flag is _HELP for flag, _ in flags) or (rest and rest[0] == "help"):
        from pycodex_cli._help import help_command

        return help_command(rest[1:] if rest and rest[0] == "help" else [])
    if any(flag is _VERSION for flag, _ in flags):
        sys.stdout.write(f"codex-cli {__version__} (pycodex)\n")
        return 0
    found = lookup(rest[0]) if rest else None
    name, command = found if found else ("", INTERACTIVE)
    words = rest[1:] if found else rest
    try:
        forwarded = _forward(name, command, flags, words)
    except SystemExit as exc:
        return int(exc.code or 0)
    return run_command(name, command, forwarded + words)

"""Command heuristics: read-only commands that are safe to run, and commands that are dangerous."""

from __future__ import annotations

import posixpath
import re

from pycodex_execpolicy._bash import extract_shell_script, parse_plain_commands, script_literal_commands

__all__ = ["command_might_be_dangerous", "is_known_safe_command"]

_ALWAYS_SAFE = frozenset(
    {"cat", "cd", "cut", "echo", "expr", "false", "grep", "head", "id", "ls", "nl", "paste", "pwd", "rev", "seq",
     "stat", "tail", "tr", "true", "uname", "uniq", "wc", "which", "whoami", "numfmt", "tac"}
)  # fmt: skip
_FIND_UNSAFE = frozenset({"-exec", "-execdir", "-ok", "-okdir", "-delete", "-fls", "-fprint", "-fprint0", "-fprintf"})
_RG_UNSAFE_EXACT = frozenset({"--search-zip", "-z"})
_RG_UNSAFE_VALUE = ("--pre", "--hostname-bin")
_SED_RANGE = re.compile(r"^(\d+,)?\d+p$")


def is_known_safe_command(command: list[str]) -> bool:
    """Whether `command` only reads.

    True for a known read-only program with safe options, or a word-only `bash -lc` script made
    only of such commands.
    """
    command = ["bash" if word == "zsh" else word for word in command]
    if _is_safe_plain(command):
        return True
    found = extract_shell_script(command)
    if found is None:
        return False
    commands = parse_plain_commands(found[1])
    return commands is not None and all(_is_safe_plain(c) for c in commands)


def _is_safe_plain(command: list[str]) -> bool:
    if not command:
        return False
    program = posixpath.basename(command[0])
    args = command[1:]
    if program in _ALWAYS_SAFE:
        return True
    if program == "base64":
        return not any(
            a in ("-o", "--output") or a.startswith("--output=") or (a.startswith("-o") and a != "-o") for a in args
        )
    if program == "find":
        return not any(a in _FIND_UNSAFE for a in args)
    if program == "rg":
        return not any(
            a in _RG_UNSAFE_EXACT or any(a == v or a.startswith(v + "=") for v in _RG_UNSAFE_VALUE) for a in args
        )
    if program == "sed":
        return _is_safe_sed(args)
    return False


def _is_safe_sed(args: list[str]) -> bool:
    if len(args) > 3 or len(args) < 2 or args[0] != "-n":
        return False
    return bool(_SED_RANGE.match(args[1]))


def command_might_be_dangerous(command: list[str]) -> bool:
    """Whether `command` (or any literal command of its `bash -lc` script) force-removes files."""
    if _is_dangerous_plain(command):
        return True
    found = extract_shell_script(command)
    if found is None:
        return False
    return any(_is_dangerous_plain(c) for c in script_literal_commands(found[1]))


def _is_dangerous_plain(command: list[str]) -> bool:
    if not command:
        return False
    program = posixpath.basename(command[0])
    if program == "sudo":
        return _is_dangerous_plain(command[1:])
    if program != "rm":
        return False
    for arg in command[1:]:
        if arg == "--":
            return False
        if arg == "--force" or (arg.startswith("-") and not arg.startswith("--") and "f" in arg[1:]):
            return True
    return False

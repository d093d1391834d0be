"""Recognise apply_patch invocations in a command's argv (Codex's `maybe_parse_apply_patch`)."""

from __future__ import annotations

import os

from ._errors import ApplyPatchError, ImplicitInvocationError
from ._parser import Patch, parse_patch

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Sequence

APPLY_PATCH_COMMANDS = ("apply_patch", "applypatch")
_BLANKS = " \t"
_WORD_STOP = set(" \t\n;&|<>()`$\"'\\")


class ShellPatch(str):
    """A patch text found in a command, with the directory of a leading `cd DIR &&` (or None).

    It is a `str` (the patch text), so callers that only want the text can use it as one.
    """

    __slots__ = ("workdir",)

    workdir: str | None
    """The `cd` target of `cd DIR && apply_patch <<'EOF'`, as written (may be relative), else None."""

    def __new__(cls, text: str, workdir: str | None = None) -> ShellPatch:
        self = super().__new__(cls, text)
        self.workdir = workdir
        return self

    @property
    def text(self) -> str:
        """The patch text as a plain `str`."""
        return str.__str__(self)


class ApplyPatchInvocation:
    """A command recognised as apply_patch: the parsed patch and where to run it."""

    __slots__ = ("patch", "workdir")

    def __init__(self, patch: Patch, workdir: str | None) -> None:
        self.patch = patch
        """The parsed patch."""
        self.workdir = workdir
        """Directory of a leading `cd DIR &&`, as written, else None (use the command's cwd)."""

    def __repr__(self) -> str:
        return f"ApplyPatchInvocation(patch={self.patch!r}, workdir={self.workdir!r})"


def _shell_script(argv: Sequence[str]) -> str | None:
    """The script of `bash|zsh|sh -c|-lc S`, `pwsh|powershell [-NoProfile] -Command S` or `cmd /c S`."""
    args = list(argv)
    if len(args) == 4 and _stem(args[0]) in ("pwsh", "powershell") and args[1].lower() == "-noprofile":
        args = [args[0], args[2], args[3]]
    if len(args) != 3:
        return None
    shell, flag, script = args
    name = _stem(shell)
    if name in ("bash", "zsh", "sh") and flag in ("-lc", "-c"):
        return script
    if name in ("pwsh", "powershell") and flag.lower() == "-command":
        return script
    if name == "cmd" and flag.lower() == "/c":
        return script
    return None


def _stem(path: str) -> str:
    base = os.path.basename(path.replace("\\", "/"))
    stem, _ = os.path.splitext(base)
    return stem.lower()


def extract_patch_from_shell(argv: Sequence[str]) -> ShellPatch | None:
    """Find the patch text of an apply_patch call in a command's argv, without parsing the patch.

    Recognised forms (as Codex 0.169 does): `["apply_patch", PATCH]` (or `applypatch`), and a shell
    script (`bash -lc`, `sh -c`, `zsh -c`, `pwsh -Command`, `cmd /c`) that is exactly one statement
    `apply_patch <<'EOF' ... EOF`, optionally preceded by `cd DIR &&`. Anything before or after the
    statement means it is not an apply_patch call.

    Args:
        argv: The command.

    Returns:
        The patch text (a `str` subclass whose `workdir` is the `cd` directory or None), or None.
    """
    if len(argv) == 2 and argv[0] in APPLY_PATCH_COMMANDS:
        return ShellPatch(argv[1])
    script = _shell_script(argv)
    if script is None:
        return None
    found = _parse_heredoc_script(script)
    if found is None:
        return None
    body, workdir = found
    return ShellPatch(body, workdir)


def parse_invocation(argv: Sequence[str]) -> ApplyPatchInvocation | None:
    """Recognise and parse an apply_patch command (Codex's `maybe_parse_apply_patch_verified`, minus the files).

    Args:
        argv: The command.

    Returns:
        The parsed invocation, or None when the command is not an apply_patch call.

    Raises:
        ImplicitInvocationError: The command is a bare patch (or a shell script that is one).
        PatchParseError: It is an apply_patch call but the patch is malformed.
    """
    bare = argv[0] if len(argv) == 1 else _shell_script(argv)
    if bare is not None and _parses(bare):
        raise ImplicitInvocationError
    found = extract_patch_from_shell(argv)
    if found is None:
        return None
    return ApplyPatchInvocation(parse_patch(found.text), found.workdir)


def _parses(text: str) -> bool:
    try:
        parse_patch(text)
    except ApplyPatchError:
        return False
    return True


def _skip(text: str, pos: int, chars: str = _BLANKS) -> int:
    while pos < len(text) and text[pos] in chars:
        pos += 1
    return pos


def _word(text: str, pos: int) -> tuple[str, int] | None:
    """A plain shell word (no quoting, expansion or operators) at `pos`."""
    end = pos
    while end < len(text) and text[end] not in _WORD_STOP:
        end += 1
    return (text[pos:end], end) if end > pos else None


def _cd_argument(text: str, pos: int) -> tuple[str, int] | None:
    """`word`, `"string"` (without expansions) or `'raw'` at `pos`."""
    if pos < len(text) and text[pos] in "'\"":
        quote = text[pos]
        end = text.find(quote, pos + 1)
        if end < 0:
            return None
        value = text[pos + 1 : end]
        if quote == '"' and any(char in value for char in "$`\\"):
            return None
        return value, end + 1
    return _word(text, pos)


def _parse_heredoc_script(script: str) -> tuple[str, str | None] | None:
    """Match `[cd DIR &&] apply_patch <<[-]DELIM`, the body lines and `DELIM`, as the whole script."""
    pos = _skip(script, 0, " \t\n")
    workdir = None
    first = _word(script, pos)
    if first is not None and first[0] == "cd":
        pos = _skip(script, first[1])
        argument = _cd_argument(script, pos)
        if argument is None:
            return None
        workdir, pos = argument
        pos = _skip(script, pos)
        if not script.startswith("&&", pos):
            return None
        pos = _skip(script, pos + 2, " \t\n")
        first = _word(script, pos)
    if first is None or first[0] not in APPLY_PATCH_COMMANDS:
        return None
    return _parse_heredoc(script, _skip(script, first[1]), workdir)


def _parse_heredoc(script: str, pos: int, workdir: str | None) -> tuple[str, str | None] | None:
    if not script.startswith("<<", pos) or script.startswith("<<<", pos):
        return None
    pos += 2
    strip_tabs = script.startswith("-", pos)
    pos = _skip(script, pos + 1 if strip_tabs else pos)
    delimiter = _cd_argument(script, pos)
    if delimiter is None:
        return None
    name, pos = delimiter
    newline = script.find("\n", pos)
    if newline < 0 or script[pos:newline].strip(_BLANKS):
        return None
    lines = script[newline + 1 :].split("\n")
    for index, line in enumerate(lines):
        if (line.lstrip("\t") if strip_tabs else line) == name:
            if "\n".join(lines[index + 1 :]).strip(" \t\n"):
                return None
            body = lines[:index]
            if strip_tabs:
                body = [entry.lstrip("\t") for entry in body]
            return "\n".join(body).rstrip("\n"), workdir
    return None

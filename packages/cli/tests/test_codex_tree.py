"""Every command path and flag of Codex 0.169 (fixtures/codex_0169_commands.json, recorded from its
`--help` by tools/record_codex_help.py) parses here, and every path either runs or says in one line
why it does not."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pycodex_cli._main import dispatch, split_root
from pycodex_cli._registry import COMMANDS, lookup

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "codex_0169_commands.json").read_text(encoding="utf-8"))
PATHS: dict[str, Any] = FIXTURE["paths"]
# A value each option accepts in both programs (the first possible value, else these, else "x").
VALUES = {"--local-provider": "ollama", "--config": "model=x", "--enable": "unified_exec", "--disable": "unified_exec"}
POSITIONALS = {"features enable": ["unified_exec"], "features disable": ["unified_exec"], "exec fork": ["sid"]}
POSITIONALS.update({name: ["sid"] for name in ("archive", "unarchive", "delete")})
POSITIONALS.update({f"mcp {name}": ["srv"] for name in ("get", "remove", "login", "logout")})
POSITIONALS["mcp add"] = ["srv", "--", "cmd"]


def _cases() -> list[tuple[str, list[str]]]:
    cases: list[tuple[str, list[str]]] = []
    for path, entry in sorted(PATHS.items()):
        for option in entry["options"]:
            name = option["long"] or option["short"]
            if name in ("--help", "-h"):
                continue
            words = [name]
            if option["value"]:
                words.append(VALUES.get(name) or (option.get("values") or ["x"])[0])
            cases.append((path, words))
        cases.append((path, []))
    return cases


def _exec_parse(sub: list[str]) -> Callable[[list[str]], object]:
    from pycodex_exec import parse_args

    return lambda words: parse_args([*sub, *words])


def _module_parser(path: str) -> Callable[[list[str]], object] | None:
    """How pycodex parses the words after `codex PATH` (without running anything)."""
    parts = path.split()
    top = parts[0] if parts else ""
    if top == "exec":
        return _exec_parse(parts[1:])
    if top == "review":
        return _exec_parse(["review"])
    if top == "features":
        from pycodex_cli._commands import features_parser

        return lambda words: features_parser().parse_args([*parts[1:], *words])
    if top == "doctor":
        from pycodex_cli._commands import doctor_parser

        return lambda words: doctor_parser().parse_args(words)
    if top == "completion":
        from pycodex_cli._cmd_completion import parser

        return lambda words: parser().parse_args(words)
    if top == "debug":
        from pycodex_cli._cmd_debug import parser as debug_parser

        return lambda words: debug_parser().parse_args([*parts[1:], *words])
    if top == "sandbox":
        from pycodex_cli._sandbox_cmd import parse_args as sandbox_parse

        return lambda words: sandbox_parse([*parts[1:], *words])
    if top in ("login", "logout"):
        from pycodex_cli._cmd_login import login_parser, logout_parser

        make = login_parser if top == "login" else logout_parser
        return lambda words: make().parse_args([*parts[1:], *words])
    if top in ("resume", "fork"):
        from pycodex_tui import parse_args as tui_parse

        return lambda words: tui_parse(words, top)
    if top == "mcp":
        from pycodex_cli._mcp_cmd import parse as mcp_parse

        return lambda words: mcp_parse([*parts[1:], *words])
    if top in ("archive", "unarchive", "delete"):
        from pycodex_cli._cmd_sessions import _parser

        return lambda words: _parser(top, "").parse_args(words)
    return None


def _run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = dispatch(argv)
        except SystemExit as exc:
            code = int(exc.code or 0)
    return code, out.getvalue(), err.getvalue()


def test_fixture_covers_the_whole_tree() -> None:
    assert FIXTURE["version"] == "codex-cli 0.169.0"
    assert len(PATHS) >= 70
    top = set(PATHS[""]["commands"])
    assert top <= set(COMMANDS), top - set(COMMANDS)
    assert PATHS["exec"]["aliases"] == ["e"] and PATHS["apply"]["aliases"] == ["a"]
    assert lookup("e") == ("exec", COMMANDS["exec"]) and lookup("a") == ("apply", COMMANDS["apply"])


@pytest.mark.parametrize(("path", "words"), _cases())
def test_each_path_and_flag_parses(path: str, words: list[str]) -> None:
    positionals = POSITIONALS.get(path, [])
    if PATHS[path]["commands"] and path != "exec":  # a flag of a command group, followed by a subcommand
        positionals = [PATHS[path]["commands"][0], *POSITIONALS.get(f"{path} {PATHS[path]['commands'][0]}", [])]
    if path == "":
        flags, rest = split_root(words)
        assert rest == [] and len(flags) == (1 if words else 0)
        return
    name, command = lookup(path.split()[0]) or ("", None)
    assert command is not None, path
    if command.entry is None:
        code, out, err = _run([*path.split(), *words, *positionals])
        assert (code, out) == (2, ""), err
        assert err.count("\n") == 1 and "unexpected argument" not in err, err
        assert command.unavailable in err
        return
    parse = _module_parser(path)
    assert parse is not None, f"no parser known for {path!r}"
    if path.endswith("review") and words[:1] == ["--cyber-access-program"]:
        from pycodex_exec._args import UsageError

        with pytest.raises(UsageError, match="not supported with review"):  # as Codex refuses it
            parse([*words, "--uncommitted"])
        return
    try:
        parse([*words, *positionals])
    except SystemExit as exc:  # -V/--version print and stop with status 0
        assert exc.code == 0 and words[:1] in (["-V"], ["--version"]), (path, words, exc.code)


def test_help_of_each_path_exits_0() -> None:
    for path in PATHS:
        if path:
            code, out, _err = _run(["help", *path.split()])
            assert code == 0 and out, path

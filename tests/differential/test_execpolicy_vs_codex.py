"""Differential tests: our `codex execpolicy check` against Codex 0.169's, case by case.

Rule files and commands come from a seeded generator (valid policies with alternatives, host
executables, network rules and examples, plus malformed variants of each builtin) and a list of
hand-written malformed files. For each case both implementations run on the same files; stdout
(the JSON), the exit status and stderr must be identical. For Starlark syntax errors, where
Python's parser words its messages differently from Starlark's, stderr is compared up to the
message line (`KNOWN_DIFFERENCES`).
"""

from __future__ import annotations

import atexit
import functools
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from pathlib import Path

import pytest

pytestmark = pytest.mark.codex

KNOWN_DIFFERENCES = {"syntax": "Python's parser words syntax errors differently; file, exit status and layout match"}

WORDS = ["git", "ls", "cat", "rm", "npm", "cargo", "/usr/bin/git", "/opt/bin/cargo"]
ARGS = ["status", "push", "-rf", "--force", "test", "build", "origin", "main", "-l", ".", "a b", "it's"]


@dataclass
class Case:
    name: str
    files: list[str]
    command: list[str]
    flags: list[str] = field(default_factory=lambda: [])
    syntax: bool = False


def _codex_binary() -> Path:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2] / ".codex-ref" / "node_modules" / "@openai"
    found = sorted(root.glob("codex-linux-*/vendor/*/bin/codex")) if root.is_dir() else []
    if not found:
        pytest.fail("The real Codex 0.169 binary is missing: set PYCODEX_REAL_CODEX or install it under .codex-ref.")
    return found[0]


def _q(text: str) -> str:
    return json.dumps(text)


def _pattern(rng: random.Random) -> str:
    first = rng.choice(WORDS)
    parts = [_q(first) if rng.random() < 0.8 else f"[{_q(first)}, {_q(rng.choice(WORDS))}]"]
    for _ in range(rng.randint(0, 2)):
        if rng.random() < 0.3:
            alts = rng.sample(ARGS, rng.randint(1, 3))
            parts.append("[" + ", ".join(_q(a) for a in alts) + "]")
        else:
            parts.append(_q(rng.choice(ARGS)))
    return "[" + ", ".join(parts) + "]"


def _prefix_rule(rng: random.Random) -> str:
    args = [f"pattern={_pattern(rng)}"]
    if rng.random() < 0.7:
        args.append(f"decision={_q(rng.choice(['allow', 'prompt', 'forbidden']))}")
    if rng.random() < 0.4:
        args.append(f"justification={_q(rng.choice(['risky', 'read only', 'use the wrapper']))}")
    return f"prefix_rule({', '.join(args)})"


def _valid_file(rng: random.Random) -> str:
    lines = ["# generated policy"]
    for _ in range(rng.randint(1, 6)):
        roll = rng.random()
        if roll < 0.1:
            lines.append('host_executable(name="git", paths=["/usr/bin/git"])')
        elif roll < 0.15:
            lines.append('network_rule(host="Example.COM.", protocol="https", decision="deny")')
        else:
            lines.append(_prefix_rule(rng))
    return "\n".join(lines) + "\n"


def _command(rng: random.Random) -> list[str]:
    return [rng.choice(WORDS), *rng.sample(ARGS, rng.randint(0, 3))]


# Each mutation of a valid call: (name, rule text). All are errors in 0.169 unless noted.
MALFORMED = [
    ("empty-pattern", "prefix_rule(pattern=[])"),
    ("empty-alts", 'prefix_rule(pattern=["a", []])'),
    ("int-element", "prefix_rule(pattern=[1])"),
    ("string-pattern", 'prefix_rule(pattern="a")'),
    ("deny-decision", 'prefix_rule(pattern=["a"], decision="deny")'),
    ("capital-decision", 'prefix_rule(pattern=["a"], decision="Allow")'),
    ("none-decision", 'prefix_rule(pattern=["a"], decision=None)'),
    ("blank-justification", 'prefix_rule(pattern=["a"], justification="  ")'),
    ("int-justification", 'prefix_rule(pattern=["a"], justification=3)'),
    ("none-justification", 'prefix_rule(pattern=["a"], justification=None)'),
    ("string-match", 'prefix_rule(pattern=["a"], match="a")'),
    ("none-match", 'prefix_rule(pattern=["a"], match=None)'),
    ("bogus-kwarg", 'prefix_rule(pattern=["a"], bogus=1)'),
    ("missing-pattern", "prefix_rule()"),
    ("empty-example", 'prefix_rule(pattern=["a"], match=[""])'),
    ("empty-list-example", 'prefix_rule(pattern=["a"], match=[[]])'),
    ("bad-shell-example", 'prefix_rule(pattern=["a"], match=["a \\"b"])'),
    ("int-example", 'prefix_rule(pattern=["a"], match=[1])'),
    ("int-example-token", 'prefix_rule(pattern=["a"], match=[["a", 1]])'),
    ("unmatched-example", 'prefix_rule(pattern=["git", "push"], match=["git status", ["x", "y z"]])'),
    ("not-match-hit", 'prefix_rule(pattern=["git", "push"], not_match=["git push origin"], justification="j\\"q")'),
    ("not-match-alts", 'prefix_rule(pattern=[["a", "b"], "x"], not_match=["b x y"], decision="prompt")'),
    ("ftp", 'network_rule(host="x", protocol="ftp", decision="allow")'),
    ("wildcard-host", 'network_rule(host="*.x.com", protocol="http", decision="allow")'),
    ("scheme-host", 'network_rule(host="http://x.com", protocol="http", decision="allow")'),
    ("space-host", 'network_rule(host="x .com", protocol="http", decision="allow")'),
    ("empty-host", 'network_rule(host="", protocol="http", decision="allow")'),
    ("no-decision", 'network_rule(host="x.com", protocol="http")'),
    ("ask-decision", 'network_rule(host="x.com", protocol="https", decision="ask")'),
    ("relative-path", 'host_executable(name="git", paths=["git"])'),
    ("path-name", 'host_executable(name="/usr/bin/git", paths=["/usr/bin/git"])'),
    ("wrong-basename", 'host_executable(name="git", paths=["/usr/bin/gitx"])'),
    ("empty-name", 'host_executable(name="", paths=[])'),
    ("string-paths", 'host_executable(name="git", paths="/usr/bin/git")'),
    ("tilde-path", 'host_executable(name="git", paths=["~/bin/git"])'),
    ("undefined-variable", "x = y"),
    ("print", 'print("hi")'),
    ("load", 'load("x", "y")'),
    ("add-types", 'x = [1] + "a"'),
    ("none-plus", 'prefix_rule(pattern=["a"]) + 1'),
    ("in-function", 'def f(p):\n    prefix_rule(pattern=p, decision="forbidden")\n\nf([])'),
    ("multiline", 'prefix_rule(\n    pattern=["a"],\n    decision="x",\n)'),
]
SYNTAX = [
    ("unclosed", 'prefix_rule(pattern=["a"'),
    ("class", "class A: pass"),
    ("while", "while True: pass"),
    ("trailing-comma", 'prefix_rule(pattern=["a"],'),
    ("lone-surrogate", 'prefix_rule(pattern=["\\ud800"])'),
]
ACCEPTED = [
    ("loop", 'for x in ["a", "b"]:\n    prefix_rule(pattern=[x])', ["b", "c"]),
    ("def", 'def f(p):\n    prefix_rule(pattern=p, decision="forbidden")\nf([["curl", "wget"], "-x"])', ["wget", "-x"]),
    ("fstring", 'n = "git"\nprefix_rule(pattern=[f"{n}", "st" + "atus"])', ["git", "status"]),
    ("positional", 'prefix_rule(["a"], "prompt")', ["a"]),
    ("format", 'prefix_rule(pattern=["a%s" % "b", "{}".format("c")])', ["ab", "c"]),
    ("comprehension", 'x = {"a": 1}\nprefix_rule(pattern=[k for k in x])', ["a"]),
    ("one-alt", 'prefix_rule(pattern=[["a"]], decision="forbidden")', ["a"]),
    ("semicolons", 'prefix_rule(pattern=["a"]); prefix_rule(pattern=["b"])', ["b"]),
    ("network-ok", 'network_rule(host="[::1]:80", protocol="http-connect", decision="prompt")', ["a"]),
    ("resolve", 'host_executable(name="git", paths=["/usr/bin/git"])\nprefix_rule(pattern=["git", "status"])',
     ["/usr/bin/git", "status"]),
    ("resolve-denied", 'host_executable(name="git", paths=["/usr/bin/git"])\nprefix_rule(pattern=["git"])',
     ["/opt/git", "status"]),
    ("exact-first", 'prefix_rule(pattern=["git"])\nprefix_rule(pattern=["/opt/git"], decision="prompt")', ["/opt/git"]),
    ("fallback", 'prefix_rule(pattern=["git", "push"], decision="prompt")\nprefix_rule(pattern=["/opt/git", "x"])',
     ["/opt/git", "push"]),
]  # fmt: skip


def _cases() -> list[Case]:
    rng = random.Random(169)
    cases: list[Case] = []
    for i in range(70):
        files = [_valid_file(rng) for _ in range(rng.randint(1, 2))]
        flags = ["--pretty"] if i % 7 == 0 else []
        if i % 3 == 0:
            flags.append("--resolve-host-executables")
        cases.append(Case(f"generated-{i}", files, _command(rng), flags))
    for name, text in MALFORMED:
        cases.append(Case(f"malformed-{name}", [text + "\n"], ["a"]))
        cases.append(Case(f"malformed-{name}-second", [_valid_file(rng), text + "\n"], ["git"]))
    for name, text in SYNTAX:
        cases.append(Case(f"syntax-{name}", [text + "\n"], ["a"], syntax=True))
    for name, text, command in ACCEPTED:
        cases.append(Case(f"accepted-{name}", [text + "\n"], command, ["--resolve-host-executables"]))
    return cases


CASES = _cases()


def _write(tmp: Path, case: Case) -> list[str]:
    args: list[str] = []
    for i, text in enumerate(case.files):
        path = tmp / f"p{i}.rules"
        path.write_text(text, encoding="utf-8")
        args += ["-r", path.name]
    return args


def _ours(args: list[str], cwd: Path) -> tuple[int, str, str]:
    from pycodex_cli._execpolicy_cmd import run

    out, err = io.StringIO(), io.StringIO()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            rc = run([], ["check", *args])
    finally:
        os.chdir(old)
    return rc, out.getvalue(), err.getvalue()


@functools.cache
def _codex_home() -> str:
    """A CODEX_HOME outside /tmp (under /tmp Codex 0.169 prints a warning about helper aliases)."""
    home = tempfile.mkdtemp(prefix="pycodex-execpolicy-", dir="/var/tmp" if Path("/var/tmp").is_dir() else None)
    atexit.register(shutil.rmtree, home, True)
    return home


def _codex(args: list[str], cwd: Path) -> tuple[int, str, str]:
    env = {**os.environ, "RUST_BACKTRACE": "0", "CODEX_HOME": _codex_home()}
    proc = subprocess.run(
        [str(_codex_binary()), "execpolicy", "check", *args], cwd=cwd, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=30, check=False,
    )  # fmt: skip
    return proc.returncode, proc.stdout, proc.stderr


def _message_part(stderr: str) -> str:
    """Stderr up to the message: the file, the layout and the kind of error (`Parse error`)."""
    lines = stderr.splitlines()
    cut = next((i for i, line in enumerate(lines) if "Parse error" in line), len(lines))
    kept = lines[:cut] + ([lines[cut].split("Parse error")[0] + "Parse error"] if cut < len(lines) else [])
    return "\n".join(kept)


def test_enough_cases() -> None:
    assert len(CASES) >= 100
    assert sum(1 for c in CASES if c.name.startswith(("malformed", "syntax"))) >= 40


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_check_matches_codex(case: Case, tmp_path: Path) -> None:
    args = [*case.flags, *_write(tmp_path, case), "--", *case.command]
    ours, theirs = _ours(args, tmp_path), _codex(args, tmp_path)
    assert ours[:2] == theirs[:2]
    if case.syntax:
        assert _message_part(ours[2]) == _message_part(theirs[2]), KNOWN_DIFFERENCES["syntax"]
    else:
        assert ours[2] == theirs[2]


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--", "a"],
        ["check", "-r", "missing.rules", "--", "a"],
        ["check", "-r", "."],
        ["check", "-r", "p.rules", "git", "--pretty"],
        ["check", "-r", "p.rules", "--bogus", "git"],
    ],
)
def test_command_line_matches_codex(argv: list[str], tmp_path: Path) -> None:
    (tmp_path / "p.rules").write_text('prefix_rule(pattern=["git"])\n', encoding="utf-8")
    env = {**os.environ, "CODEX_HOME": _codex_home()}
    ours = subprocess.run(
        [sys.executable, "-m", "pycodex_cli", "execpolicy", *argv], cwd=tmp_path, env=env, capture_output=True,
        text=True, encoding="utf-8", timeout=60, check=False,
    )  # fmt: skip
    codex = subprocess.run(
        [str(_codex_binary()), "execpolicy", *argv], cwd=tmp_path, env={**env, "RUST_BACKTRACE": "0"},
        capture_output=True, text=True, encoding="utf-8", timeout=30, check=False,
    )  # fmt: skip
    assert (ours.returncode, ours.stdout) == (codex.returncode, codex.stdout)
    assert ours.stderr.splitlines()[:1] == codex.stderr.splitlines()[:1]

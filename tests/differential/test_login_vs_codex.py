"""`codex login`, `login status` and `logout` against Codex 0.169: same texts, statuses and auth.json.

Each step runs both programs on their own CODEX_HOME, and the two homes are then swapped so each
reads what the other wrote.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.codex

KEY = "sk-dummy-0123456789abcdefghij"


def _real_codex() -> Path:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[2] / ".codex-ref" / "node_modules" / "@openai"
    found = sorted(root.glob("codex-linux-*/vendor/*/bin/codex"))
    if not found:
        pytest.fail("The real Codex 0.169 binary is missing: run `just ref-codex`.")
    return found[0]


def _ours() -> list[str]:
    return [sys.executable, "-m", "pycodex_cli"]


@pytest.fixture
def homes() -> Iterator[tuple[Path, Path]]:
    # Codex refuses to set up its helpers under /tmp and says so on stderr; /var/tmp keeps it quiet.
    with tempfile.TemporaryDirectory(dir="/var/tmp") as root:
        theirs, ours = Path(root) / "codex", Path(root) / "ours"
        theirs.mkdir()
        ours.mkdir()
        yield theirs, ours


def run(command: list[str], home: Path, *args: str, stdin: str = "") -> tuple[int, list[str]]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
    env["CODEX_HOME"] = str(home)
    result = subprocess.run(
        [*command, *args], input=stdin, capture_output=True, text=True, env=env, timeout=60, encoding="utf-8"
    )
    lines = [line for line in result.stderr.splitlines() if not line.startswith("WARNING: proceeding")]
    assert result.stdout == ""
    return result.returncode, lines


STEPS: list[tuple[list[str], str]] = [
    (["login", "status"], ""),
    (["logout"], ""),
    (["login", "--with-api-key"], ""),
    (["login", "--with-api-key"], "   \n"),
    (["login", "--with-api-key"], KEY + "\n"),
    (["login", "status"], ""),
    (["logout"], ""),
    (["login", "status"], ""),
    (["login", "--with-api-key"], "sk-short\n"),
    (["login", "status"], ""),
]


def test_same_texts_and_statuses_step_by_step(homes: tuple[Path, Path]) -> None:
    theirs, ours = homes
    codex = [str(_real_codex())]
    for args, stdin in STEPS:
        assert run(codex, theirs, *args, stdin=stdin) == run(_ours(), ours, *args, stdin=stdin), args
        mine, other = ours / "auth.json", theirs / "auth.json"
        assert mine.exists() == other.exists(), args
        if mine.exists():
            assert json.loads(mine.read_text(encoding="utf-8")) == json.loads(other.read_text(encoding="utf-8"))
            assert (mine.stat().st_mode & 0o777) == (other.stat().st_mode & 0o777) == 0o600


def test_each_reads_what_the_other_wrote(homes: tuple[Path, Path]) -> None:
    theirs, ours = homes
    codex = [str(_real_codex())]
    assert run(codex, theirs, "login", "--with-api-key", stdin=KEY)[0] == 0
    assert run(_ours(), ours, "login", "--with-api-key", stdin=KEY)[0] == 0
    expected = (
        0,
        [f"API key configured - {KEY[:8]}***{KEY[-5:]}", "Authentication is checked when you send a request."],
    )
    assert run(_ours(), theirs, "login", "status") == expected
    assert run(codex, ours, "login", "status") == expected
    assert run(codex, ours, "logout") == (0, ["Successfully logged out"])
    assert run(_ours(), theirs, "logout") == (0, ["Successfully logged out"])

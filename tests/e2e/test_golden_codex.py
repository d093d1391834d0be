"""Golden comparison: the same scripted turns through Codex 0.169 and through pycodex.

The two `--json` streams must be equal once ids, timestamps and paths are normalised.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Env, Result, real_codex, scenario

from pycodex_test_support import ScriptedServer, http_error

pytestmark = pytest.mark.codex

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _normalise(events: list[dict[str, Any]], work: Path) -> list[Any]:
    import json

    text = json.dumps(events, ensure_ascii=False)
    text = UUID.sub("<uuid>", text).replace(str(work), "<work>")
    normalised = json.loads(text)
    for event in normalised:
        item = event.get("item", {})
        if item.get("type") == "command_execution":
            # Codex reads stdout and stderr from two pipes, so lines written to both close
            # together arrive in either order: compare the lines, not their interleaving.
            item["aggregated_output"] = sorted(item["aggregated_output"].splitlines(keepends=True))
    return normalised


@pytest.fixture
def codex_binary() -> Path:
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail(
            "the real Codex 0.169 binary is missing: set PYCODEX_REAL_CODEX or run "
            "`npm install --prefix .codex-ref @openai/codex@0.169.0`"
        )
    return binary


@pytest.fixture
def var_tmp() -> Iterator[Path]:
    # Codex refuses part of its start-up when CODEX_HOME is under /tmp.
    path = Path(tempfile.mkdtemp(prefix="pycodex-golden-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(root: Path, name: str) -> Env:
    home, work = root / name / "home", root / name / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


def _run(env: Env, turns: list[Any], command: list[str] | None, *args: str, provider: str = "") -> Result:
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, provider=provider, extra="check_for_update_on_startup = false")
        with (env.home / "config.toml").open("a", encoding="utf-8") as f:
            f.write("\n[analytics]\nenabled = false\n")
        return env.run("--json", *args, "do the task", command=command, timeout=90)


CASES = {
    "hello": ([], ""),
    "shell": ([], ""),
    "shell_fail": ([], ""),
    "patch": ([], ""),
    "plan": (["-c", "tools.update_plan.enabled=true"], ""),
}


@pytest.mark.parametrize("name", [*CASES, "error_fatal"])
def test_jsonl_matches_codex(name: str, codex_binary: Path, var_tmp: Path) -> None:
    args, provider = CASES.get(name, ([], "request_max_retries = 1\nstream_max_retries = 1\n"))
    turns = (lambda: [http_error(500, times=100)]) if name == "error_fatal" else (lambda: scenario(name))
    theirs_env, ours_env = _env(var_tmp, "codex"), _env(var_tmp, "ours")
    theirs = _run(theirs_env, turns(), [str(codex_binary), "exec"], *args, provider=provider)
    ours = _run(ours_env, turns(), None, *args, provider=provider)
    assert ours.rc == theirs.rc, ours.stderr
    assert _normalise(ours.events, ours_env.work) == _normalise(theirs.events, theirs_env.work)

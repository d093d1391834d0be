"""Start-up budget: what each path of the `codex` command may import.

Python start-up is where pycodex spends most of a short `codex exec` run, so heavy modules stay
off the paths that do not need them (`python -X importtime` lists what a run imports).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from e2e_support import Env, scenario

from pycodex_test_support import ScriptedServer

NEVER_ON_EXEC = {"pydantic", "pydantic_core", "prompt_toolkit", "tomlkit", "yaml", "hypothesis"}


def _imported(args: list[str], env: dict[str, str], cwd: Path | None = None) -> tuple[int, set[str]]:
    env = {**env, "PYTHONPROFILEIMPORTTIME": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        encoding="utf-8",
        stdin=subprocess.DEVNULL,
        timeout=60,
    )
    names = set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", result.stderr, re.M))
    return result.returncode, {name.split(".")[0] for name in names}


def test_version_imports_only_the_cli() -> None:
    code, modules = _imported(["--version"], dict(os.environ))
    assert code == 0
    assert not {m for m in modules if m.startswith("pycodex_") and m != "pycodex_cli"}
    assert not modules & {"httpx", "anyio", "asyncio", "pydantic", "logging", "argparse"}


def test_exec_help_does_not_load_the_engine() -> None:
    code, modules = _imported(["exec", "--help"], dict(os.environ))
    assert code == 0
    assert not modules & {"httpx", "httpcore", "anyio", "pycodex_core", "pycodex_model_client", *NEVER_ON_EXEC}


def test_exec_turn_stays_off_heavy_modules(env: Env) -> None:
    with ScriptedServer(scenario("shell")) as server:
        env.write_config(server.base_url)
        code, modules = _imported(["exec", "--json", "hi"], env.environ(), cwd=env.work)
    assert code == 0
    assert "httpx" in modules  # the path really ran a turn
    assert not modules & NEVER_ON_EXEC

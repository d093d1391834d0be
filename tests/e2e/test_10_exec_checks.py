"""`codex exec` checks what it can before the turn and never ends in a traceback on hostile input."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from e2e_support import Env, codex_command, message_turn

from pycodex_test_support import ScriptedServer


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deep_output_schema_is_refused(env: Env, tmp_path: Path) -> None:
    schema = tmp_path / "deep.json"
    schema.write_text('{"type":"object","properties":{"a":' + _nested(5000) + "}}", encoding="utf-8")
    with ScriptedServer([message_turn("no")]) as server:
        env.write_config(server.base_url)
        result = env.run("--json", "--output-schema", str(schema), "go")
        assert server.requests == []
    assert result.rc == 1
    assert f"Output schema file {schema} is not valid JSON: recursion limit exceeded" in result.stderr
    assert "Traceback" not in result.stderr


def test_deep_config_toml_is_one_error_line(env: Env) -> None:
    with ScriptedServer([message_turn("no")]) as server:
        env.write_config(server.base_url, extra=f"deep = {_nested(5000)}")
        result = env.run("--json", "go")
    assert result.rc == 1
    assert "Traceback" not in result.stderr
    assert "recursion limit exceeded" in result.stderr


def test_deep_rollout_line_is_skipped_on_resume(env: Env) -> None:
    with ScriptedServer([message_turn("first"), message_turn("second")]) as server:
        env.write_config(server.base_url)
        assert env.run("--json", "q1").rc == 0
        [rollout] = env.rollouts()
        with rollout.open("a", encoding="utf-8") as f:
            f.write('{"timestamp":"t","type":"response_item","payload":{"type":"message","x":' + _nested(5000) + "}}\n")
        result = env.run("--json", "resume", "--last", "q2")
        assert len(server.requests) == 2
    assert result.rc == 0, result.stderr[-2000:]
    assert result.types[-1] == "turn.completed"
    assert "Traceback" not in result.stderr
    assert "first" in json.dumps(server.requests[1].json["input"])


@pytest.mark.parametrize("target", ["missing/dir/out.txt", "adir"])
def test_unwritable_last_message_file_fails_before_the_turn(env: Env, target: str) -> None:
    (env.work / "adir").mkdir()
    with ScriptedServer([message_turn("answer")]) as server:
        env.write_config(server.base_url)
        result = env.run("--json", "-o", target, "go")
        assert server.requests == []
    assert result.rc == 1
    assert result.stderr.strip().splitlines()[-1].startswith(f'Error: Failed to open last message file "{target}": ')


def test_last_message_write_failure_exits_1(env: Env) -> None:
    if not Path("/dev/full").exists():
        pytest.skip("no /dev/full")
    with ScriptedServer([message_turn("answer")]) as server:
        env.write_config(server.base_url)
        result = env.run("--json", "-o", "/dev/full", "go")
    assert result.rc == 1
    assert result.types[-1] == "turn.completed"
    assert (
        'Error: Failed to write last message file "/dev/full"\nCaused by:\n    No space left on device' in result.stderr
    )


@pytest.mark.parametrize(("chars", "refused"), [(1_048_576, False), (1_048_577, True)])
def test_prompt_over_the_input_limit_is_refused(env: Env, chars: int, refused: bool) -> None:
    with ScriptedServer([message_turn("answer")]) as server:
        env.write_config(server.base_url)
        result = env.run("--json", "-", stdin="é" * chars)
        assert len(server.requests) == (0 if refused else 1)
    if refused:
        assert result.rc == 1
        assert result.types == ["thread.started"]
        assert '"input_error_code":"input_too_large","max_chars":1048576,"actual_chars":1048577' in result.stderr
        assert "Input exceeds the maximum length of 1048576 characters." in result.stderr
    else:
        assert result.rc == 0 and result.types[-1] == "turn.completed"


_AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]


def _can_run_as_nobody() -> bool:
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        return False
    probe = subprocess.run([*_AS_NOBODY, codex_command()[0], "-c", "import pycodex_exec"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not _can_run_as_nobody(), reason="needs root and setpriv to run as an unprivileged user")
@pytest.mark.parametrize("inner", [False, True])
def test_unreadable_working_directory_is_one_error_line(inner: bool) -> None:
    base = Path("/var/tmp") / f"pycodex-locked-{os.getpid()}-{int(inner)}"
    locked = base / "locked"
    home = base / "home"
    try:
        (locked / "inner").mkdir(parents=True, exist_ok=True)
        home.mkdir(exist_ok=True)
        (home / "config.toml").write_text('model = "gpt-5.5"\n', encoding="utf-8")
        base.chmod(0o755)
        home.chmod(0o777)
        locked.chmod(0o700)
        target = locked / "inner" if inner else locked
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
        argv = [*_AS_NOBODY, *codex_command(), "-C", str(target), "--skip-git-repo-check", "go"]
        result = subprocess.run(
            argv,
            input="",
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=30,
            cwd="/",
            env={**env, "CODEX_HOME": str(home)},
        )
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == f"Error: cannot use working directory {str(target)!r}: Permission denied"

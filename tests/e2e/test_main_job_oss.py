"""The README's main job: `codex exec --oss` on the embedded llama.cpp server with SmolLM2, offline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from e2e_support import codex_command

# Each test starts the embedded model: on a loaded 2-core machine a turn can take a minute.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
    env["CODEX_HOME"] = str(home)
    return subprocess.run(
        [*codex_command(), "--oss", "--skip-git-repo-check", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=300,
        encoding="utf-8",
    )


def test_oss_json_turn_on_embedded_model(tmp_path: Path) -> None:
    result = _run(tmp_path, "--json", "Say hello in one short sentence.")
    assert result.returncode == 0, result.stderr
    events = [json.loads(line) for line in result.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert types[0] == "thread.started"
    assert types[1] == "turn.started"
    assert types[-1] == "turn.completed"
    completed = [e["item"] for e in events if e["type"] == "item.completed"]
    messages = [item["text"] for item in completed if item["type"] == "agent_message"]
    assert messages and messages[-1].strip()
    usage = events[-1]["usage"]
    assert usage["input_tokens"] > 0
    assert usage["output_tokens"] > 0
    # The session was recorded, and no server is left listening once the command has exited.
    rollouts = list((tmp_path / "home" / "sessions").rglob("rollout-*.jsonl"))
    assert len(rollouts) == 1
    meta = json.loads(rollouts[0].read_text(encoding="utf-8").splitlines()[0])
    assert meta["type"] == "session_meta"
    assert meta["payload"]["id"] == events[0]["thread_id"]
    # The context window comes from probing the server (n_ctx 8192), not from a model catalog.
    lines = [json.loads(line) for line in rollouts[0].read_text(encoding="utf-8").splitlines()]
    started = [x["payload"] for x in lines if x["type"] == "event_msg" and x["payload"]["type"] == "task_started"]
    assert started[0]["model_context_window"] == 8192 * 95 // 100


def test_oss_human_output(tmp_path: Path) -> None:
    result = _run(tmp_path, "Say hello in one short sentence.")
    assert result.returncode == 0, result.stderr
    assert "provider: llamacpp" in result.stderr
    assert "model: smollm2" in result.stderr
    assert result.stdout.strip()


README_PROMPT = "Say hello to a new user in one sentence."


def _longest_run(text: str) -> int:
    """Length of the longest run of one repeated character (an emoji counts as one)."""
    best = run = 0
    previous = None
    for char in text:
        run = run + 1 if char == previous else 1
        previous = char
        if not char.isspace():
            best = max(best, run)
    return best


def test_readme_main_command_answers_briefly_and_sanely(tmp_path: Path) -> None:
    import time

    started = time.monotonic()
    result = _run(tmp_path, README_PROMPT)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    answer = result.stdout.strip()
    assert answer, result.stderr
    assert len(answer) <= 400, answer
    assert _longest_run(answer) <= 10, answer
    assert answer.isascii() or sum(not c.isascii() for c in answer) <= 4, answer
    assert "Local model ready" in result.stderr
    # The budget for the whole first-run command on CI's two cores.
    assert elapsed < 60, f"took {elapsed:.1f}s"
    # A second run reuses the prompt prefix the first one saved.
    again = _run(tmp_path, README_PROMPT)
    assert again.returncode == 0, again.stderr
    assert "prompt tokens cached" in again.stderr
    assert list((tmp_path / "home" / "cache" / "llamacpp").glob("prefix-*.bin"))

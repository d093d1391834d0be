"""`notify`: the program run after each agent turn, its payload, and the bounds on it."""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core._notify import MAX_RUNNING, TurnNotifier, run_bounded
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, response
from pycodex_model_client import StreamError

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
RECORDER = """\
import json, os, sys, time
out = sys.argv[1]
with open(out + ".pid", "a") as f:
    f.write(f"{os.getpid()}\\n")
time.sleep(float(sys.argv[2]))
with open(out, "a") as f:
    f.write(json.dumps(sys.argv[3:]) + "\\n")
"""


def _recorder(tmp_path: Path, delay: float = 0.0) -> tuple[list[str], Path]:
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER, encoding="utf-8")
    out = tmp_path / "notified.jsonl"
    return [sys.executable, str(script), str(out), str(delay)], out


def _notify_override(argv: list[str]) -> str:
    return "notify=" + json.dumps([*argv, "extra"])


def _read(path: Path) -> list[Any]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def _wait_lines(path: Path, count: int) -> list[Any]:
    deadline = time.monotonic() + 20
    while len(_read(path)) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    return _read(path)


async def _lines(path: Path, count: int) -> list[Any]:
    found = await anyio.to_thread.run_sync(_wait_lines, path, count)
    assert len(found) >= count, f"{path}: {found}"
    return found


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists()


async def test_each_completed_turn_runs_the_program_with_codex_payload(
    make_config: ConfigFactory, tmp_path: Path, workspace: Path
) -> None:
    argv, out = _recorder(tmp_path)
    transport = ScriptedTransport([response(assistant_message("Done here")), response(assistant_message("Again"))])
    config = make_config(overrides=(_notify_override(argv),))
    async with Codex.start(config, transport=transport) as codex:
        await codex.next_event()
        msgs = await collect_turn(codex, "say hi")
        await collect_turn(codex, "once more")
        thread_id = codex.thread_id
        calls = await _lines(out, 2)
    turn_id = msgs[0]["turn_id"]
    # The two programs run at once, so their lines may come in either order.
    by_message = {json.loads(payload)["last-assistant-message"]: (extra, payload) for extra, payload in calls}
    extra, payload = by_message["Done here"]
    assert extra == "extra"
    assert payload == json.dumps(
        {
            "type": "agent-turn-complete",
            "thread-id": thread_id,
            "turn-id": turn_id,
            "cwd": str(workspace),
            "client": "codex_exec",
            "input-messages": ["say hi"],
            "last-assistant-message": "Done here",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )
    assert json.loads(by_message["Again"][1])["input-messages"] == ["once more"]


async def test_the_tui_is_named_codex_tui_and_a_failed_turn_sends_nothing(
    make_config: ConfigFactory, tmp_path: Path
) -> None:
    argv, out = _recorder(tmp_path)
    failing = StreamError("boom", retryable=False)
    transport = ScriptedTransport([failing, response(assistant_message("fine"))])
    config = make_config(overrides=(_notify_override(argv),))
    async with Codex.start(config, transport=transport, originator="codex_cli_rs") as codex:
        await codex.next_event()
        failed = await collect_turn(codex, "fails")
        await collect_turn(codex, "works")
    calls = await _lines(out, 1)  # shutdown waited for the programs still running
    assert any(m["type"] == "error" for m in failed)
    assert len(calls) == 1
    payload = json.loads(calls[0][1])
    assert (payload["client"], payload["input-messages"]) == ("codex-tui", ["works"])


async def test_a_slow_program_does_not_hold_the_turn_and_is_killed_at_shutdown(
    make_config: ConfigFactory, tmp_path: Path
) -> None:
    argv, out = _recorder(tmp_path, delay=60)
    transport = ScriptedTransport([response(assistant_message("a")), response(assistant_message("b"))])
    config = make_config(overrides=(_notify_override(argv),))
    with anyio.fail_after(15):
        async with Codex.start(config, transport=transport) as codex:
            await codex.next_event()
            await collect_turn(codex, "one")
            await collect_turn(codex, "two")  # the first program is still sleeping
            pid_file = Path(str(out) + ".pid")
            pids = await _lines(pid_file, 2)
    assert all(_gone(pid) for pid in pids)
    assert not out.exists()


async def test_run_bounded_kills_and_reaps_after_the_timeout(tmp_path: Path) -> None:
    argv, out = _recorder(tmp_path, delay=60)
    with anyio.fail_after(10):
        code = await run_bounded([*argv, "x"], 0.5)
    assert code is None
    (pid,) = _read(Path(str(out) + ".pid"))
    assert _gone(pid)


async def test_a_missing_program_is_logged_not_raised(caplog: pytest.LogCaptureFixture, tmp_path: Path) -> None:
    caplog.set_level(logging.WARNING, "pycodex_core._notify")
    assert await run_bounded([str(tmp_path / "no-such-program"), "{}"], 1.0) is None
    assert "cannot run" in caplog.text
    assert await run_bounded([sys.executable, "-c", "raise SystemExit(3)"], 5.0) == 3
    assert "exited with status 3" in caplog.text


async def test_at_most_max_running_programs_at_once(tmp_path: Path) -> None:
    argv, out = _recorder(tmp_path, delay=60)
    notifier = TurnNotifier(argv, timeout_s=30)
    with anyio.fail_after(15):
        async with anyio.create_task_group() as tg:
            started = [notifier.start(tg, {"n": n}) for n in range(MAX_RUNNING + 2)]
            assert started == [True] * MAX_RUNNING + [False, False]
            assert notifier.running == MAX_RUNNING
            await _lines(Path(str(out) + ".pid"), MAX_RUNNING)
            tg.cancel_scope.cancel()
    assert notifier.running == 0
    assert all(_gone(pid) for pid in _read(Path(str(out) + ".pid")))
    assert TurnNotifier([]).start(tg, {}) is False

from __future__ import annotations

import errno
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pycodex_config import Config
from pycodex_core import Codex, find_latest_rollout, find_rollout, read_rollout
from pycodex_core._rollout import RolloutRecorder
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


async def test_rollout_written_line_by_line_and_resumed(make_config: ConfigFactory, codex_home: Path) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo hi"})),
            response(assistant_message("first answer")),
        ]
    )
    config = make_config()
    async with Codex.start(config, transport=transport) as codex:
        path = codex.rollout_path
        assert path is not None
        thread_id = codex.thread_id
        await codex.next_event()
        # session_meta is on disk before any turn.
        assert _lines(path)[0]["type"] == "session_meta"
        await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "q1", "text_elements": []}]})
        while (await codex.next_event())["msg"]["type"] != "exec_command_end":
            pass
        # Lines are flushed as they happen: the call is on disk while the turn is still running.
        assert any(line["payload"].get("type") == "function_call" for line in _lines(path))
        await collect_turn(codex)
    assert path.parent.parent.parent.parent == codex_home / "sessions"
    assert path.name.startswith("rollout-") and path.name.endswith(f"-{thread_id}.jsonl")
    lines = _lines(path)
    assert [line["ordinal"] for line in lines] == list(range(len(lines)))
    assert all(list(line) == ["timestamp", "ordinal", "type", "payload"] for line in lines)
    kinds = {line["type"] for line in lines}
    assert kinds == {"session_meta", "response_item", "event_msg", "turn_context"}
    assert "Authorization" not in path.read_text(encoding="utf-8")
    meta = lines[0]["payload"]
    assert meta["id"] == thread_id and meta["originator"] == "codex_exec" and meta["source"] == "exec"

    assert find_rollout(codex_home, thread_id) == path
    assert find_latest_rollout(codex_home, cwd=config.cwd) == path
    assert find_latest_rollout(codex_home, cwd=Path("/nonexistent")) is None

    transport2 = ScriptedTransport([response(assistant_message("second answer"))])
    async with Codex.start(config, transport=transport2, resume_from=path) as codex:
        configured: dict[str, Any] = dict((await codex.next_event())["msg"])
        assert codex.thread_id == thread_id
        assert codex.rollout_path == path
        assert any(m["type"] == "agent_message" for m in configured["initial_messages"])
        await collect_turn(codex, "q2")
    request = transport2.requests[0]
    texts = json.dumps(request["input"])
    assert "first answer" in texts and "q1" in texts
    assert request["input"][-1]["content"][0]["text"] == "q2"
    # Initial context is not repeated on resume.
    assert sum(1 for i in request["input"] if i.get("role") == "developer") == 2
    lines = _lines(path)
    assert [line["ordinal"] for line in lines] == list(range(len(lines)))
    assert sum(1 for line in lines if line["type"] == "session_meta") == 1


async def test_fork_copies_history_into_new_thread(make_config: ConfigFactory) -> None:
    config = make_config()
    transport = ScriptedTransport([response(assistant_message("original"))])
    async with Codex.start(config, transport=transport) as codex:
        await collect_turn(codex, "hello")
        source, source_id = codex.rollout_path, codex.thread_id
    assert source is not None
    transport2 = ScriptedTransport([response(assistant_message("forked"))])
    async with Codex.start(config, transport=transport2, fork_from=source) as codex:
        configured: dict[str, Any] = dict((await codex.next_event())["msg"])
        await collect_turn(codex, "again")
        forked = codex.rollout_path
    assert forked is not None and forked != source
    assert codex.thread_id != source_id
    assert configured["forked_from_id"] == source_id
    assert _lines(forked)[0]["payload"]["forked_from_id"] == source_id
    assert "original" in json.dumps(transport2.requests[0]["input"])
    assert "again" not in source.read_text(encoding="utf-8")


CODEX_ROLLOUT = [
    {
        "timestamp": "2026-11-23T19:43:14.711Z",
        "ordinal": 0,
        "type": "session_meta",
        "payload": {
            "session_id": "01a209ef-1adf-78e0-a674-f43f57803206",
            "id": "01a209ef-1adf-78e0-a674-f43f57803206",
            "timestamp": "2026-11-23T19:43:14.700Z",
            "cwd": "/home/u/work1",
            "originator": "codex_exec",
            "cli_version": "0.169.0",
            "source": "exec",
            "model_provider": "mock",
            "base_instructions": {"text": "You are Codex"},
            "git": {"commit_hash": "abc"},
        },
    },
    {
        "timestamp": "2026-11-23T19:43:14.712Z",
        "ordinal": 1,
        "type": "event_msg",
        "payload": {
            "type": "task_started",
            "turn_id": "t1",
            "started_at": 1795462994,
            "model_context_window": 258400,
            "collaboration_mode_kind": "default",
        },
    },
    {
        "timestamp": "2026-11-23T19:43:14.713Z",
        "ordinal": 2,
        "type": "response_item",
        "payload": {
            "type": "message",
            "role": "developer",
            "content": [{"type": "input_text", "text": "<permissions instructions>"}],
        },
    },
    {
        "timestamp": "2026-11-23T19:43:14.714Z",
        "ordinal": 3,
        "type": "response_item",
        "payload": {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "<environment_context>"}],
        },
    },
    {"timestamp": "2026-11-23T19:43:14.715Z", "ordinal": 4, "type": "world_state", "payload": {"anything": 1}},
    {
        "timestamp": "2026-11-23T19:43:14.716Z",
        "ordinal": 5,
        "type": "turn_context",
        "payload": {
            "turn_id": "t1",
            "cwd": "/home/u/work1",
            "approval_policy": "never",
            "model": "gpt-5.5",
            "summary": "auto",
            "new_field": True,
        },
    },
    {
        "timestamp": "2026-11-23T19:43:14.717Z",
        "ordinal": 6,
        "type": "response_item",
        "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "codex question"}]},
    },
    {
        "timestamp": "2026-11-23T19:43:14.718Z",
        "ordinal": 7,
        "type": "response_item",
        "payload": {
            "type": "message",
            "role": "assistant",
            "id": "msg_9",
            "phase": "final_answer",
            "content": [{"type": "output_text", "text": "Hello world"}],
        },
    },
    {
        "timestamp": "2026-11-23T19:43:14.719Z",
        "ordinal": 8,
        "type": "event_msg",
        "payload": {"type": "task_complete", "turn_id": "t1", "last_agent_message": "Hello world"},
    },
]


async def test_resume_codex_written_rollout(make_config: ConfigFactory, codex_home: Path) -> None:
    day = codex_home / "sessions" / "2026" / "11" / "23"
    day.mkdir(parents=True)
    path = day / "rollout-2026-11-23T19-43-14-01a209ef-1adf-78e0-a674-f43f57803206.jsonl"
    raw = [json.dumps(line) for line in CODEX_ROLLOUT]
    raw.insert(5, "{this is not json")
    path.write_text("\n".join(raw) + "\n", encoding="utf-8")
    state = read_rollout(path)
    assert state.thread_id == "01a209ef-1adf-78e0-a674-f43f57803206"
    assert state.skipped_lines == 1
    assert len(state.history) == 4
    assert state.next_ordinal == 9
    assert find_rollout(codex_home, "01a209ef-1adf-78e0-a674-f43f57803206") == path

    transport = ScriptedTransport([response(assistant_message("continued"))])
    async with Codex.start(make_config(), transport=transport, resume_from=path) as codex:
        assert codex.thread_id == "01a209ef-1adf-78e0-a674-f43f57803206"
        msgs = [(await codex.next_event())["msg"] for _ in range(2)]
        assert msgs[1]["type"] == "warning" and "Skipped 1" in msgs[1]["message"]
        await collect_turn(codex, "follow up")
    inputs = transport.requests[0]["input"]
    # Our base instructions come first (Codex keeps its own in session_meta, not in the history).
    assert inputs[0]["content"][0]["text"].startswith("You are pycodex")
    assert [i["content"][0]["text"] for i in inputs[1:]] == [
        "<permissions instructions>",
        "<environment_context>",
        "codex question",
        "Hello world",
        "follow up",
    ]
    new_lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()[len(raw) :]]
    assert new_lines[0]["ordinal"] == 9


async def test_ephemeral_writes_nothing(make_config: ConfigFactory, codex_home: Path) -> None:
    transport = ScriptedTransport([response(assistant_message("x"))])
    async with Codex.start(make_config(), transport=transport, ephemeral=True) as codex:
        await collect_turn(codex, "hi")
        assert codex.rollout_path is None
    assert not (codex_home / "sessions").exists()


async def test_unicode_line_separators_stay_inside_their_line(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message("a\u2028b\x85c"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        await collect_turn(codex, "line1\u2029line2")
        path = codex.rollout_path
    assert path is not None
    state = read_rollout(path)
    assert state.skipped_lines == 0
    texts = [c.get("text") for i in state.history if i.get("type") == "message" for c in i["content"]]
    assert "a\u2028b\x85c" in texts
    assert "line1\u2029line2" in texts


async def test_resume_starts_a_new_line_after_a_partial_last_line(make_config: ConfigFactory) -> None:
    async with Codex.start(make_config(), transport=ScriptedTransport([response(assistant_message("a"))])) as codex:
        await collect_turn(codex, "one")
        path = codex.rollout_path
    assert path is not None
    with path.open("a", encoding="utf-8") as f:
        f.write('{"timestamp":"x","ordinal":999,"type":"event_msg","payl')  # a crash mid-write
    transport = ScriptedTransport([response(assistant_message("second"))])
    async with Codex.start(make_config(), transport=transport, resume_from=path) as codex:
        await collect_turn(codex, "two")
    state = read_rollout(path)
    assert state.skipped_lines == 1
    assert [m["message"] for m in state.events if m["type"] == "agent_message"] == ["a", "second"]
    raw = path.read_text(encoding="utf-8")
    assert raw.endswith("\n")
    # Only the cut line is lost: the first line written on resume starts a line of its own.
    assert not [line for line in raw.split("\n") if line.count('"ordinal":') > 1]


def test_a_failed_write_does_not_glue_the_next_line_onto_it(tmp_path: Path) -> None:
    path = tmp_path / "rollout.jsonl"
    recorder = RolloutRecorder(path)
    recorder.record("session_meta", {"id": "t"})
    real = recorder._file
    assert real is not None

    class DiskFull:
        def __init__(self) -> None:
            self.calls = 0

        def write(self, data: memoryview) -> int:
            self.calls += 1
            if self.calls == 1:
                return real.write(data[:20])  # a short write, then the disk is full
            raise OSError(errno.ENOSPC, "No space left on device")

    recorder._file = DiskFull()  # pyright: ignore[reportAttributeAccessIssue]
    recorder.record_item({"type": "message", "role": "user", "content": []})
    recorder._file = real
    recorder.record_item({"type": "message", "role": "assistant", "content": []})
    recorder.close()
    state = read_rollout(path)
    assert state.skipped_lines == 1
    assert [i["role"] for i in state.history] == ["assistant"]
    assert state.next_ordinal == 3

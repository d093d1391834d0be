"""`run_user_shell_command` (`!cmd`): streamed events, the record the model sees, the sandbox, interrupts."""

from __future__ import annotations

import base64
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex, NoSandbox
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response
from pycodex_test_support import ScriptedServer, ev_completed, ev_message, ev_response_created, sse_turn

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
MockProvider = Callable[[str], tuple[str, ...]]
RECORD = re.compile(
    r"<user_shell_command>\n<command>\n(?P<cmd>.*)\n</command>\n<result>\nExit code: (?P<code>-?\d+)\n"
    r"Duration: \d+\.\d{4} seconds\nOutput:\n(?P<out>.*)\n</result>\n</user_shell_command>",
    re.S,
)


def _shell(command: str) -> Any:
    return {"type": "run_user_shell_command", "command": command}


def _user_texts(body: dict[str, Any]) -> list[str]:
    return [
        part["text"]
        for item in body["input"]
        if item.get("type") == "message" and item.get("role") == "user"
        for part in item["content"]
        if part.get("type") == "input_text"
    ]


def _records(body: dict[str, Any]) -> list[re.Match[str]]:
    return [m for m in map(RECORD.fullmatch, _user_texts(body)) if m is not None]


def _stdout(msgs: list[dict[str, Any]]) -> bytes:
    return b"".join(base64.b64decode(m["chunk"]) for m in msgs if m["type"] == "exec_command_output_delta")


async def test_idle_command_streams_events_and_the_model_sees_it_next_turn(
    make_config: ConfigFactory, mock_provider: MockProvider, workspace: Path
) -> None:
    server = ScriptedServer([sse_turn([ev_response_created("r1"), ev_message("m1", "seen"), ev_completed("r1")])])
    with server:
        config = make_config(overrides=mock_provider(server.base_url))
        async with Codex.start(config) as codex:
            await codex.next_event()  # session_configured
            msgs = await collect_turn(codex, _shell("echo hi; pwd"))
            await collect_turn(codex, "what did I run?")
            rollout = codex.rollout_path
        bodies = server.bodies()
    kinds = [m["type"] for m in msgs]
    assert kinds[0] == "task_started" and kinds[-1] == "task_complete"
    assert kinds.count("task_started") == 1 and "exec_command_begin" in kinds
    begin = next(m for m in msgs if m["type"] == "exec_command_begin")
    end = next(m for m in msgs if m["type"] == "exec_command_end")
    assert begin["source"] == "user_shell" == end["source"]
    assert begin["command"][1:] == ["-lc", "echo hi; pwd"] and begin["cwd"] == str(workspace)
    assert begin["turn_id"] == msgs[0]["turn_id"] == end["turn_id"]
    assert (end["exit_code"], end["status"]) == (0, "completed")
    assert end["aggregated_output"] == f"hi\n{workspace}\n"
    assert _stdout(msgs) == f"hi\n{workspace}\n".encode()
    assert msgs[-1]["last_agent_message"] is None
    (record,) = _records(bodies[0])
    assert (record["cmd"], record["code"], record["out"]) == ("echo hi; pwd", "0", f"hi\n{workspace}\n")
    assert _user_texts(bodies[0])[-1] == "what did I run?"
    assert rollout is not None
    lines = [json.loads(line) for line in rollout.read_text(encoding="utf-8").splitlines()]
    items = [line["payload"] for line in lines if line["type"] == "response_item"]
    assert any(RECORD.fullmatch(i["content"][0]["text"]) for i in items if i.get("role") == "user")


async def test_failing_command_reports_its_exit_code(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message("ok"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        msgs = await collect_turn(codex, _shell("echo oops >&2; exit 3"))
        await collect_turn(codex, "next")
    end = next(m for m in msgs if m["type"] == "exec_command_end")
    assert (end["exit_code"], end["status"], end["aggregated_output"]) == (3, "failed", "oops\n")
    (record,) = _records(transport.requests[0])
    assert (record["code"], record["out"]) == ("3", "oops\n")


async def test_refused_where_the_sandbox_cannot_run_it(make_config: ConfigFactory, workspace: Path) -> None:
    transport = ScriptedTransport([response(assistant_message("ok"))])
    marker = workspace / "ran.txt"
    async with Codex.start(make_config(sandbox="read-only"), transport=transport, sandbox=NoSandbox()) as codex:
        await codex.next_event()
        msgs = await collect_turn(codex, _shell(f"touch {marker}"))
        await collect_turn(codex, "next")
    end = next(m for m in msgs if m["type"] == "exec_command_end")
    assert (end["exit_code"], end["status"], end["source"]) == (-1, "declined", "user_shell")
    assert "read-only" in end["stderr"] and not _stdout(msgs)
    warning = next(m for m in msgs if m["type"] == "warning")
    assert "danger-full-access" in warning["message"]
    assert not marker.exists()
    (record,) = _records(transport.requests[0])
    assert record["code"] == "-1" and record["out"] == end["stderr"]


@pytest.mark.skipif(sys.platform != "linux", reason="bubblewrap is Linux-only")
async def test_runs_inside_the_session_sandbox(make_config: ConfigFactory, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    config = make_config(
        sandbox="workspace-write",
        overrides=(
            "sandbox_workspace_write.exclude_slash_tmp=true",
            "sandbox_workspace_write.exclude_tmpdir_env_var=true",
        ),
    )
    async with Codex.start(config, transport=ScriptedTransport()) as codex:
        await codex.next_event()
        inside = await collect_turn(codex, _shell("echo in > inside.txt && cat inside.txt"))
        escape = await collect_turn(codex, _shell(f"touch {outside}/escape.txt"))
    end_in = next(m for m in inside if m["type"] == "exec_command_end")
    end_out = next(m for m in escape if m["type"] == "exec_command_end")
    assert (end_in["exit_code"], end_in["aggregated_output"]) == (0, "in\n")
    assert (workspace / "inside.txt").read_text(encoding="utf-8") == "in\n"
    assert end_out["exit_code"] != 0 and "Read-only file system" in end_out["aggregated_output"]
    assert not (outside / "escape.txt").exists()


async def test_beside_a_running_turn_it_joins_that_turn(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "sleep 3; echo slow"}, call_id="slow")),
            response(assistant_message("both seen")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "go", "text_elements": []}]})
        msgs: list[dict[str, Any]] = []
        with anyio.fail_after(20):
            while True:
                msg = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_command_begin" and msg["source"] != "user_shell":
                    await codex.submit(_shell("echo side"))
                if msg["type"] in ("task_complete", "turn_aborted"):
                    break
    kinds = [m["type"] for m in msgs]
    assert kinds.count("task_started") == 1 and kinds.count("task_complete") == 1
    side = [m for m in msgs if m["type"] == "exec_command_end" and m["source"] == "user_shell"]
    assert len(side) == 1 and side[0]["aggregated_output"] == "side\n"
    assert side[0]["turn_id"] == msgs[0]["turn_id"]
    assert msgs[-1]["last_agent_message"] == "both seen"
    assert len(transport.requests) == 2
    (record,) = _records(transport.requests[1])
    assert record["out"] == "side\n"


async def test_interrupt_stops_it_and_says_so(make_config: ConfigFactory, workspace: Path) -> None:
    transport = ScriptedTransport([response(assistant_message("ok"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        await codex.submit(_shell(f"echo $$ > {workspace}/pid; sleep 30; echo late"))
        msgs: list[dict[str, Any]] = []
        with anyio.fail_after(15):
            while True:
                msg = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_command_output_delta" or (
                    msg["type"] == "exec_command_begin" and await _exists(workspace / "pid")
                ):
                    await codex.submit({"type": "interrupt"})
                if msg["type"] in ("task_complete", "turn_aborted"):
                    break
        await collect_turn(codex, "next")
    end = next(m for m in msgs if m["type"] == "exec_command_end")
    assert (end["exit_code"], end["stderr"]) == (-1, "command aborted by user")
    assert msgs[-1]["type"] == "turn_aborted"
    pid = int((workspace / "pid").read_text(encoding="utf-8"))
    assert _gone(pid)
    (record,) = _records(transport.requests[0])
    assert record["out"] == "command aborted by user"


def _wait_exists(path: Path) -> bool:
    deadline = time.monotonic() + 5
    while not path.exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    return path.exists()


async def _exists(path: Path) -> bool:
    return await anyio.to_thread.run_sync(_wait_exists, path)


def _gone(pid: int) -> bool:
    status = Path(f"/proc/{pid}/status")
    return not status.exists() or "zombie" in status.read_text(encoding="utf-8")


async def test_an_empty_command_is_an_error(make_config: ConfigFactory) -> None:
    async with Codex.start(make_config(), transport=ScriptedTransport()) as codex:
        await codex.next_event()
        await codex.submit(_shell("   "))
        with anyio.fail_after(5):
            msg = (await codex.next_event())["msg"]
    assert msg["type"] == "error" and "empty" in msg["message"]


async def test_a_command_that_outlives_its_turn_still_stops_on_interrupt(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "sleep 0.3"}, call_id="short")),
            response(assistant_message("turn done")),
            response(assistant_message("later")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "go", "text_elements": []}]})
        msgs: list[dict[str, Any]] = []
        with anyio.fail_after(20):
            while True:
                msg = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_command_begin" and msg["source"] != "user_shell":
                    await codex.submit(_shell("sleep 30"))
                if msg["type"] == "task_complete":
                    await codex.submit({"type": "interrupt"})
                if msg["type"] == "exec_command_end" and msg["source"] == "user_shell":
                    break
        await collect_turn(codex, "next")
    assert msgs[-1]["stderr"] == "command aborted by user"
    assert [m["type"] for m in msgs].count("turn_aborted") == 0
    (record,) = _records(transport.requests[2])
    assert record["out"] == "command aborted by user"

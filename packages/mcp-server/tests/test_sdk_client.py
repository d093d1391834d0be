"""The official mcp SDK client drives `codex mcp-server` against a scripted model."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import anyio
import mcp.types as types
import pytest
from mcp import ClientSession, StdioServerParameters, stdio_client
from mcp.client import NotificationBinding
from pydantic import BaseModel, ConfigDict

from pycodex_test_support import (
    ScriptedServer,
    ev_completed,
    ev_function_call,
    ev_message,
    ev_response_created,
    sse_turn,
)

pytestmark = pytest.mark.anyio


class EventParams(BaseModel):
    """`codex/event` params: the event (`id`, `msg`) and `_meta`, kept as sent."""

    model_config = ConfigDict(extra="allow")


def _message(text: str, resp: str) -> Any:
    return sse_turn([ev_response_created(resp), ev_message(f"msg_{resp}", text), ev_completed(resp, 10, 5)])


def _exec(call_id: str, cmd: str) -> Any:
    args = json.dumps({"cmd": cmd, "yield_time_ms": 5000})
    resp = f"resp_{call_id}"
    return sse_turn(
        [ev_response_created(resp), ev_function_call(call_id, "exec_command", args), ev_completed(resp, 10, 5)]
    )


def _home(tmp_path: Path, base_url: str) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text(
        f'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\nbase_url = "{base_url}"\n'
        'env_key = "MOCK_API_KEY"\nwire_api = "responses"\n',
        encoding="utf-8",
    )
    return home


def _params(home: Path, work: Path) -> StdioServerParameters:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
    env |= {"CODEX_HOME": str(home), "MOCK_API_KEY": "test-key"}
    return StdioServerParameters(command=sys.executable, args=["-m", "pycodex_mcp_server"], env=env, cwd=work)


async def test_codex_then_reply_with_an_approval(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    turns = [_message("Hello from Codex", "r1"), _exec("call_1", "echo approved > proof.txt"), _message("Ran it", "r3")]
    notes: list[dict[str, Any]] = []
    elicitations: list[dict[str, Any]] = []

    async def on_elicit(context: Any, params: Any) -> types.ElicitResult:
        elicitations.append(params.model_dump(by_alias=True, exclude_none=True))
        return types.ElicitResult(action="accept", content={})

    async def on_event(params: EventParams) -> None:
        notes.append(params.model_dump())

    events = NotificationBinding(method="codex/event", params_type=EventParams, handler=on_event)
    with ScriptedServer(turns) as model, anyio.fail_after(90):
        home = _home(tmp_path, model.base_url)
        async with stdio_client(_params(home, work)) as (read, write):
            async with ClientSession(read, write, elicitation_callback=on_elicit, notification_bindings=[events]) as s:
                init = await s.initialize()
                assert init.server_info.name == "codex-mcp-server"
                tools = {t.name: t for t in (await s.list_tools()).tools}
                assert set(tools) == {"codex", "codex-reply"}
                assert tools["codex"].input_schema["required"] == ["prompt"]
                assert "approval-policy" in tools["codex"].input_schema["properties"]
                first = await s.call_tool(
                    "codex",
                    {"prompt": "hi", "approval-policy": "untrusted", "sandbox": "danger-full-access", "cwd": str(work)},
                )
                assert first.is_error is False
                assert first.content[0].text == "Hello from Codex"  # pyright: ignore[reportAttributeAccessIssue]
                thread_id = first.structured_content["threadId"]
                assert first.structured_content == {"threadId": thread_id, "content": "Hello from Codex"}
                second = await s.call_tool("codex-reply", {"threadId": thread_id, "prompt": "run it"})
                assert second.structured_content == {"threadId": thread_id, "content": "Ran it"}
                missing = await s.call_tool("codex-reply", {"threadId": "nope", "prompt": "x"})
                assert missing.is_error is True
    assert (work / "proof.txt").read_text(encoding="utf-8") == "approved\n"
    (elicit,) = elicitations
    assert elicit["message"].startswith("Allow Codex to run `")
    kinds = [n["msg"]["type"] for n in notes]
    assert "session_configured" in kinds and "task_complete" in kinds and "exec_approval_request" in kinds
    assert all(n["_meta"]["threadId"] == thread_id for n in notes)


async def test_a_cancelled_call_interrupts_its_session(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    long_call = sse_turn(
        [
            ev_response_created("r1"),
            ev_function_call("call_1", "exec_command", json.dumps({"cmd": "echo $$ > pid.txt; exec sleep 60"})),
            ev_completed("r1", 10, 5),
        ]
    )
    notes: list[dict[str, Any]] = []
    running = anyio.Event()

    async def on_event(params: EventParams) -> None:
        note = params.model_dump()
        notes.append(note)
        if note["msg"]["type"] == "exec_command_begin":
            running.set()

    events = NotificationBinding(method="codex/event", params_type=EventParams, handler=on_event)
    args = {"prompt": "sleep", "approval-policy": "never", "sandbox": "danger-full-access", "cwd": str(work)}
    with ScriptedServer([long_call, _message("Still here", "r2")]) as model, anyio.fail_after(90):
        home = _home(tmp_path, model.base_url)
        async with stdio_client(_params(home, work)) as (read, write):
            async with ClientSession(read, write, notification_bindings=[events]) as s:
                await s.initialize()
                async with anyio.create_task_group() as tg:
                    call = anyio.CancelScope()

                    async def first_call() -> None:
                        with call:
                            await s.call_tool("codex", args)

                    tg.start_soon(first_call)
                    await running.wait()
                    call.cancel()  # the SDK sends notifications/cancelled for the abandoned request
                thread_id = notes[0]["_meta"]["threadId"]
                pid = int((work / "pid.txt").read_text(encoding="utf-8"))
                for _ in range(300):  # the interrupt kills the running command (a process has no event to wait on)
                    if not _alive(pid):
                        break
                    await anyio.sleep(0.05)
                assert not _alive(pid)
                reply = await s.call_tool("codex-reply", {"threadId": thread_id, "prompt": "again"})
                assert reply.structured_content == {"threadId": thread_id, "content": "Still here"}
    kinds = [n["msg"]["type"] for n in notes]
    assert kinds.index("exec_command_begin") < kinds.index("turn_aborted") < kinds.index("task_complete")
    aborted = next(n["msg"] for n in notes if n["msg"]["type"] == "turn_aborted")
    assert aborted["reason"] == "interrupted"
    second_request = model.requests[1].json["input"]
    outputs = [i for i in second_request if i.get("type") == "function_call_output" and i["call_id"] == "call_1"]
    assert len(outputs) == 1  # the interrupted call is answered in history before the next prompt


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True

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

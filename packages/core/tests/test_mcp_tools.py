"""MCP tools through the real `Codex` API: registration as the server comes up, approvals, events, output."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, function_call, response, user_input_op

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
CRASHY = Path(__file__).resolve().parents[2] / "mcp-client" / "tests" / "servers" / "crashy.py"


def _servers() -> tuple[str, ...]:
    return (
        f"mcp_servers.crashy.command={json.dumps(sys.executable)}",
        f"mcp_servers.crashy.args=[{json.dumps(str(CRASHY))}]",
    )


def _namespaced(name: str, call_id: str) -> dict[str, Any]:
    item = function_call(name, {}, call_id=call_id)
    item["namespace"] = "mcp__crashy"
    return item


async def _run(
    config: Config, transport: ScriptedTransport, policy: str, decisions: list[str], *, until: str = "task_complete"
) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []
    with anyio.fail_after(40):
        async with Codex.start(config, transport=transport) as codex:
            override: Any = {"type": "override_turn_context", "approval_policy": policy}
            await codex.submit(override)
            await codex.submit(user_input_op("go"))
            while True:
                msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_approval_request":
                    answer: Any = {"type": "exec_approval", "id": msg["call_id"], "decision": decisions.pop(0)}
                    await codex.submit(answer)
                if msg["type"] == until or until in str(msg.get("message", "")):
                    break
    return msgs


def _of(msgs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["type"] == kind]


async def test_a_call_waits_for_its_server_then_runs(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(_namespaced("ping", "c1")),
            response(function_call("mcp__crashy__nope", {}, call_id="c2")),
            response(assistant_message("done")),
        ]
    )
    msgs = await _run(make_config(overrides=_servers()), transport, "never", [])
    begin, end = _of(msgs, "mcp_tool_call_begin")[0], _of(msgs, "mcp_tool_call_end")[0]
    assert begin == {
        "type": "mcp_tool_call_begin",
        "call_id": "c1",
        "invocation": {"server": "crashy", "tool": "ping", "arguments": {}},
    }
    assert end["result"]["Ok"]["content"] == [{"type": "text", "text": "pong"}]
    assert set(end["duration"]) == {"secs", "nanos"}
    outputs = {i["call_id"]: i["output"] for i in transport.requests[2]["input"] if i["type"] == "function_call_output"}
    assert outputs["c1"].startswith("Wall time: ") and outputs["c1"].endswith('Output:\n{"result":"pong"}')
    assert outputs["c2"] == "unsupported call: mcp__crashy__nope"
    names = [t.get("name", t["type"]) for t in transport.requests[1]["tools"]]
    assert {"tool_search", "list_mcp_resources", "read_mcp_resource"} <= set(names)  # gpt-5.5 searches for them
    assert not [n for n in names if n.startswith("mcp__")]
    states = [m["status"]["state"] for m in _of(msgs, "mcp_startup_update")]
    assert states == ["starting", "ready"]


@pytest.mark.parametrize(("decision", "ran"), [("approved", True), ("denied", False)])
async def test_calls_go_through_the_approval_step(make_config: ConfigFactory, decision: str, ran: bool) -> None:
    transport = ScriptedTransport([response(_namespaced("ping", "c1")), response(assistant_message("done"))])
    msgs = await _run(make_config(overrides=_servers()), transport, "untrusted", [decision])
    [request] = _of(msgs, "exec_approval_request")
    assert request["command"] == ["mcp", "crashy", "ping"]
    assert "MCP tool call crashy/ping" in request["reason"]
    [end] = _of(msgs, "mcp_tool_call_end")
    assert ("Ok" in end["result"]) is ran
    if not ran:
        assert end["result"] == {"Err": "user rejected MCP tool call"}


async def test_a_crash_mid_call_is_one_failed_call(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(_namespaced("crash", "c1")), response(assistant_message("done"))])
    msgs = await _run(make_config(overrides=_servers()), transport, "never", [], until="restarting it")
    [end] = _of(msgs, "mcp_tool_call_end")
    assert end["result"]["Err"].startswith("tool call error: tool call failed for `crashy/crash`")
    assert [m["message"] for m in _of(msgs, "warning") if "crashy" in m["message"]] == [
        "MCP server `crashy` stopped (the server process exited); restarting it in the background"
    ]


async def test_a_required_server_that_fails_ends_start_up(make_config: ConfigFactory) -> None:
    from pycodex_core import CodexCoreError

    overrides = ('mcp_servers.needed.command="/nonexistent/mcp-server"', "mcp_servers.needed.required=true")
    with anyio.fail_after(20), pytest.raises(CodexCoreError, match="required MCP servers failed to start: 'needed'"):
        async with Codex.start(make_config(overrides=overrides), transport=ScriptedTransport([])):
            pass


def _tools_notes(request: dict[str, Any]) -> list[str]:
    return [
        part["text"]
        for item in request["input"]
        if item.get("role") == "developer"
        for part in item["content"]
        if part["text"].startswith("<tools>")
    ]


async def test_a_resumed_thread_hears_of_namespaces_added_since(make_config: ConfigFactory) -> None:
    first = ScriptedTransport([response(assistant_message("one"))])
    with anyio.fail_after(40):
        async with Codex.start(make_config(overrides=_servers()), transport=first) as codex:
            await codex.submit(user_input_op("go"))
            while (await codex.next_event())["msg"]["type"] != "task_complete":
                pass
            rollout = codex.rollout_path
        assert rollout is not None
        second = ScriptedTransport([response(assistant_message("two"))])
        more = (*_servers(), 'mcp_servers.extra.command="/nonexistent/mcp-server"')
        async with Codex.start(make_config(overrides=more), transport=second, resume_from=rollout) as codex:
            await codex.submit(user_input_op("again"))
            while (await codex.next_event())["msg"]["type"] != "task_complete":
                pass
    assert _tools_notes(first.requests[0]) == ["<tools>\nDeferred tool namespaces:\n- mcp__crashy\n</tools>"]
    assert _tools_notes(second.requests[0]) == [
        "<tools>\nDeferred tool namespaces:\n- mcp__crashy\n</tools>",
        "<tools>\nAdded deferred tool namespaces:\n- mcp__extra\n</tools>",
    ]

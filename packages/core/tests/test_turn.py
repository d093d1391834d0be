from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import (
    ScriptedTransport,
    assistant_message,
    collect_turn,
    custom_tool_call,
    function_call,
    reasoning,
    response,
    usage,
    user_input_op,
)
from pycodex_model_client import BadRequest, OutputItemDone, StreamError

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def types(msgs: list[dict[str, Any]]) -> list[str]:
    skip = {"token_count", "agent_message_delta", "agent_reasoning_delta", "session_configured", "warning"}
    return [m["type"] for m in msgs if m["type"] not in skip]


def of_type(msgs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["type"] == kind]


def _outputs(request: dict[str, Any]) -> list[dict[str, Any]]:
    return [i for i in request["input"] if i["type"] in ("function_call_output", "custom_tool_call_output")]


async def test_plain_message(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(reasoning("thinking"), assistant_message("Hello world"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        first = await codex.next_event()
        assert first["msg"]["type"] == "session_configured"
        assert first["msg"]["session_id"] == codex.thread_id
        msgs = await collect_turn(codex, "say hi")
    assert types(msgs) == ["task_started", "user_message", "agent_reasoning", "agent_message", "task_complete"]
    assert msgs[-1]["last_agent_message"] == "Hello world"
    assert of_type(msgs, "agent_reasoning")[0]["text"] == "thinking"
    token = of_type(msgs, "token_count")[-1]
    assert token["info"]["total_token_usage"]["total_tokens"] == 15
    [request] = transport.requests
    assert list(request) == [
        "model", "stream", "input", "tools", "tool_choice", "parallel_tool_calls", "reasoning", "store",
        "include", "prompt_cache_key", "text", "client_metadata",
    ]  # fmt: skip
    assert request["model"] == "gpt-5.5"
    assert request["tool_choice"] == "auto"
    assert request["parallel_tool_calls"] is True
    assert request["reasoning"] == {"effort": "medium"}
    assert request["include"] == ["reasoning.encrypted_content"]
    assert request["store"] is False
    assert request["prompt_cache_key"] == codex.thread_id
    assert request["text"] == {"verbosity": "low"}
    inputs = request["input"]
    assert [(i["type"], i["role"]) for i in inputs] == [
        ("message", "developer"),
        ("message", "developer"),
        ("message", "user"),
        ("message", "user"),
    ]
    assert inputs[0]["content"][0]["text"].startswith("You are pycodex")
    assert "`sandbox_mode` is `danger-full-access`" in inputs[1]["content"][0]["text"]
    assert inputs[2]["content"][-1]["text"].startswith("<environment_context>\n  <cwd>")
    assert inputs[3]["content"] == [{"type": "input_text", "text": "say hi"}]
    names = [t.get("name", t["type"]) for t in request["tools"]]
    assert names[:2] == ["exec_command", "write_stdin"]
    assert "apply_patch" in names
    patch_tool = next(t for t in request["tools"] if t.get("name") == "apply_patch")
    assert patch_tool["type"] == "custom"
    assert patch_tool["format"]["definition"].startswith("start: begin_patch hunk+ end_patch")


async def test_output_schema_sets_text_format(make_config: ConfigFactory, workspace: Path) -> None:
    schema = {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}
    transport = ScriptedTransport([response(assistant_message('{"a":"x"}'))])
    config = make_config()
    async with Codex.start(config, transport=transport) as codex:
        op = {
            "type": "user_turn",
            "items": [{"type": "text", "text": "json please", "text_elements": []}],
            "cwd": str(workspace),
            "approval_policy": "never",
            "sandbox_policy": {"type": "danger-full-access"},
            "model": "gpt-5.5",
            "final_output_json_schema": schema,
        }
        await collect_turn(codex, op)
    assert transport.requests[0]["text"] == {
        "verbosity": "low",
        "format": {"type": "json_schema", "strict": True, "schema": schema, "name": "codex_output_schema"},
    }


async def test_exec_command_then_message(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo hi; echo err 1>&2", "yield_time_ms": 2000})),
            response(assistant_message("done")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "run it")
    begin = of_type(msgs, "exec_command_begin")[0]
    end = of_type(msgs, "exec_command_end")[0]
    assert begin["command"][1:] == ["-lc", "echo hi; echo err 1>&2"]
    assert end["aggregated_output"] == "hi\nerr\n"
    assert end["exit_code"] == 0
    assert end["status"] == "completed"
    output = _outputs(transport.requests[1])[0]["output"]
    lines = output.split("\n")
    assert lines[0].startswith("Chunk ID: ") and len(lines[0]) == len("Chunk ID: ") + 6
    assert lines[1].startswith("Wall time: ") and lines[1].endswith(" seconds")
    assert lines[2:] == ["Process exited with code 0", "Original token count: 2", "Output:", "hi", "err", ""]
    tail = transport.requests[1]["input"][-2:]
    assert tail[0]["type"] == "function_call" and tail[1]["call_id"] == tail[0]["call_id"]


async def test_failing_command_keeps_exit_code(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo out; echo err >&2; exit 3"})),
            response(assistant_message("it failed")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "fail")
    end = of_type(msgs, "exec_command_end")[0]
    assert (end["exit_code"], end["status"], end["aggregated_output"]) == (3, "failed", "out\nerr\n")
    assert "Process exited with code 3" in _outputs(transport.requests[1])[0]["output"]
    assert msgs[-1]["last_agent_message"] == "it failed"


async def test_long_running_command_then_write_stdin(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(
                function_call(
                    "exec_command", {"cmd": "stty -echo; read x; echo got $x", "tty": True, "yield_time_ms": 300}
                )
            ),
            response(
                function_call(
                    "write_stdin", {"session_id": 1000, "chars": "abc\n", "yield_time_ms": 3000}, call_id="c2"
                )
            ),
            response(assistant_message("ok")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "interactive")
    first = _outputs(transport.requests[1])[0]["output"]
    assert "Process running with session ID 1000" in first
    second = _outputs(transport.requests[2])[1]["output"]
    assert "Process exited with code 0" in second and second.replace("\r\n", "\n").endswith("got abc\n")
    assert of_type(msgs, "exec_command_end")[0]["aggregated_output"].replace("\r\n", "\n") == "got abc\n"


PATCH_ADD = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n"
PATCH_UPDATE = "*** Begin Patch\n*** Update File: hello.txt\n@@\n-hello\n+hello world\n*** End Patch\n"


async def test_apply_patch_add_then_update(make_config: ConfigFactory, workspace: Path) -> None:
    transport = ScriptedTransport(
        [
            response(custom_tool_call("apply_patch", PATCH_ADD, call_id="p1")),
            response(custom_tool_call("apply_patch", PATCH_UPDATE, call_id="p2")),
            response(assistant_message("patched")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "patch")
    assert (workspace / "hello.txt").read_text(encoding="utf-8") == "hello world\n"
    out1 = _outputs(transport.requests[1])[0]
    assert out1["type"] == "custom_tool_call_output"
    assert out1["output"].startswith("Exit code: 0\nWall time: ")
    assert out1["output"].endswith("Output:\nSuccess. Updated the following files:\nA hello.txt\n")
    assert _outputs(transport.requests[2])[1]["output"].endswith("M hello.txt\n")
    begins = of_type(msgs, "patch_apply_begin")
    path = str(workspace / "hello.txt")
    assert begins[0]["changes"] == {path: {"type": "add", "content": "hello\n"}}
    assert begins[1]["changes"][path]["type"] == "update"
    ends = of_type(msgs, "patch_apply_end")
    assert [e["success"] for e in ends] == [True, True]
    diff = of_type(msgs, "turn_diff")[-1]["unified_diff"]
    assert "+hello world" in diff and "new file mode" in diff


async def test_apply_patch_failure_goes_back_to_model(make_config: ConfigFactory, workspace: Path) -> None:
    bad = "*** Begin Patch\n*** Update File: missing.txt\n@@\n-a\n+b\n*** End Patch\n"
    transport = ScriptedTransport(
        [
            response(custom_tool_call("apply_patch", bad)),
            response(assistant_message("sorry")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "patch")
    output = _outputs(transport.requests[1])[0]["output"]
    assert output.startswith("Exit code: 1\n")
    assert "missing.txt" in output
    assert not of_type(msgs, "patch_apply_begin")
    assert not any(workspace.iterdir())  # noqa: ASYNC240


async def test_apply_patch_function_variant_and_heredoc(make_config: ConfigFactory, workspace: Path) -> None:
    heredoc = f"apply_patch <<'EOF'\n{PATCH_UPDATE}EOF\n"
    transport = ScriptedTransport(
        [
            response(function_call("apply_patch", {"input": PATCH_ADD}, call_id="a")),
            response(function_call("exec_command", {"cmd": heredoc}, call_id="b")),
            response(assistant_message("ok")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "patch")
    assert (workspace / "hello.txt").read_text(encoding="utf-8") == "hello world\n"
    assert not of_type(msgs, "exec_command_begin")
    assert len(of_type(msgs, "patch_apply_end")) == 2


async def test_update_plan(make_config: ConfigFactory) -> None:
    plan = {
        "explanation": "why",
        "plan": [{"step": "one", "status": "completed"}, {"step": "two", "status": "pending"}],
    }
    transport = ScriptedTransport([response(function_call("update_plan", plan)), response(assistant_message("ok"))])
    async with Codex.start(make_config(overrides=("tools.update_plan.enabled=true",)), transport=transport) as codex:
        msgs = await collect_turn(codex, "plan")
    assert of_type(msgs, "plan_update") == [{"type": "plan_update", **plan}]
    assert _outputs(transport.requests[1])[0]["output"] == "Plan updated"
    assert any(t.get("name") == "update_plan" for t in transport.requests[0]["tools"])


async def test_update_plan_disabled_is_unsupported(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("update_plan", {"plan": []})),
            response(assistant_message("ok")),
        ]
    )
    async with Codex.start(make_config(overrides=("tools.update_plan.enabled=false",)), transport=transport) as codex:
        await collect_turn(codex, "plan")
    assert not any(t.get("name") == "update_plan" for t in transport.requests[0]["tools"])
    assert _outputs(transport.requests[1])[0]["output"] == "unsupported call: update_plan"


async def test_unknown_tool(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(function_call("frobnicate", {})), response(assistant_message("ok"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    assert _outputs(transport.requests[1])[0]["output"] == "unsupported call: frobnicate"
    assert msgs[-1]["last_agent_message"] == "ok"


async def test_request_user_input_is_refused_clearly(make_config: ConfigFactory) -> None:
    args = {"questions": [{"id": "q", "header": "H", "question": "?", "options": []}]}
    transport = ScriptedTransport(
        [response(function_call("request_user_input", args)), response(assistant_message("k"))]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await collect_turn(codex, "x")
    assert "not supported" in _outputs(transport.requests[1])[0]["output"]


async def test_thirty_sequential_tool_calls(make_config: ConfigFactory) -> None:
    turns: list[Any] = [
        response(function_call("exec_command", {"cmd": f"echo {n}"}, call_id=f"c{n}")) for n in range(30)
    ]
    transport = ScriptedTransport([*turns, response(assistant_message("all done"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "loop")
    ends = of_type(msgs, "exec_command_end")
    assert [e["aggregated_output"] for e in ends] == [f"{n}\n" for n in range(30)]
    assert len(transport.requests) == 31
    assert len(_outputs(transport.requests[-1])) == 30
    assert msgs[-1]["last_agent_message"] == "all done"
    total = of_type(msgs, "token_count")[-1]["info"]["total_token_usage"]
    assert total["input_tokens"] == 31 * 10


async def test_stream_retry_then_success(make_config: ConfigFactory) -> None:
    partial = [OutputItemDone(assistant_message("partial")), StreamError("stream disconnected before completion")]
    transport = ScriptedTransport([partial, response(assistant_message("whole"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    errors = of_type(msgs, "stream_error")
    assert [e["message"] for e in errors] == ["Reconnecting... 1/5 (stream disconnected before completion)"]
    assert msgs[-1]["last_agent_message"] == "whole"
    # The message completed before the drop stays in history and is resent.
    retried = transport.requests[1]["input"]
    assert retried[-1]["content"][0]["text"] == "partial"


async def test_stream_retries_exhausted(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([StreamError("boom", retry_after=0.001)] * 6)
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    assert len(of_type(msgs, "stream_error")) == 5
    assert of_type(msgs, "error") == [{"type": "error", "message": "boom"}]
    assert msgs[-1]["last_agent_message"] is None
    assert len(transport.requests) == 6


async def test_fatal_error_ends_turn(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([BadRequest("Invalid model foo")])
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    assert types(msgs) == ["task_started", "user_message", "error", "task_complete"]
    assert of_type(msgs, "error")[0]["message"] == "Invalid model foo"
    assert len(transport.requests) == 1


@pytest.mark.parametrize("sandbox", ["read-only", "workspace-write"])
async def test_commands_refused_without_sandbox(make_config: ConfigFactory, workspace: Path, sandbox: str) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "touch pwned"})),
            response(function_call("shell_command", {"command": "touch pwned2"}, call_id="c2")),
            response(assistant_message("could not")),
        ]
    )
    async with Codex.start(make_config(sandbox=sandbox), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    assert not any(workspace.iterdir())  # noqa: ASYNC240
    ends = of_type(msgs, "exec_command_end")
    assert [e["status"] for e in ends] == ["declined", "declined"]
    output = _outputs(transport.requests[1])[0]["output"]
    assert "not run" in output and sandbox in output
    assert ends[0]["aggregated_output"] == output
    assert len(of_type(msgs, "warning")) == 1


async def test_patch_policy_by_sandbox(make_config: ConfigFactory, workspace: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    escape = f"*** Begin Patch\n*** Add File: {outside}/x.txt\n+x\n*** End Patch\n"
    transport = ScriptedTransport(
        [
            response(custom_tool_call("apply_patch", PATCH_ADD, call_id="in")),
            response(custom_tool_call("apply_patch", escape, call_id="out")),
            response(assistant_message("ok")),
        ]
    )
    config = make_config(sandbox="workspace-write", overrides=("sandbox_workspace_write.exclude_slash_tmp=true",))
    async with Codex.start(config, transport=transport) as codex:
        await collect_turn(codex, "x")
    assert (workspace / "hello.txt").exists()
    assert not (outside / "x.txt").exists()
    # As Codex 0.169: the bare refusal, no patch events.
    refusal = "patch rejected: writing outside of the project; rejected by user approval settings"
    assert _outputs(transport.requests[2])[1]["output"] == refusal

    transport = ScriptedTransport(
        [
            response(custom_tool_call("apply_patch", PATCH_UPDATE)),
            response(assistant_message("ok")),
        ]
    )
    async with Codex.start(make_config(sandbox="read-only"), transport=transport) as codex:
        msgs = await collect_turn(codex, "x")
    assert (workspace / "hello.txt").read_text(encoding="utf-8") == "hello\n"
    assert "read-only sandbox" in _outputs(transport.requests[1])[0]["output"]
    assert of_type(msgs, "patch_apply_end")[0]["status"] == "declined"


async def test_interrupt_kills_running_command(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo $$; exec sleep 30", "yield_time_ms": 30000})),
            response(assistant_message("after")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.submit(user_input_op("sleep"))
        with anyio.fail_after(10):
            while (await codex.next_event())["msg"]["type"] != "exec_command_begin":
                pass
            await anyio.sleep(0.3)
            await codex.submit({"type": "interrupt"})
            msgs = await collect_turn(codex)
        assert msgs[-1] == {"type": "turn_aborted", "turn_id": msgs[-1]["turn_id"], "reason": "interrupted"}
        # The session stays usable and the history stays valid (the call got an "aborted" output).
        await collect_turn(codex, "next")
    last = transport.requests[-1]["input"]
    assert any(i.get("output") == "aborted" for i in last)
    assert any("<turn_aborted>" in json.dumps(i) for i in last)


async def test_usage_summed_and_auto_compaction(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(assistant_message("first"), usage_=usage(input_tokens=900, output_tokens=200)),
            response(assistant_message("SUMMARY TEXT")),
            response(assistant_message("second")),
        ]
    )
    config = make_config(overrides=("model_auto_compact_token_limit=1000",))
    async with Codex.start(config, transport=transport) as codex:
        await collect_turn(codex, "one")
        msgs = await collect_turn(codex, "two")
    assert "context_compacted" in types(msgs)
    compact_request = transport.requests[1]["input"]
    assert "Context checkpoint" in compact_request[-1]["content"][0]["text"]
    final = transport.requests[2]["input"]
    texts = [json.dumps(i) for i in final]
    assert any("SUMMARY TEXT" in t for t in texts)
    assert not any('"first"' in t for t in texts)
    assert final[-1]["content"][0]["text"] == "two"

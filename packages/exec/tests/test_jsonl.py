from typing import Any

from pycodex_exec import JsonlMapper

SID = "01a209ef-1adf-78e0-a674-f43f57803206"
USAGE = {
    "input_tokens": 310,
    "cached_input_tokens": 90,
    "output_tokens": 50,
    "reasoning_output_tokens": 8,
    "total_tokens": 360,
}


def ev(msg: dict[str, Any]) -> dict[str, Any]:
    return {"id": "1", "msg": msg}


def run(*msgs: dict[str, Any]) -> list[Any]:
    mapper = JsonlMapper()
    out: list[Any] = []
    for m in msgs:
        out.extend(mapper.map(ev(m)))
    out.extend(mapper.finish())
    return out


CONFIGURED = {"type": "session_configured", "session_id": SID, "model": "gpt-5.5", "cwd": "/w"}
STARTED = {"type": "task_started", "turn_id": "t1", "collaboration_mode_kind": "default"}
TOKENS = {"type": "token_count", "info": {"total_token_usage": USAGE, "last_token_usage": USAGE}}
COMPLETE = {"type": "task_complete", "turn_id": "t1", "last_agent_message": "Hello world"}
TURN_COMPLETED = {
    "type": "turn.completed",
    "usage": {
        "input_tokens": 310,
        "cached_input_tokens": 90,
        "cache_write_input_tokens": 0,
        "output_tokens": 50,
        "reasoning_output_tokens": 8,
    },
}


def test_appendix_a3_sequence() -> None:
    changes = {"/home/u/work1/hello.txt": {"type": "add", "content": "hello\n"}}
    cmd = ["/bin/bash", "-lc", "echo hi; echo err 1>&2"]
    out = run(
        CONFIGURED,
        STARTED,
        {"type": "agent_reasoning", "text": "**Planning** I will run echo."},
        {"type": "exec_command_begin", "call_id": "call_1", "turn_id": "t1", "command": cmd, "cwd": "/w"},
        {"type": "exec_command_output_delta", "call_id": "call_1", "stream": "stdout", "chunk": "aGkK"},
        {
            "type": "exec_command_end",
            "call_id": "call_1",
            "command": cmd,
            "aggregated_output": "hi\nerr\n",
            "exit_code": 0,
        },
        {"type": "patch_apply_begin", "call_id": "call_2", "turn_id": "t1", "auto_approved": True, "changes": changes},
        {"type": "patch_apply_end", "call_id": "call_2", "success": True, "changes": changes, "status": "completed"},
        {"type": "turn_diff", "unified_diff": "diff"},
        {"type": "agent_message", "message": "Hello world"},
        TOKENS,
        COMPLETE,
    )
    command = "/bin/bash -lc 'echo hi; echo err 1>&2'"
    file_change = {
        "id": "item_2",
        "type": "file_change",
        "changes": [{"path": "/home/u/work1/hello.txt", "kind": "add"}],
    }
    assert out == [
        {"type": "thread.started", "thread_id": SID},
        {"type": "turn.started"},
        {
            "type": "item.completed",
            "item": {"id": "item_0", "type": "reasoning", "text": "**Planning** I will run echo."},
        },
        {
            "type": "item.started",
            "item": {
                "id": "item_1",
                "type": "command_execution",
                "command": command,
                "aggregated_output": "",
                "exit_code": None,
                "status": "in_progress",
            },
        },
        {
            "type": "item.completed",
            "item": {
                "id": "item_1",
                "type": "command_execution",
                "command": command,
                "aggregated_output": "hi\nerr\n",
                "exit_code": 0,
                "status": "completed",
            },
        },
        {"type": "item.started", "item": {**file_change, "status": "in_progress"}},
        {"type": "item.completed", "item": {**file_change, "status": "completed"}},
        {"type": "item.completed", "item": {"id": "item_3", "type": "agent_message", "text": "Hello world"}},
        TURN_COMPLETED,
    ]


def test_key_order_is_codex_order() -> None:
    from pycodex_protocol.exec_events import dumps_event

    out = run(CONFIGURED, STARTED, {"type": "exec_command_begin", "call_id": "c", "command": ["ls"], "cwd": "/w"})
    assert dumps_event(out[2]) == (
        '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"ls",'
        '"aggregated_output":"","exit_code":null,"status":"in_progress"}}'
    )


def test_failed_command_keeps_exit_code() -> None:
    out = run(
        {"type": "exec_command_begin", "call_id": "c", "command": ["/bin/bash", "-lc", "exit 3"]},
        {
            "type": "exec_command_end",
            "call_id": "c",
            "aggregated_output": "out\nerr\n",
            "exit_code": 3,
            "status": "failed",
        },
    )
    assert out[1]["item"] == {
        "id": "item_0",
        "type": "command_execution",
        "command": "/bin/bash -lc 'exit 3'",
        "aggregated_output": "out\nerr\n",
        "exit_code": 3,
        "status": "failed",
    }


def test_declined_command() -> None:
    out = run(
        {"type": "exec_command_begin", "call_id": "c", "command": ["touch", "x"]},
        {"type": "exec_command_end", "call_id": "c", "aggregated_output": "", "exit_code": -1, "status": "declined"},
    )
    assert out[1]["item"]["status"] == "declined"


def test_reasoning_parts_join_and_empty_is_skipped() -> None:
    out = run(
        {"type": "agent_reasoning", "text": "**A** one"},
        {"type": "agent_reasoning", "text": "**B** two"},
        {"type": "agent_message", "message": "m"},
        {"type": "agent_reasoning", "text": "  "},
        {"type": "agent_message", "message": "n"},
    )
    assert out == [
        {"type": "item.completed", "item": {"id": "item_0", "type": "reasoning", "text": "**A** one\n**B** two"}},
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "m"}},
        {"type": "item.completed", "item": {"id": "item_2", "type": "agent_message", "text": "n"}},
    ]


def test_todo_list_started_updated_completed_after_final_message() -> None:
    plan1 = [{"step": "one", "status": "completed"}, {"step": "two", "status": "in_progress"}]
    plan2 = [{"step": "one", "status": "completed"}, {"step": "two", "status": "completed"}]
    out = run(
        STARTED,
        {"type": "plan_update", "plan": plan1},
        {"type": "plan_update", "explanation": "done", "plan": plan2},
        {"type": "agent_message", "message": "ok"},
        TOKENS,
        COMPLETE,
    )
    items1 = [{"text": "one", "completed": True}, {"text": "two", "completed": False}]
    items2 = [{"text": "one", "completed": True}, {"text": "two", "completed": True}]
    assert out == [
        {"type": "turn.started"},
        {"type": "item.started", "item": {"id": "item_0", "type": "todo_list", "items": items1}},
        {"type": "item.updated", "item": {"id": "item_0", "type": "todo_list", "items": items2}},
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "ok"}},
        {"type": "item.completed", "item": {"id": "item_0", "type": "todo_list", "items": items2}},
        TURN_COMPLETED,
    ]


def test_stream_errors_then_fatal_error_fail_the_turn() -> None:
    overload = "We’re currently experiencing high demand, which may cause temporary errors."
    out = run(
        CONFIGURED,
        STARTED,
        {"type": "stream_error", "message": "Reconnecting... 1/5", "additional_details": overload},
        {"type": "stream_error", "message": f"Reconnecting... 2/5 ({overload})"},
        {"type": "error", "message": overload},
        COMPLETE,
    )
    assert out == [
        {"type": "thread.started", "thread_id": SID},
        {"type": "turn.started"},
        {"type": "error", "message": f"Reconnecting... 1/5 ({overload})"},
        {"type": "error", "message": f"Reconnecting... 2/5 ({overload})"},
        {"type": "error", "message": overload},
        {"type": "turn.failed", "error": {"message": overload}},
    ]


def test_error_without_task_complete_still_fails_at_finish() -> None:
    out = run(STARTED, {"type": "error", "message": "Missing environment variable: `MOCK_API_KEY`."})
    assert out[-1] == {"type": "turn.failed", "error": {"message": "Missing environment variable: `MOCK_API_KEY`."}}


def test_warning_is_an_error_item_before_turn_started() -> None:
    text = (
        "Model metadata for `gpt-5-codex` not found. Defaulting to fallback metadata; "
        "this can degrade performance and cause issues."
    )
    out = run(CONFIGURED, {"type": "warning", "message": text}, STARTED)
    assert out == [
        {"type": "thread.started", "thread_id": SID},
        {"type": "item.completed", "item": {"id": "item_0", "type": "error", "message": text}},
        {"type": "turn.started"},
    ]


def test_interrupted_turn_prints_nothing_more() -> None:
    out = run(
        STARTED,
        {"type": "exec_command_begin", "call_id": "c", "command": ["sleep", "30"]},
        {"type": "turn_aborted", "turn_id": "t1", "reason": "interrupted"},
    )
    assert [e["type"] for e in out] == ["turn.started", "item.started"]


def test_usage_is_thread_total_and_defaults_to_zero() -> None:
    assert run(STARTED, COMPLETE)[-1] == {
        "type": "turn.completed",
        "usage": {
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "cache_write_input_tokens": 0,
            "output_tokens": 0,
            "reasoning_output_tokens": 0,
        },
    }
    total = {**USAGE, "cache_write_input_tokens": 7}
    out = run(
        STARTED, {"type": "token_count", "info": {"total_token_usage": total, "last_token_usage": USAGE}}, COMPLETE
    )
    assert out[-1]["usage"]["cache_write_input_tokens"] == 7


def test_mcp_and_web_search_items() -> None:
    inv = {"server": "echo-srv", "tool": "echo", "arguments": {"text": "hi"}}
    result = {"Ok": {"content": [{"type": "text", "text": "echo"}], "structuredContent": None}}
    out = run(
        {"type": "mcp_tool_call_begin", "call_id": "m", "invocation": inv},
        {
            "type": "mcp_tool_call_end",
            "call_id": "m",
            "invocation": inv,
            "duration": {"secs": 0, "nanos": 0},
            "result": result,
        },
        {
            "type": "web_search_end",
            "call_id": "ws_1",
            "query": "weather sf",
            "action": {"type": "search", "query": "weather sf"},
        },
    )
    assert out[1]["item"] == {
        "id": "item_0",
        "type": "mcp_tool_call",
        "server": "echo-srv",
        "tool": "echo",
        "arguments": {"text": "hi"},
        "result": {"content": [{"type": "text", "text": "echo"}], "structured_content": None},
        "error": None,
        "status": "completed",
    }
    assert out[2]["item"] == {
        "id": "item_1",
        "type": "web_search",
        "query": "weather sf",
        "action": {"type": "search", "query": "weather sf"},
    }

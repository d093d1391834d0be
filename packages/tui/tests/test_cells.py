"""One snapshot per kind of transcript cell, rendered from the events core sends."""

import base64
from collections.abc import Callable
from typing import Any

import pytest

from pycodex_tui._chat import ChatState
from pycodex_tui._text import Line, markup

BEGIN = {"type": "exec_command_begin", "call_id": "c1", "command": ["bash", "-lc", "pytest -q"], "source": "agent"}


def _render(events: list[dict[str, Any]]) -> str:
    out: list[Line] = []
    chat = ChatState(out.extend)
    for msg in events:
        chat.handle(msg)
    chat.flush_streams()
    return markup(out)


def _delta(text: str) -> dict[str, Any]:
    return {
        "type": "exec_command_output_delta",
        "call_id": "c1",
        "stream": "stdout",
        "chunk": base64.b64encode(text.encode()).decode(),
    }


CASES: dict[str, list[dict[str, Any]]] = {
    "agent_markdown": [
        {
            "type": "agent_message_delta",
            "delta": "# Plan\n\nSome **bold**, *em*, `code` and [a link](https://example.com).\n",
        },
        {
            "type": "agent_message_delta",
            "delta": "1. first\n2. second\n- bullet\n> quoted\n\n```python\ndef f(x):\n    return x\n```\n",
        },
        {"type": "agent_message_delta", "delta": "| col | value |\n|---|---|\n| a | 1 |\n| bb | 22 |\ntrailing line"},
        {"type": "agent_message", "message": "ignored: already streamed"},
    ],
    "agent_unstreamed": [{"type": "agent_message", "message": "Hello **world**"}],
    "reasoning": [
        {"type": "agent_reasoning_delta", "delta": "**Inspecting files**\n\nLooking at the layout."},
        {"type": "agent_reasoning", "text": "**Inspecting files**\n\nLooking at the layout."},
    ],
    "exec_ok": [
        BEGIN,
        _delta("3 passed in 0.1s\n"),
        {
            "type": "exec_command_end",
            "call_id": "c1",
            "exit_code": 0,
            "duration": {"secs": 1, "nanos": 500_000_000},
            "status": "completed",
        },
    ],
    "exec_failed_long": [
        BEGIN,
        _delta("".join(f"line {i}\n" for i in range(12))),
        {
            "type": "exec_command_end",
            "call_id": "c1",
            "exit_code": 2,
            "duration": {"secs": 0, "nanos": 42_000_000},
            "status": "failed",
        },
    ],
    "exec_declined": [
        BEGIN,
        {
            "type": "exec_command_end",
            "call_id": "c1",
            "exit_code": -1,
            "aggregated_output": "rejected by user",
            "status": "declined",
        },
    ],
    "patch": [
        {
            "type": "patch_apply_begin",
            "call_id": "p1",
            "auto_approved": True,
            "changes": {
                "/w/src/app.py": {
                    "type": "update",
                    "unified_diff": "@@ -1,3 +1,3 @@\n import os\n-x = 1\n+x = 2\n print(x)\n"
                    "@@ -10,1 +10,2 @@\n end\n+more\n",
                },
                "/w/new.txt": {"type": "add", "content": "hello\nworld\n"},
                "/w/old.txt": {"type": "delete", "content": "bye\n"},
            },
        },
        {
            "type": "patch_apply_end",
            "call_id": "p1",
            "success": True,
            "status": "completed",
            "stdout": "",
            "stderr": "",
        },
    ],
    "plan": [
        {
            "type": "plan_update",
            "explanation": "Three steps",
            "plan": [
                {"step": "read the code", "status": "completed"},
                {"step": "write the fix", "status": "in_progress"},
                {"step": "run the tests", "status": "pending"},
            ],
        }
    ],
    "error_warning_info": [
        {"type": "error", "message": "stream disconnected before completion"},
        {"type": "warning", "message": "Model metadata not found"},
        {"type": "stream_error", "message": "Reconnecting... 1/5"},
        {"type": "context_compacted"},
    ],
    "interrupted": [BEGIN, _delta("partial\n"), {"type": "turn_aborted", "reason": "interrupted"}],
    "mcp_and_search": [
        {
            "type": "mcp_tool_call_end",
            "call_id": "m",
            "invocation": {"server": "fs", "tool": "read", "arguments": {"path": "a"}},
            "result": {"Ok": {"content": []}},
        },
        {"type": "web_search_end", "call_id": "w", "query": "prompt toolkit"},
    ],
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_cell_snapshot(name: str, snapshot: Callable[[str, str], None]) -> None:
    snapshot(f"cell_{name}", _render(CASES[name]))


def test_streaming_commits_only_complete_lines() -> None:
    out: list[Line] = []
    chat = ChatState(out.extend)
    chat.handle({"type": "agent_message_delta", "delta": "Hello wor"})
    assert out == []
    pending = chat.pending_line()
    assert pending is not None and "".join(t for _, t in pending) == "• Hello wor"
    chat.handle({"type": "agent_message_delta", "delta": "ld\nsecond"})
    assert markup(out) == "• Hello world\n"
    chat.handle({"type": "agent_message", "message": "Hello world\nsecond"})
    assert markup(out) == "• Hello world\n  second\n\n"


def test_running_exec_shows_a_live_tail_of_its_output() -> None:
    chat = ChatState(lambda lines: None)
    chat.handle(BEGIN)
    chat.handle(_delta("".join(f"out {i}\n" for i in range(20))))
    live = markup(chat.execs["c1"].lines())
    assert "Running" in live and "out 19" in live and "out 14" not in live and "out 15" in live


def test_hostile_payloads_do_not_crash() -> None:
    chat = ChatState(lambda lines: None)
    for msg in [
        {"type": "exec_command_output_delta", "call_id": "nope", "chunk": "!!"},
        {"type": "exec_command_begin", "call_id": 5, "command": None},
        {"type": "exec_command_output_delta", "call_id": "5", "chunk": "not base64 \ud800"},
        {"type": "exec_command_end", "call_id": "5", "exit_code": "x", "duration": "soon"},
        {"type": "token_count", "info": {"total_token_usage": "lots"}},
        {"type": "plan_update", "plan": "nope"},
        {"type": "patch_apply_end", "call_id": "q", "changes": [1, 2]},
        {"type": "mcp_tool_call_end", "invocation": 3},
        {"type": "session_configured", "initial_messages": [1, None, {"type": "user_message", "message": "hi"}]},
    ]:
        chat.handle(msg)


def test_endless_line_is_committed_in_pieces_and_the_live_line_stays_short() -> None:
    out: list[Line] = []
    chat = ChatState(out.extend)
    for _ in range(300):
        chat.handle({"type": "agent_message_delta", "delta": "x" * 1000})
    pending = chat.pending_line()
    assert pending is not None and len("".join(t for _, t in pending)) <= 2002
    assert len(out) >= 4  # 300,000 characters without a newline: committed 64 KiB at a time
    chat.handle({"type": "agent_message", "message": ""})
    assert sum(len("".join(t for _, t in line)) for line in out) >= 300_000

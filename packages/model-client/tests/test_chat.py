from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from pycodex_model_client import Completed, Created, OutputItemAdded, OutputItemDone, OutputTextDelta, StreamError
from pycodex_test_support import Turn, chat_text_chunks, chat_tool_call_chunks, dropped_stream, http_error, sse_turn

pytestmark = pytest.mark.anyio

TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "name": "exec_command",
        "description": "Run a command",
        "strict": False,
        "parameters": {"type": "object", "properties": {"cmd": {"type": "string"}}, "required": ["cmd"]},
    },
    {
        "type": "custom",
        "name": "apply_patch",
        "description": "Patch files",
        "format": {"type": "grammar", "syntax": "lark", "definition": "start: x"},
    },
    {
        "type": "namespace",
        "name": "mcp",
        "description": "",
        "tools": [{"type": "function", "name": "echo", "description": "Echo", "parameters": {"type": "object"}}],
    },
    {"type": "web_search"},
]

REQUEST: dict[str, Any] = {
    "model": "smollm2",
    "stream": True,
    "input": [
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "You are helpful."}]},
        {
            "type": "message",
            "role": "user",
            "content": [{"type": "input_text", "text": "list"}, {"type": "input_text", "text": " files"}],
        },
        {"type": "reasoning", "id": "rs", "summary": [], "encrypted_content": "x"},
        {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Sure."}]},
        {"type": "function_call", "call_id": "c1", "name": "exec_command", "arguments": '{"cmd":"ls"}'},
        {"type": "custom_tool_call", "call_id": "c2", "name": "apply_patch", "input": "*** Begin Patch"},
        {"type": "function_call_output", "call_id": "c1", "output": "a.txt"},
        {"type": "custom_tool_call_output", "call_id": "c2", "output": [{"type": "input_text", "text": "ok"}]},
    ],
    "tools": TOOLS,
    "tool_choice": "auto",
    "parallel_tool_calls": False,
    "reasoning": {"effort": "low"},
}


async def test_request_conversion(h: Any) -> None:
    h.server.add(sse_turn(chat_text_chunks("hi")))
    with anyio.fail_after(5):
        await h.run(REQUEST, wire_api="chat")
    req = h.server.requests[0]
    assert req.path == "/v1/chat/completions"
    assert req.headers["accept"] == "text/event-stream"
    assert req.json == {
        "model": "smollm2",
        "messages": [
            {"role": "system", "content": "You are helpful."},
            {"role": "user", "content": "list files"},
            {
                "role": "assistant",
                "content": "Sure.",
                "tool_calls": [
                    {"id": "c1", "type": "function", "function": {"name": "exec_command", "arguments": '{"cmd":"ls"}'}},
                    {
                        "id": "c2",
                        "type": "function",
                        "function": {"name": "apply_patch", "arguments": '{"input": "*** Begin Patch"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "c1", "content": "a.txt"},
            {"role": "tool", "tool_call_id": "c2", "content": "ok"},
        ],
        "stream": True,
        "stream_options": {"include_usage": True},
        "tools": [
            {
                "type": "function",
                "function": {
                    "name": "exec_command",
                    "description": "Run a command",
                    "parameters": TOOLS[0]["parameters"],
                },
            },
            {
                "type": "function",
                "function": {
                    "name": "apply_patch",
                    "description": "Patch files",
                    "parameters": {
                        "type": "object",
                        "properties": {"input": {"type": "string", "description": "The raw tool input."}},
                        "required": ["input"],
                        "additionalProperties": False,
                    },
                },
            },
            {
                "type": "function",
                "function": {"name": "mcp__echo", "description": "Echo", "parameters": {"type": "object"}},
            },
        ],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "reasoning_effort": "low",
    }


async def test_text_stream(h: Any) -> None:
    h.server.add(sse_turn(chat_text_chunks("Hello there", pieces=2)))
    with anyio.fail_after(5):
        events = await h.run(wire_api="chat")
    assert events == [
        Created("chatcmpl-1"),
        OutputItemAdded({"type": "message", "role": "assistant", "content": []}),
        OutputTextDelta("Hello "),
        OutputTextDelta("there"),
        OutputItemDone(
            {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Hello there"}]}
        ),
        Completed(
            "chatcmpl-1",
            {
                "input_tokens": 10,
                "cached_input_tokens": 0,
                "output_tokens": 5,
                "reasoning_output_tokens": 0,
                "total_tokens": 15,
            },
        ),
    ]


async def test_tool_calls_assembled_by_index(h: Any) -> None:
    calls = [
        ("call_a", "exec_command", '{"cmd": "echo hi"}'),
        ("call_b", "apply_patch", json.dumps({"input": "*** Begin Patch\n*** End Patch\n"})),
        ("call_c", "mcp__echo", '{"text": "x"}'),
    ]
    h.server.add(sse_turn(chat_tool_call_chunks(calls, pieces=4)))
    with anyio.fail_after(5):
        events = await h.run({**REQUEST, "input": []}, wire_api="chat")
    done = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert done == [
        {"type": "function_call", "call_id": "call_a", "name": "exec_command", "arguments": '{"cmd": "echo hi"}'},
        {
            "type": "custom_tool_call",
            "call_id": "call_b",
            "name": "apply_patch",
            "input": "*** Begin Patch\n*** End Patch\n",
        },
        {
            "type": "function_call",
            "call_id": "call_c",
            "name": "echo",
            "arguments": '{"text": "x"}',
            "namespace": "mcp",
        },
    ]
    assert isinstance(events[-1], Completed)


async def test_chat_eof_without_finish_is_retryable(h: Any) -> None:
    h.server.add(Turn(events=list(chat_text_chunks("abc"))[:2], done_marker=False))
    with anyio.fail_after(5), pytest.raises(StreamError, match="stream closed before response.completed") as info:
        await h.run(wire_api="chat")
    assert info.value.retryable


async def test_chat_finish_without_done_completes(h: Any) -> None:
    h.server.add(Turn(events=list(chat_text_chunks("abc", with_usage=False)), done_marker=False))
    with anyio.fail_after(5):
        events = await h.run(wire_api="chat")
    assert events[-1] == Completed("chatcmpl-1", None)


async def test_chat_5xx_retry_and_drop(h: Any) -> None:
    h.server.add(http_error(502, times=2), dropped_stream(chat_text_chunks("abc"), after=2))
    with anyio.fail_after(5), pytest.raises(StreamError, match="stream disconnected before completion"):
        await h.run(wire_api="chat")
    assert len(h.server.requests) == 3


async def test_chat_in_stream_error(h: Any) -> None:
    h.server.add(sse_turn([{"error": {"message": "model crashed"}}]))
    with anyio.fail_after(5), pytest.raises(StreamError, match="model crashed"):
        await h.run(wire_api="chat")


# --- Regressions -------------------------------------------------------------------------------------------------


def _decode_all(chunks: list[dict[str, Any]]) -> list[Any]:
    from pycodex_model_client._chat import ChatDecoder

    decoder = ChatDecoder()
    events: list[Any] = []
    for chunk in chunks:
        events += decoder.decode(json.dumps(chunk))
    return events + decoder.decode("[DONE]")


def test_whole_tool_calls_without_index_stay_separate() -> None:
    calls = [
        {"id": "call_a", "type": "function", "function": {"name": "shell", "arguments": '{"command":["ls"]}'}},
        {"id": "call_b", "type": "function", "function": {"name": "read", "arguments": '{"path":"x"}'}},
    ]
    chunk = {"id": "c1", "choices": [{"index": 0, "delta": {"tool_calls": calls}, "finish_reason": "tool_calls"}]}
    done = [e.item for e in _decode_all([chunk]) if isinstance(e, OutputItemDone)]
    assert done == [
        {"type": "function_call", "call_id": "call_a", "name": "shell", "arguments": '{"command":["ls"]}'},
        {"type": "function_call", "call_id": "call_b", "name": "read", "arguments": '{"path":"x"}'},
    ]


def test_streamed_tool_calls_without_index_append_to_the_last_call() -> None:
    def delta(tc: dict[str, Any]) -> dict[str, Any]:
        return {"id": "c1", "choices": [{"index": 0, "delta": {"tool_calls": [tc]}}]}

    chunks = [
        delta({"id": "call_a", "function": {"name": "shell", "arguments": '{"comm'}}),
        delta({"function": {"arguments": 'and":1}'}}),
        delta({"id": "call_a", "function": {"arguments": ""}}),  # same id repeated: still the same call
        delta({"id": "call_b", "function": {"name": "read", "arguments": "{}"}}),
        {"id": "c1", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]},
    ]
    done = [e.item for e in _decode_all(chunks) if isinstance(e, OutputItemDone)]
    assert done == [
        {"type": "function_call", "call_id": "call_a", "name": "shell", "arguments": '{"command":1}'},
        {"type": "function_call", "call_id": "call_b", "name": "read", "arguments": "{}"},
    ]


def test_local_shell_call_history_pairs_with_its_output() -> None:
    from pycodex_model_client._chat import convert_messages

    action = {"type": "exec", "command": ["ls", "-l"], "timeout_ms": 1000}
    request = {
        "input": [
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
            {"type": "local_shell_call", "call_id": "c4", "status": "completed", "action": action},
            {"type": "function_call_output", "call_id": "c4", "output": "x"},
        ]
    }
    assert convert_messages(request) == [
        {"role": "user", "content": "hi"},
        {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {"id": "c4", "type": "function", "function": {"name": "local_shell", "arguments": json.dumps(action)}}
            ],
        },
        {"role": "tool", "tool_call_id": "c4", "content": "x"},
    ]
    # No `tool` message may refer to a call that is not in an earlier assistant message.
    messages = convert_messages(request)
    ids = {c["id"] for m in messages for c in m.get("tool_calls") or ()}
    assert all(m["tool_call_id"] in ids for m in messages if m["role"] == "tool")


def test_multi_part_tool_output_joined_with_newlines() -> None:
    from pycodex_model_client._chat import convert_messages

    output = [{"type": "input_text", "text": "a"}, {"type": "input_text", "text": "b"}]
    request = {
        "input": [
            {"type": "function_call", "call_id": "c3", "name": "echo", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c3", "output": output},
        ]
    }
    assert convert_messages(request)[-1] == {"role": "tool", "tool_call_id": "c3", "content": "a\nb"}

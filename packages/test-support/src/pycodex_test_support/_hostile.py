r"""Hostile model-server answers: what a broken or malicious server may stream, on both wires.

`hostile_turn(mode, chat=...)` returns a `Turn` whose frames are produced lazily, so endless modes cost the
server no memory. Modes (`HOSTILE_MODES`):

- `garbage`: binary noise, invalid UTF-8, non-JSON `data:` lines, unknown fields, then a normal answer.
- `out_of_order`: deltas after their item finished, items before `response.created`, duplicated events.
- `wrong_types`: every field a client reads, in turn, holding each wrong JSON type (`null`, numbers such as
  `1e400`, strings, arrays, objects, booleans), then a normal answer.
- `deep`: events nested thousands of levels deep (and just under a typical recursion limit), then an answer.
- `surrogates`: lone UTF-16 surrogates (`\ud800`, `\udc80`) in text, keys, tool arguments and plan steps.
- `endless_deltas`: text deltas of `delta_bytes` each, without end (or until `total_bytes`, then an answer).
- `huge_line`: one `data:` line that never ends.
- `keepalive`: only SSE comment lines, forever.
- `slow_drip`: a normal answer written a few bytes at a time.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable, Iterator
from typing import Any

from ._builders import (
    assistant_message,
    chat_text_chunks,
    chat_usage_chunk,
    encode_chat_chunk,
    encode_responses_event,
    ev_completed,
    ev_function_call,
    ev_message,
    ev_output_item_added,
    ev_output_text_delta,
    ev_reasoning_summary_delta,
    ev_response_created,
)
from ._script import Turn

__all__ = ["HOSTILE_MODES", "hostile_turn"]

Json = dict[str, Any]
Frames = Callable[[], Iterator[bytes]]

HOSTILE_MODES = (
    "garbage",
    "out_of_order",
    "wrong_types",
    "deep",
    "surrogates",
    "endless_deltas",
    "huge_line",
    "keepalive",
    "slow_drip",
)
"""Every mode `hostile_turn` knows."""

WRONG_VALUES: tuple[Any, ...] = (None, 0, -7, 1e400, 3.5, "str", "", [], [1, "x"], {}, {"a": 1}, True)
"""The values substituted into each field by the `wrong_types` mode (`1e400` encodes as a huge literal)."""


def _dumps(obj: Any) -> str:
    return json.dumps(obj, separators=(",", ":")).replace("Infinity", "1e400")


def _responses_frame(event: Json) -> bytes:
    return f"event: {event.get('type', 'message')}\ndata: {_dumps(event)}\n\n".encode()


def _chat_frame(chunk: Json) -> bytes:
    return f"data: {_dumps(chunk)}\n\n".encode()


def _answer(chat: bool, text: str = "survived") -> list[bytes]:
    """A normal final answer: one message and completion."""
    if chat:
        return [*(encode_chat_chunk(c) for c in chat_text_chunks(text)), b"data: [DONE]\n\n"]
    return [encode_responses_event(e) for e in (ev_response_created("resp_h"), ev_message("msg_h", text))] + [
        encode_responses_event(ev_completed("resp_h", 10, 5))
    ]


def _garbage(chat: bool) -> Iterator[bytes]:
    yield b": hello\n\n"
    yield b"data: not json at all\n\n"
    yield b'data: {"type": \n\n'
    yield b"event: \x00\x01\x02\ndata: []\n\n"
    yield b"data: 12345\n\n"
    yield b'data: "a string"\n\n'
    yield b"data: null\n\n"
    yield b"nonsense-field: value\nid: 7\nretry: abc\n\n"
    yield b'data: {"type": "response.unknown_event", "x": {"y": [1, 2]}}\n\n'
    yield b'data: {"choices": [{"delta": {"content": "hi", "unknown": 1}}], "extra": true}\n\n'
    yield b"data: \xff\xfe\xc3\x28 broken utf-8\n\n"
    yield from _answer(chat)


def _out_of_order(chat: bool) -> Iterator[bytes]:
    if chat:
        yield _chat_frame({"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]})
        yield _chat_frame({"choices": [{"index": 0, "delta": {"content": "late "}}]})
        yield _chat_frame({"choices": [{"delta": {"tool_calls": [{"index": 3, "function": {"arguments": "{}"}}]}}]})
        yield _chat_frame(chat_usage_chunk())
        yield _chat_frame({"id": "second", "choices": [{"index": 0, "delta": {"role": "assistant"}}]})
        yield from _answer(chat)
        return
    yield _responses_frame(ev_output_text_delta("before anything"))
    yield _responses_frame(ev_message("msg_0", "done before added"))
    yield _responses_frame(ev_output_item_added(assistant_message("msg_0", "")))
    yield _responses_frame(ev_response_created("resp_late"))
    yield _responses_frame(ev_reasoning_summary_delta("orphan", summary_index=9))
    yield _responses_frame(ev_response_created("resp_again"))
    yield from _answer(chat)


def _wrong_type_events(chat: bool) -> Iterator[Json]:
    """One event per (field, wrong value) pair, for every field a client reads."""
    for value in WRONG_VALUES:
        if chat:
            yield {"id": value, "choices": [{"index": 0, "delta": {"content": "x"}}]}
            yield {"choices": value}
            yield {"choices": [value]}
            yield {"choices": [{"delta": value, "finish_reason": None}]}
            yield {"choices": [{"delta": {"content": value, "reasoning_content": value, "reasoning": value}}]}
            yield {"choices": [{"delta": {"tool_calls": value}}]}
            yield {"choices": [{"delta": {"tool_calls": [value]}}]}
            tc = {"index": value, "id": value, "function": {"name": value, "arguments": value}}
            yield {"choices": [{"delta": {"tool_calls": [tc]}}]}
            yield {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": value}]}}]}
            yield {"usage": value}
            yield {"usage": {"prompt_tokens": value, "completion_tokens": value, "total_tokens": value}}
            yield {"usage": {"prompt_tokens_details": value, "completion_tokens_details": {"reasoning_tokens": value}}}
            continue
        yield {"type": value}
        for kind in ("response.output_text.delta", "response.reasoning_summary_text.delta"):
            yield {"type": kind, "delta": value, "summary_index": value}
        yield {"type": "response.reasoning_text.delta", "delta": "x", "content_index": value}
        yield {"type": "response.reasoning_summary_part.added", "summary_index": value}
        yield {"type": "response.custom_tool_call_input.delta", "delta": "x", "call_id": value, "item_id": value}
        yield {"type": "response.created", "response": value}
        yield {"type": "response.created", "response": {"id": value}}
        yield {"type": "response.output_item.added", "item": value}
        yield {"type": "response.output_item.done", "item": value}
        yield {"type": "response.output_item.done", "item": {"type": value}}
        message = {"type": "message", "role": value, "id": value, "phase": value, "content": value}
        yield {"type": "response.output_item.done", "item": message}
        parts = {"type": "message", "role": "assistant", "content": [value, {"type": "output_text", "text": value}]}
        yield {"type": "response.output_item.done", "item": parts}
        reasoning = {"type": "reasoning", "summary": value, "content": [{"type": "reasoning_text", "text": value}]}
        yield {"type": "response.output_item.done", "item": reasoning}
        call = {"type": "function_call", "name": value, "call_id": value, "arguments": value, "namespace": value}
        yield {"type": "response.output_item.done", "item": call}
        yield {"type": "response.output_item.done", "item": {"type": "web_search_call", "action": value}}
        yield {"type": "response.output_item.done", "item": {"type": "custom_tool_call", "input": value}}
        yield {"type": "response.output_item.done", "item": {"type": "local_shell_call", "action": value}}


def _wrong_types(chat: bool) -> Iterator[bytes]:
    encode = _chat_frame if chat else _responses_frame
    for event in _wrong_type_events(chat):
        yield encode(event)
    if not chat:
        for value in WRONG_VALUES:  # odd usage still completes the response
            usage = {"input_tokens": value, "output_tokens": value, "input_tokens_details": value}
            yield _responses_frame({"type": "response.in_progress", "response": {"usage": usage}})
        yield _responses_frame(ev_message("msg_w", "survived"))
        usage = {"input_tokens": "many", "output_tokens": 1e400, "output_tokens_details": {"reasoning_tokens": []}}
        yield _responses_frame({"type": "response.completed", "response": {"id": 5, "usage": usage}})
        return
    yield from _answer(chat)


def _nested(depth: int, leaf: str = '"x"') -> str:
    return "[" * depth + leaf + "]" * depth


def _deep(chat: bool) -> Iterator[bytes]:
    for depth in (990, 5000, 100_000):
        if chat:
            yield f'data: {{"choices":[{{"delta":{{"content":"d","x":{_nested(depth)}}}}}]}}\n\n'.encode()
            tool = f'{{"index":0,"function":{{"name":"n","arguments":{_nested(depth)}}}}}'
            yield f'data: {{"choices":[{{"delta":{{"tool_calls":[{tool}]}}}}]}}\n\n'.encode()
        else:
            yield f'data: {{"type":"response.output_text.delta","delta":"d","x":{_nested(depth)}}}\n\n'.encode()
            item = f'{{"type":"message","role":"assistant","content":{_nested(depth)}}}'
            yield f'data: {{"type":"response.output_item.done","item":{item}}}\n\n'.encode()
            args = json.dumps({"plan": json.loads(_nested(200))}) if depth == 990 else _nested(depth)
            yield _responses_frame(ev_function_call("call_deep", "update_plan", args))
    yield from _answer(chat)


def _surrogates(chat: bool) -> Iterator[bytes]:
    text = "A\ud800B \udc80 \udfff\ud800"
    plan = json.dumps({"plan": [{"step": "s\udc80", "status": "completed"}]})
    if chat:
        yield _chat_frame({"id": "c\ud800", "choices": [{"index": 0, "delta": {"content": text}}]})
        call = {"index": 0, "id": "call_s", "function": {"name": "update_plan", "arguments": plan}}
        yield _chat_frame({"choices": [{"index": 0, "delta": {"tool_calls": [call]}, "finish_reason": "stop"}]})
        yield _chat_frame({"choices": [], "usage": {"prompt_tokens": 1, "completion_tokens": 1, "\ud800": 2}})
        yield b"data: [DONE]\n\n"
        return
    yield _responses_frame(ev_response_created("resp_\ud800"))
    yield _responses_frame(ev_output_text_delta(text))
    yield _responses_frame(ev_message("msg_\udc80", text))
    yield _responses_frame({"type": "response.output_item.done", "item": {"type": "reasoning", "\ud800": 1}})
    yield _responses_frame(ev_function_call("call_s", "update_plan", plan))
    yield _responses_frame(ev_completed("resp_s", 1, 1))


def _endless(chat: bool, delta_bytes: int, total_bytes: int | None) -> Iterator[bytes]:
    piece = "x" * delta_bytes
    if chat:
        frame = _chat_frame({"choices": [{"index": 0, "delta": {"content": piece}}]})
    else:
        frame = _responses_frame(ev_output_text_delta(piece))
    count = itertools.count() if total_bytes is None else range(max(1, total_bytes // delta_bytes))
    for _ in count:
        yield frame
    yield from _answer(chat)


def _huge_line(chat: bool) -> Iterator[bytes]:
    yield b'data: {"type":"response.output_text.delta","delta":"'
    block = b"y" * (256 * 1024)
    while True:
        yield block


def _keepalive(chat: bool) -> Iterator[bytes]:
    while True:
        yield b": keepalive\n\n"


def hostile_turn(
    mode: str,
    *,
    chat: bool = False,
    delta_bytes: int = 10 * 1024,
    total_bytes: int | None = None,
    times: int = 1,
) -> Turn:
    """A `Turn` that streams the hostile `mode` (one of `HOSTILE_MODES`) for the Responses or the Chat wire.

    Args:
        mode: What to send.
        chat: Frame for `/chat/completions` instead of `/responses`.
        delta_bytes: Size of each text delta in `endless_deltas`.
        total_bytes: Stop `endless_deltas` after about this many bytes and answer normally (`None`: never stop).
        times: Serve the turn for this many consecutive requests.

    Raises:
        ValueError: `mode` is unknown.
    """
    makers: dict[str, Frames] = {
        "garbage": lambda: _garbage(chat),
        "out_of_order": lambda: _out_of_order(chat),
        "wrong_types": lambda: _wrong_types(chat),
        "deep": lambda: _deep(chat),
        "surrogates": lambda: _surrogates(chat),
        "endless_deltas": lambda: _endless(chat, delta_bytes, total_bytes),
        "huge_line": lambda: _huge_line(chat),
        "keepalive": lambda: _keepalive(chat),
        "slow_drip": lambda: iter(_answer(chat, "dripped")),
    }
    if mode not in makers:
        raise ValueError(f"unknown hostile mode {mode!r}; expected one of {', '.join(HOSTILE_MODES)}")
    turn = Turn(frames=makers[mode], done_marker=False, times=times)
    if mode == "keepalive":
        turn.event_delay_s = 0.05
    if mode == "slow_drip":
        turn.drip_bytes, turn.event_delay_s = 3, 0.002
    return turn

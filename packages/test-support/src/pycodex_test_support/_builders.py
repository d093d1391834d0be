r"""Builders for the SSE events a Responses API (and Chat Completions) server sends.

Every `ev_*` function returns one event as a JSON-ready dict; `sse()` renders a list of them as the
`event: <type>\ndata: <json>\n\n` body the real API sends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

Json = dict[str, Any]


def ev_response_created(response_id: str = "resp_1") -> Json:
    """`response.created`."""
    return {"type": "response.created", "response": {"id": response_id}}


def ev_in_progress(response_id: str = "resp_1") -> Json:
    """`response.in_progress`."""
    return {"type": "response.in_progress", "response": {"id": response_id}}


def ev_output_item_added(item: Json) -> Json:
    """`response.output_item.added` for `item`."""
    return {"type": "response.output_item.added", "item": item}


def ev_output_item_done(item: Json) -> Json:
    """`response.output_item.done` for `item`."""
    return {"type": "response.output_item.done", "item": item}


def ev_output_text_delta(text: str, item_id: str = "msg_1") -> Json:
    """`response.output_text.delta`."""
    return {"type": "response.output_text.delta", "item_id": item_id, "output_index": 0, "delta": text}


def assistant_message(item_id: str, text: str) -> Json:
    """A finished assistant `message` item."""
    return {
        "type": "message",
        "id": item_id,
        "status": "completed",
        "role": "assistant",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def ev_message(item_id: str, text: str) -> Json:
    """`response.output_item.done` of an assistant message."""
    return ev_output_item_done(assistant_message(item_id, text))


def ev_reasoning(item_id: str, summary_text: str, encrypted_content: str | None = "enc") -> Json:
    """`response.output_item.done` of a reasoning item with one summary part."""
    return ev_output_item_done(
        {
            "type": "reasoning",
            "id": item_id,
            "summary": [{"type": "summary_text", "text": summary_text}],
            "content": None,
            "encrypted_content": encrypted_content,
        }
    )


def ev_reasoning_summary_delta(delta: str, summary_index: int = 0) -> Json:
    """`response.reasoning_summary_text.delta`."""
    return {"type": "response.reasoning_summary_text.delta", "delta": delta, "summary_index": summary_index}


def ev_reasoning_summary_part_added(summary_index: int) -> Json:
    """`response.reasoning_summary_part.added`."""
    return {"type": "response.reasoning_summary_part.added", "summary_index": summary_index}


def ev_reasoning_text_delta(delta: str, content_index: int = 0) -> Json:
    """`response.reasoning_text.delta` (raw reasoning)."""
    return {"type": "response.reasoning_text.delta", "delta": delta, "content_index": content_index}


def ev_function_call(call_id: str, name: str, arguments_json: str, item_id: str | None = None) -> Json:
    """`response.output_item.done` of a `function_call`."""
    return ev_output_item_done(
        {
            "type": "function_call",
            "id": item_id or f"fc_{call_id}",
            "call_id": call_id,
            "name": name,
            "arguments": arguments_json,
        }
    )


def ev_custom_tool_call(call_id: str, name: str, input: str, item_id: str | None = None) -> Json:
    """`response.output_item.done` of a `custom_tool_call` (for example freeform `apply_patch`)."""
    return ev_output_item_done(
        {
            "type": "custom_tool_call",
            "id": item_id or f"ctc_{call_id}",
            "call_id": call_id,
            "name": name,
            "input": input,
        }
    )


def ev_custom_tool_call_input_delta(call_id: str, delta: str) -> Json:
    """`response.custom_tool_call_input.delta`."""
    return {"type": "response.custom_tool_call_input.delta", "call_id": call_id, "delta": delta}


def usage(
    input_tokens: int = 10,
    output_tokens: int = 5,
    *,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
) -> Json:
    """A Responses API `usage` object."""
    return {
        "input_tokens": input_tokens,
        "input_tokens_details": {"cached_tokens": cached_tokens},
        "output_tokens": output_tokens,
        "output_tokens_details": {"reasoning_tokens": reasoning_tokens},
        "total_tokens": input_tokens + output_tokens,
    }


def ev_completed(
    response_id: str = "resp_1",
    input_tokens: int = 10,
    output_tokens: int = 5,
    *,
    cached_tokens: int = 0,
    reasoning_tokens: int = 0,
) -> Json:
    """`response.completed` with usage."""
    return {
        "type": "response.completed",
        "response": {
            "id": response_id,
            "usage": usage(input_tokens, output_tokens, cached_tokens=cached_tokens, reasoning_tokens=reasoning_tokens),
        },
    }


def ev_failed(code: str, message: str, response_id: str = "resp_1") -> Json:
    """`response.failed` with `error {code, message}`."""
    return {
        "type": "response.failed",
        "response": {"id": response_id, "status": "failed", "error": {"code": code, "message": message}},
    }


def ev_incomplete(reason: str = "max_output_tokens", response_id: str = "resp_1") -> Json:
    """`response.incomplete` with `incomplete_details.reason`."""
    return {
        "type": "response.incomplete",
        "response": {"id": response_id, "status": "incomplete", "incomplete_details": {"reason": reason}},
    }


def _split(text: str, pieces: int) -> list[str]:
    if pieces <= 1 or len(text) <= 1:
        return [text]
    size = max(1, -(-len(text) // pieces))
    return [text[i : i + size] for i in range(0, len(text), size)]


def text_message_events(
    text: str,
    *,
    response_id: str = "resp_1",
    item_id: str = "msg_1",
    pieces: int = 3,
    input_tokens: int = 10,
    output_tokens: int = 5,
) -> list[Json]:
    """The full event sequence the real API sends for one assistant text message.

    `created, in_progress, output_item.added, content_part.added, N x output_text.delta, output_text.done,
    content_part.done, output_item.done, completed`.
    """
    part_base = {"item_id": item_id, "output_index": 0, "content_index": 0}
    events: list[Json] = [
        ev_response_created(response_id),
        ev_in_progress(response_id),
        ev_output_item_added(
            {"type": "message", "id": item_id, "status": "in_progress", "role": "assistant", "content": []}
        ),
        {
            "type": "response.content_part.added",
            **part_base,
            "part": {"type": "output_text", "text": "", "annotations": []},
        },
    ]
    events.extend(ev_output_text_delta(piece, item_id) for piece in _split(text, pieces))
    events += [
        {"type": "response.output_text.done", **part_base, "text": text},
        {
            "type": "response.content_part.done",
            **part_base,
            "part": {"type": "output_text", "text": text, "annotations": []},
        },
        ev_message(item_id, text),
        ev_completed(response_id, input_tokens, output_tokens),
    ]
    return events


def encode_responses_event(event: Json) -> bytes:
    r"""One Responses API SSE frame: `event: <type>\ndata: <json>\n\n`."""
    data = json.dumps(event, separators=(",", ":"))
    return f"event: {event.get('type', 'message')}\ndata: {data}\n\n".encode()


def encode_chat_chunk(chunk: Json) -> bytes:
    r"""One Chat Completions SSE frame: `data: <json>\n\n`."""
    return b"data: " + json.dumps(chunk, separators=(",", ":")).encode() + b"\n\n"


def sse(events: Iterable[Json | bytes]) -> str:
    """Render events as a Responses API SSE body (raw `bytes` items are copied verbatim, decoded as UTF-8)."""
    out = bytearray()
    for event in events:
        out += event if isinstance(event, bytes) else encode_responses_event(event)
    return out.decode("utf-8", errors="surrogateescape")


def _chunk(delta: Json, *, chunk_id: str, model: str, finish_reason: str | None = None) -> Json:
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
    }


def chat_usage_chunk(
    prompt_tokens: int = 10, completion_tokens: int = 5, *, chunk_id: str = "chatcmpl-1", model: str = "mock-model"
) -> Json:
    """The final usage-only chunk sent with `stream_options.include_usage`."""
    return {
        "id": chunk_id,
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": model,
        "choices": [],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def chat_text_chunks(
    text: str,
    *,
    pieces: int = 3,
    chunk_id: str = "chatcmpl-1",
    model: str = "mock-model",
    with_usage: bool = True,
) -> list[Json]:
    """Chat Completions chunks streaming `text`, a `finish_reason: "stop"` chunk and (optionally) usage.

    The server appends `data: [DONE]` itself.
    """
    chunks = [_chunk({"role": "assistant", "content": ""}, chunk_id=chunk_id, model=model)]
    chunks += [_chunk({"content": piece}, chunk_id=chunk_id, model=model) for piece in _split(text, pieces)]
    chunks.append(_chunk({}, chunk_id=chunk_id, model=model, finish_reason="stop"))
    if with_usage:
        chunks.append(chat_usage_chunk(chunk_id=chunk_id, model=model))
    return chunks


def chat_tool_call_chunks(
    calls: Sequence[tuple[str, str, str]],
    *,
    pieces: int = 3,
    chunk_id: str = "chatcmpl-1",
    model: str = "mock-model",
    with_usage: bool = True,
) -> list[Json]:
    """Chat Completions chunks for tool calls `(call_id, name, arguments_json)`, arguments split into pieces.

    The first delta of each call carries `id`, `type` and `function.name`; later deltas carry only `index` and
    argument fragments, as OpenAI-compatible servers send them.
    """
    chunks = [_chunk({"role": "assistant", "content": None}, chunk_id=chunk_id, model=model)]
    for index, (call_id, name, arguments) in enumerate(calls):
        head = {"index": index, "id": call_id, "type": "function", "function": {"name": name, "arguments": ""}}
        chunks.append(_chunk({"tool_calls": [head]}, chunk_id=chunk_id, model=model))
        for piece in _split(arguments, pieces):
            part = {"index": index, "function": {"arguments": piece}}
            chunks.append(_chunk({"tool_calls": [part]}, chunk_id=chunk_id, model=model))
    chunks.append(_chunk({}, chunk_id=chunk_id, model=model, finish_reason="tool_calls"))
    if with_usage:
        chunks.append(chat_usage_chunk(chunk_id=chunk_id, model=model))
    return chunks

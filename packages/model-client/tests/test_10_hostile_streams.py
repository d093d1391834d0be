"""Odd but valid JSON, endless streams and keepalive-only streams never crash the client or grow it unbounded."""

from __future__ import annotations

import json
from typing import Any

import anyio
import pytest

from pycodex_model_client import Completed, ModelClientError, OutputItemDone, OutputTextDelta, StreamError
from pycodex_model_client._chat import ChatDecoder
from pycodex_model_client._json import MAX_DEPTH, clean_arguments, clean_item, loads_event
from pycodex_model_client._responses import ResponsesDecoder, classify_failure, map_usage
from pycodex_model_client._sse import SseEventTooLarge, SseParser
from pycodex_test_support import HOSTILE_MODES, hostile_turn

pytestmark = pytest.mark.anyio


def _strings(obj: Any) -> list[str]:
    out: list[str] = []
    stack = [obj]
    while stack:
        node = stack.pop()
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                out.append(str(key))
                stack.append(value)
        elif isinstance(node, list):
            stack.extend(node)
    return out


def _printable(events: list[Any]) -> None:
    for event in events:
        for text in _strings(getattr(event, "item", None)) + [str(getattr(event, "delta", ""))]:
            text.encode("utf-8")  # raises on a lone surrogate


# --- Responses decoder ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "event",
    [
        {"type": "response.output_item.done", "item": "a string"},
        {"type": "response.output_item.done", "item": ["x"]},
        {"type": "response.output_item.done", "item": {"type": 5}},
        {"type": "response.output_item.added", "item": None},
        {"type": "response.output_text.delta", "delta": {"a": 1}},
        {"type": "response.reasoning_summary_part.added", "summary_index": "x"},
        {"type": "response.reasoning_text.delta", "delta": "x", "content_index": [1]},
        {"type": "response.created", "response": "str"},
        {"type": 7},
    ],
)
def test_wrong_types_are_skipped_or_defaulted(event: dict[str, Any]) -> None:
    decoder = ResponsesDecoder()
    result = decoder.decode(json.dumps(event))
    assert result is None or not isinstance(result, OutputItemDone)


def test_completed_with_string_response_and_odd_usage_still_completes() -> None:
    decoder = ResponsesDecoder()
    assert decoder.decode('{"type":"response.completed","response":"str"}') == Completed(None, None)
    assert decoder.completed
    usage = '{"input_tokens":"many","output_tokens":1e400,"total_tokens":-3,"input_tokens_details":"x"}'
    event = ResponsesDecoder().decode('{"type":"response.completed","response":{"id":9,"usage":' + usage + "}}")
    assert event == Completed(
        None,
        {
            "input_tokens": 0,
            "cached_input_tokens": 0,
            "output_tokens": 0,
            "reasoning_output_tokens": 0,
            "total_tokens": 0,
        },
    )


def test_map_usage_clamps_and_ignores_non_numbers() -> None:
    assert map_usage({"input_tokens": 10**30, "output_tokens": True, "total_tokens": 2.9}) == {
        "input_tokens": 2**63 - 1,
        "cached_input_tokens": 0,
        "output_tokens": 0,
        "reasoning_output_tokens": 0,
        "total_tokens": 2,
    }
    assert map_usage("many") is None


def test_failed_with_string_error_is_a_retryable_stream_error() -> None:
    with pytest.raises(StreamError) as info:
        ResponsesDecoder().decode('{"type":"response.failed","response":{"error":"a string"}}')
    assert info.value.retryable
    assert str(info.value) == "stream disconnected before completion: a string"
    assert isinstance(classify_failure("not a dict"), StreamError)


def test_deep_nesting_is_skipped_without_recursion_error() -> None:
    for depth in (990, 5000, 200_000):
        data = '{"type":"response.output_item.done","item":{"type":"message","x":' + "[" * depth + "]" * depth + "}}"
        assert ResponsesDecoder().decode(data) is None
    shallow = '{"type":"response.output_item.done","item":{"type":"message","x":' + "[" * 20 + "]" * 20 + "}}"
    assert isinstance(ResponsesDecoder().decode(shallow), OutputItemDone)
    assert loads_event("[" * MAX_DEPTH + "]" * MAX_DEPTH) is not None
    assert loads_event("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1)) is None


def test_lone_surrogates_become_replacement_characters() -> None:
    data = json.dumps({"type": "response.output_text.delta", "delta": "A\ud800B"})
    assert ResponsesDecoder().decode(data) == OutputTextDelta("A\ufffdB")
    pair = json.dumps({"type": "response.output_text.delta", "delta": "\U0001f600"})
    assert ResponsesDecoder().decode(pair) == OutputTextDelta("\U0001f600")
    item = {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "x\udc80"}],
        "\ud801": 1,
    }
    event = ResponsesDecoder().decode(json.dumps({"type": "response.output_item.done", "item": item}))
    assert isinstance(event, OutputItemDone)
    assert event.item == {
        "type": "message",
        "role": "assistant",
        "content": [{"type": "output_text", "text": "x\ufffd"}],
        "\ufffd": 1,
    }


def test_function_call_arguments_are_made_safe() -> None:
    plan = json.dumps({"plan": [{"step": "s\udc80", "status": "completed"}]})
    assert json.loads(clean_arguments(plan)) == {"plan": [{"step": "s\ufffd", "status": "completed"}]}
    assert json.loads(clean_arguments({"cmd": "ls"})) == {"cmd": "ls"}
    assert clean_arguments(5) == ""
    assert clean_arguments('{"cmd": "ls"}') == '{"cmd": "ls"}'
    item = clean_item({"type": "function_call", "name": 3, "call_id": ["x"], "arguments": None})
    assert item == {"type": "function_call", "arguments": ""}


# --- Chat decoder -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "chunk",
    [
        {"choices": "nope"},
        {"choices": ["nope"]},
        {"choices": [{"delta": "x"}]},
        {"choices": [{"delta": {"content": 5}}]},
        {"choices": [{"delta": {"tool_calls": "x"}}]},
        {"choices": [{"delta": {"tool_calls": [{"index": 0, "function": "f"}]}}]},
        {"usage": {"prompt_tokens": "many", "completion_tokens": 1e400}},
        {"usage": "lots"},
        {"id": 5, "choices": []},
    ],
)
def test_chat_wrong_types_do_not_crash(chunk: dict[str, Any]) -> None:
    decoder = ChatDecoder()
    decoder.decode(json.dumps(chunk))
    events = decoder.finish()
    assert isinstance(events[-1], Completed)


def test_chat_arguments_as_object_and_surrogates() -> None:
    decoder = ChatDecoder()
    call = {"index": 0, "id": "c1", "function": {"name": "exec_command", "arguments": {"cmd": "echo \ud800"}}}
    decoder.decode(json.dumps({"choices": [{"delta": {"tool_calls": [call]}, "finish_reason": "tool_calls"}]}))
    decoder.decode(json.dumps({"choices": [{"delta": {"content": "A\ud800B"}}]}))
    events = decoder.finish()
    done = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert done[0]["content"][0]["text"] == "A\ufffdB"
    assert json.loads(done[1]["arguments"]) == {"cmd": "echo \ufffd"}


def test_chat_stream_memory_is_capped() -> None:
    decoder = ChatDecoder(max_chars=1000)
    chunk = json.dumps({"choices": [{"delta": {"content": "x" * 300}}]})
    for _ in range(3):
        decoder.decode(chunk)
    with pytest.raises(StreamError, match="exceeded 1000 characters"):
        decoder.decode(chunk)


# --- SSE parser -------------------------------------------------------------------------------------------


def test_sse_line_without_end_is_refused_at_the_cap() -> None:
    parser = SseParser(max_event_bytes=1000)
    parser.feed(b'data: {"type":"x","delta":"')
    with pytest.raises(SseEventTooLarge):
        for _ in range(10):
            parser.feed(b"y" * 200)
    assert parser.feed(b"\n\ndata: ok\n\n") == [("", "ok")]


# --- Over HTTP, every hostile mode on both wires ----------------------------------------------------------


async def _run_mode(h: Any, mode: str, chat: bool) -> tuple[list[Any], BaseException | None]:
    h.server.add(hostile_turn(mode, chat=chat, total_bytes=2 * 1024 * 1024))
    events: list[Any] = []
    error: BaseException | None = None
    async with h.client(wire_api="chat" if chat else "responses", stream_idle_timeout_ms=400) as client:
        stream = client.stream({"model": "m", "input": [], "stream": True})
        try:
            with anyio.fail_after(10):
                async for event in stream:
                    events.append(event)
        except ModelClientError as exc:
            error = exc
        finally:
            await stream.aclose()
    return events, error


@pytest.mark.parametrize("chat", [False, True], ids=["responses", "chat"])
@pytest.mark.parametrize("mode", HOSTILE_MODES)
async def test_every_hostile_mode_ends_cleanly(h: Any, mode: str, chat: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pycodex_model_client._sse.MAX_EVENT_BYTES", 4 * 1024 * 1024)
    events, error = await _run_mode(h, mode, chat)
    _printable(events)
    completed = bool(events) and isinstance(events[-1], Completed)
    assert completed or isinstance(error, StreamError), (mode, error)
    if mode in ("huge_line", "keepalive"):
        assert isinstance(error, StreamError)
        expected = "exceeded" if mode == "huge_line" else "idle timeout waiting for SSE"
        assert expected in str(error)
    if mode in ("out_of_order", "wrong_types", "deep", "surrogates", "endless_deltas", "slow_drip"):
        assert completed, (mode, error)


async def test_comment_keepalives_do_not_reset_the_idle_timeout(h: Any) -> None:
    h.server.add(hostile_turn("keepalive"))
    started = anyio.current_time()
    with anyio.fail_after(5), pytest.raises(StreamError, match="idle timeout waiting for SSE"):
        await h.run(stream_idle_timeout_ms=500)
    assert anyio.current_time() - started < 3


def test_tool_search_arguments_stay_an_object() -> None:
    item = clean_item({"type": "tool_search_call", "call_id": "s1", "arguments": {"query": "time", "limit": 8}})
    assert item is not None and item["arguments"] == {"query": "time", "limit": 8}
    hostile = clean_item({"type": "tool_search_call", "call_id": "s1", "arguments": "not an object"})
    assert hostile is not None and hostile["arguments"] == {}

"""Chat Completions support: convert a Responses request body and map chunks back to `ResponseEvent`s."""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from ._events import (
    Completed,
    Created,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    ReasoningContentDelta,
    ResponseEvent,
)
from ._json import as_dict, as_int, as_str, clean_arguments, loads_event
from .errors import StreamError

if TYPE_CHECKING:
    from pycodex_protocol import TokenUsage

logger = logging.getLogger(__name__)

Json = dict[str, Any]

_FREEFORM_PARAMS: Json = {
    "type": "object",
    "properties": {"input": {"type": "string", "description": "The raw tool input."}},
    "required": ["input"],
    "additionalProperties": False,
}


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    parts = [p.get("text", "") for p in content or () if isinstance(p, dict)]
    return "".join(str(p) for p in parts)


def _user_content(content: Any) -> str | list[Json]:
    if isinstance(content, str) or not any(isinstance(p, dict) and p.get("type") == "input_image" for p in content):
        return _text_of(content)
    out: list[Json] = []
    for part in content:
        if part.get("type") == "input_image":
            out.append({"type": "image_url", "image_url": {"url": part.get("image_url", "")}})
        elif "text" in part:
            out.append({"type": "text", "text": part["text"]})
    return out


def _tool_call(call_id: str, name: str, arguments: str) -> Json:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments}}


def _output_text(output: Any) -> str:
    """A tool output as chat text: a string as is, content parts' texts one per line."""
    if isinstance(output, str):
        return output
    return "\n".join(str(p.get("text", "")) for p in output or () if isinstance(p, dict) and "text" in p)


def convert_messages(request: Mapping[str, Any]) -> list[Json]:
    """Responses `instructions` + `input` items -> Chat `messages`."""
    messages: list[Json] = []
    if request.get("instructions"):
        messages.append({"role": "system", "content": request["instructions"]})
    items = request.get("input") or []
    if isinstance(items, str):
        items = [{"type": "message", "role": "user", "content": items}]
    for item in items:
        _append_item(messages, item)
    return messages


def _append_call(messages: list[Json], call: Json) -> None:
    last = messages[-1] if messages else None
    if last is not None and last["role"] == "assistant":
        last.setdefault("tool_calls", []).append(call)
    else:
        messages.append({"role": "assistant", "content": None, "tool_calls": [call]})


def _append_item(messages: list[Json], item: Mapping[str, Any]) -> None:
    kind = item.get("type", "message")
    if kind == "message":
        role = item.get("role", "user")
        if role == "assistant":
            messages.append({"role": "assistant", "content": _text_of(item.get("content"))})
        else:
            chat_role = "system" if role in ("developer", "system") else "user"
            messages.append({"role": chat_role, "content": _user_content(item.get("content"))})
    elif kind == "function_call":
        name = item.get("name", "")
        if item.get("namespace"):
            name = f"{item['namespace']}__{name}"
        _append_call(messages, _tool_call(item.get("call_id", ""), name, item.get("arguments", "")))
    elif kind == "custom_tool_call":
        arguments = json.dumps({"input": item.get("input", "")})
        _append_call(messages, _tool_call(item.get("call_id", ""), item.get("name", ""), arguments))
    elif kind == "local_shell_call":
        # Chat has no local-shell tool type: replay it as a function call so its output has a call to answer.
        call_id = item.get("call_id") or item.get("id") or ""
        arguments = json.dumps(item.get("action") or {}, ensure_ascii=False)
        _append_call(messages, _tool_call(call_id, "local_shell", arguments))
    elif kind in ("function_call_output", "custom_tool_call_output"):
        output = _output_text(item.get("output", ""))
        messages.append({"role": "tool", "tool_call_id": item.get("call_id", ""), "content": output})
    else:
        logger.debug("chat wire: dropping input item of type %r", kind)


def convert_tools(tools: Sequence[Mapping[str, Any]], namespace: str | None = None) -> list[Json]:
    """Responses tools -> Chat `{"type": "function", "function": {...}}` tools.

    Freeform (`custom`) tools become functions taking one string parameter `input`; namespaced tools are
    flattened to `<namespace>__<name>`; hosted tools (web search, tool search) are dropped.
    """
    out: list[Json] = []
    for tool in tools:
        kind = tool.get("type")
        prefix = f"{namespace}__" if namespace else ""
        if kind == "function":
            fn: Json = {"name": prefix + tool["name"], "description": tool.get("description", "")}
            fn["parameters"] = tool.get("parameters") or {"type": "object", "properties": {}}
            out.append({"type": "function", "function": fn})
        elif kind == "custom":
            fn = {
                "name": prefix + tool["name"],
                "description": tool.get("description", ""),
                "parameters": _FREEFORM_PARAMS,
            }
            out.append({"type": "function", "function": fn})
        elif kind == "namespace":
            out.extend(convert_tools(tool.get("tools") or [], tool.get("name")))
        else:
            logger.debug("chat wire: dropping tool of type %r", kind)
    return out


def to_chat_request(request: Mapping[str, Any]) -> Json:
    """A Chat Completions streaming body equivalent to the Responses body `request`."""
    body: Json = {
        "model": request.get("model"),
        "messages": convert_messages(request),
        "stream": True,
        "stream_options": {"include_usage": True},
    }
    tools = convert_tools(request.get("tools") or [])
    if tools:
        body["tools"] = tools
        body["tool_choice"] = request.get("tool_choice", "auto")
        if "parallel_tool_calls" in request:
            body["parallel_tool_calls"] = request["parallel_tool_calls"]
    effort = (request.get("reasoning") or {}).get("effort")
    if effort:
        body["reasoning_effort"] = effort
    if request.get("max_output_tokens"):
        body["max_tokens"] = request["max_output_tokens"]
    fmt = (request.get("text") or {}).get("format")
    if fmt and fmt.get("type") == "json_schema":
        schema = {k: fmt[k] for k in ("name", "schema", "strict") if k in fmt}
        body["response_format"] = {"type": "json_schema", "json_schema": schema}
    for key in ("temperature", "top_p", "seed"):
        if key in request:
            body[key] = request[key]
    return body


def custom_tool_names(request: Mapping[str, Any]) -> frozenset[str]:
    """Names of the freeform tools in `request` (their calls map back to `custom_tool_call`)."""
    return frozenset(t["name"] for t in request.get("tools") or [] if t.get("type") == "custom" and "name" in t)


def namespaced_tool_names(request: Mapping[str, Any]) -> dict[str, tuple[str, str]]:
    """Flattened chat name -> `(namespace, name)` for the namespaced tools in `request`."""
    out: dict[str, tuple[str, str]] = {}
    for tool in request.get("tools") or []:
        if tool.get("type") == "namespace":
            for inner in tool.get("tools") or []:
                if "name" in inner:
                    out[f"{tool.get('name')}__{inner['name']}"] = (str(tool.get("name")), inner["name"])
    return out


MAX_STREAMED_CHARS = 64 * 1024 * 1024
"""The most text (message, reasoning and tool-call arguments together) one chat stream may accumulate."""
TOO_LONG = "stream disconnected before completion: the response exceeded {} characters"


def map_chat_usage(usage: Any) -> TokenUsage | None:
    """Chat `usage` -> protocol `TokenUsage`; counts that are not numbers count as 0."""
    if not isinstance(usage, Mapping) or not usage:
        return None
    usage = cast(Mapping[str, Any], usage)
    inp = as_int(usage.get("prompt_tokens"))
    out = as_int(usage.get("completion_tokens"))
    return {
        "input_tokens": inp,
        "cached_input_tokens": as_int(as_dict(usage.get("prompt_tokens_details")).get("cached_tokens")),
        "output_tokens": out,
        "reasoning_output_tokens": as_int(as_dict(usage.get("completion_tokens_details")).get("reasoning_tokens")),
        "total_tokens": as_int(usage.get("total_tokens")) or inp + out,
    }


@dataclass
class _Call:
    call_id: str = ""
    name: str = ""
    arguments: list[str] = field(default_factory=list[str])


@dataclass
class ChatDecoder:
    """Stateful mapping of one Chat Completions chunk stream."""

    custom_tools: frozenset[str] = frozenset()
    namespaced: dict[str, tuple[str, str]] = field(default_factory=dict[str, tuple[str, str]])
    completed: bool = False
    _created: bool = False
    _response_id: str | None = None
    _text: list[str] = field(default_factory=list[str])
    _reasoning: list[str] = field(default_factory=list[str])
    _calls: dict[int, _Call] = field(default_factory=dict[int, _Call])
    _finished: bool = False
    _usage: TokenUsage | None = None
    max_chars: int = -1
    """The most text the stream may accumulate; negative means `MAX_STREAMED_CHARS`."""
    _streamed: int = 0

    def __post_init__(self) -> None:
        if self.max_chars < 0:
            self.max_chars = MAX_STREAMED_CHARS

    def decode(self, data: str) -> list[ResponseEvent]:
        """Map one `data:` payload (a chunk or `[DONE]`); unusable JSON is skipped.

        Raises:
            StreamError: The server sent an in-stream `error` object, or the response grew past
                `MAX_STREAMED_CHARS`.
        """
        if data.strip() == "[DONE]":
            return self.finish()
        chunk = loads_event(data)
        if not isinstance(chunk, dict):
            return []
        return self._chunk(cast(Json, chunk))

    def _grow(self, size: int) -> None:
        self._streamed += size
        if self._streamed > self.max_chars:
            raise StreamError(TOO_LONG.format(self.max_chars), retryable=False)

    def _chunk(self, chunk: Json) -> list[ResponseEvent]:
        choices = chunk.get("choices")
        choices = [as_dict(c) for c in cast(list[Any], choices)] if isinstance(choices, list) else []
        if "error" in chunk and not choices:
            error = chunk["error"] if isinstance(chunk["error"], dict) else {"message": str(chunk["error"])}
            message = as_str(cast(Json, error).get("message")) or "error"
            raise StreamError(f"stream disconnected before completion: {message}")
        events: list[ResponseEvent] = []
        if not self._created:
            self._created = True
            self._response_id = as_str(chunk.get("id")) or None
            events.append(Created(self._response_id))
        if chunk.get("usage"):
            self._usage = map_chat_usage(chunk["usage"])
        for choice in choices:
            delta = as_dict(choice.get("delta"))
            reasoning = delta.get("reasoning_content") or delta.get("reasoning")
            if isinstance(reasoning, str) and reasoning:
                self._grow(len(reasoning))
                self._reasoning.append(reasoning)
                events.append(ReasoningContentDelta(reasoning, 0))
            content = delta.get("content")
            if isinstance(content, str) and content:
                self._grow(len(content))
                if not self._text:
                    events.append(OutputItemAdded({"type": "message", "role": "assistant", "content": []}))
                self._text.append(content)
                events.append(OutputTextDelta(content))
            tool_calls = delta.get("tool_calls")
            for tc in cast(list[Any], tool_calls) if isinstance(tool_calls, list) else ():
                if isinstance(tc, dict):
                    self._tool_delta(cast(Json, tc))
            if choice.get("finish_reason"):
                self._finished = True
        return events

    def _tool_delta(self, tc: Json) -> None:
        index = tc.get("index")
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < 1024:
            index = self._unindexed_slot(as_str(tc.get("id")) or None)
        call = self._calls.setdefault(index, _Call())
        if as_str(tc.get("id")):
            call.call_id = tc["id"]
        fn = as_dict(tc.get("function"))
        if as_str(fn.get("name")) and not call.name:
            call.name = fn["name"]
        arguments = fn.get("arguments")
        if arguments and not isinstance(arguments, str):
            arguments = clean_arguments(arguments)  # an object sent unencoded
        if isinstance(arguments, str) and arguments:
            self._grow(len(arguments))
            call.arguments.append(arguments)

    def _unindexed_slot(self, call_id: Any) -> int:
        """The slot of a tool-call delta without `index` (some OpenAI-compatible servers omit it).

        A delta carrying an id other than the last call's starts a new call; anything else continues the last.
        """
        if not self._calls:
            return 0
        last = max(self._calls)
        if call_id and call_id != self._calls[last].call_id:
            return last + 1
        return last

    def finish(self) -> list[ResponseEvent]:
        """Emit the finished items and `Completed` (at `[DONE]`, or at EOF after a `finish_reason`)."""
        if self.completed:
            return []
        self.completed = True
        events: list[ResponseEvent] = []
        if self._reasoning:
            text = "".join(self._reasoning)
            item = {"type": "reasoning", "summary": [], "content": [{"type": "reasoning_text", "text": text}]}
            events.append(OutputItemDone(item))
        if self._text:
            text = "".join(self._text)
            item = {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}
            events.append(OutputItemDone(item))
        for index in sorted(self._calls):
            events.append(OutputItemDone(self._call_item(index, self._calls[index])))
        events.append(Completed(self._response_id, self._usage))
        return events

    def eof(self) -> list[ResponseEvent]:
        """The stream ended: complete if a `finish_reason` was seen, else report a stream error.

        Raises:
            StreamError: The stream ended before the model finished.
        """
        if self.completed:
            return []
        if self._finished:
            return self.finish()
        raise StreamError("stream disconnected before completion: stream closed before response.completed")

    def _call_item(self, index: int, call: _Call) -> Json:
        call_id = call.call_id or f"call_{index}"
        arguments = "".join(call.arguments)
        if call.name in self.custom_tools:
            tool_input = as_dict(loads_event(arguments)).get("input")
            if not isinstance(tool_input, str):
                tool_input = arguments
            return {"type": "custom_tool_call", "call_id": call_id, "name": call.name, "input": tool_input}
        item: Json = {
            "type": "function_call",
            "call_id": call_id,
            "name": call.name,
            "arguments": clean_arguments(arguments),
        }
        if call.name in self.namespaced:
            namespace, name = self.namespaced[call.name]
            item.update(name=name, namespace=namespace)
        return item

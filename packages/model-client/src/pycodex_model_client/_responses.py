"""Turn Responses API SSE events into `ResponseEvent`s and classify `response.failed`."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from ._events import (
    Completed,
    Created,
    CustomToolCallInputDelta,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
)
from ._json import as_dict, as_int, as_str, clean_item, loads_event
from .errors import ContextWindowExceeded, ModelClientError, StreamError, UsageLimitReached

if TYPE_CHECKING:
    from pycodex_protocol import TokenUsage

logger = logging.getLogger(__name__)

STREAM_PREFIX = "stream disconnected before completion: "
"""Codex prefixes every stream-level failure with this text."""

_TRY_AGAIN = re.compile(r"try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)\b", re.IGNORECASE)


def map_usage(usage: Any) -> TokenUsage | None:
    """Responses API `usage` -> protocol `TokenUsage`; counts that are not numbers count as 0."""
    if not isinstance(usage, Mapping) or not usage:
        return None
    usage = cast(Mapping[str, Any], usage)
    inp = as_int(usage.get("input_tokens"))
    out = as_int(usage.get("output_tokens"))
    return {
        "input_tokens": inp,
        "cached_input_tokens": as_int(as_dict(usage.get("input_tokens_details")).get("cached_tokens")),
        "output_tokens": out,
        "reasoning_output_tokens": as_int(as_dict(usage.get("output_tokens_details")).get("reasoning_tokens")),
        "total_tokens": as_int(usage.get("total_tokens")) or inp + out,
    }


def parse_retry_delay(message: str) -> float | None:
    """The delay in "Please try again in 11.054s" / "in 35ms", in seconds."""
    m = _TRY_AGAIN.search(message)
    if m is None:
        return None
    value = float(m.group(1))
    return value / 1000 if m.group(2).lower() == "ms" else value


def classify_failure(response: Any) -> ModelClientError:
    """The error for a `response.failed` payload (a string `error` is taken as its message)."""
    raw = as_dict(response).get("error")
    error = {"message": raw} if isinstance(raw, str) else as_dict(raw)
    code = as_str(error.get("code")) or as_str(error.get("type"))
    message = as_str(error.get("message")) or "response.failed event received"
    if code == "context_length_exceeded":
        return ContextWindowExceeded()
    if code in ("insufficient_quota", "usage_limit_reached", "usage_not_included"):
        return UsageLimitReached()
    if code in ("invalid_prompt", "cyber_policy"):
        return StreamError(message, retryable=False)
    return StreamError(STREAM_PREFIX + message, retryable=True, retry_after=parse_retry_delay(message))


class ResponsesDecoder:
    """Stateful mapping of one Responses stream; `completed` tells whether `response.completed` arrived."""

    __slots__ = ("completed",)

    def __init__(self) -> None:
        self.completed = False

    def decode(self, data: str) -> ResponseEvent | None:
        """Map one SSE `data` payload; `None` for ignored events (including unusable JSON).

        Raises:
            ModelClientError: For `response.failed`, `response.incomplete` and in-stream `error` events.
        """
        obj = loads_event(data)
        if not isinstance(obj, dict):
            if obj is not None:
                logger.warning("skipping SSE data that is not a JSON object: %.200s", data)
            return None
        return self._dispatch(cast(dict[str, Any], obj))

    def _dispatch(self, obj: dict[str, Any]) -> ResponseEvent | None:
        kind = obj.get("type")
        if not isinstance(kind, str):
            return None
        delta = obj.get("delta")
        if kind.endswith(".delta") and not isinstance(delta, str):
            logger.warning("skipping %s whose delta is not a string", kind)
            return None
        if kind == "response.output_text.delta":
            return OutputTextDelta(cast(str, delta))
        if kind in ("response.output_item.done", "response.output_item.added"):
            item = clean_item(obj.get("item"))
            if item is None:
                logger.warning("skipping %s whose item is not an object with a type", kind)
                return None
            return OutputItemDone(item) if kind == "response.output_item.done" else OutputItemAdded(item)
        if kind == "response.reasoning_summary_text.delta":
            return ReasoningSummaryDelta(cast(str, delta), as_int(obj.get("summary_index")))
        if kind == "response.reasoning_text.delta":
            return ReasoningContentDelta(cast(str, delta), as_int(obj.get("content_index")))
        if kind == "response.reasoning_summary_part.added":
            return ReasoningSummaryPartAdded(as_int(obj.get("summary_index")))
        if kind == "response.custom_tool_call_input.delta":
            call_id = as_str(obj.get("call_id")) or as_str(obj.get("item_id")) or None
            return CustomToolCallInputDelta(cast(str, delta), call_id)
        return self._lifecycle(kind, obj)

    def _lifecycle(self, kind: str, obj: dict[str, Any]) -> ResponseEvent | None:
        response = as_dict(obj.get("response"))
        if kind == "response.created":
            return Created(as_str(response.get("id")) or None)
        if kind == "response.completed":
            self.completed = True
            return Completed(as_str(response.get("id")) or None, map_usage(response.get("usage")))
        if kind == "response.failed":
            raise classify_failure(response)
        if kind == "response.incomplete":
            reason = as_str(as_dict(response.get("incomplete_details")).get("reason")) or "unknown"
            raise StreamError(f"Incomplete response returned, reason: {reason}", retryable=True)
        if kind == "error":
            error = obj.get("error")
            raise classify_failure({"error": error if isinstance(error, dict | str) else obj})
        return None

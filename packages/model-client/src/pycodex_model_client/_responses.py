"""Turn Responses API SSE events into `ResponseEvent`s and classify `response.failed`."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

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
from .errors import ContextWindowExceeded, ModelClientError, StreamError, UsageLimitReached

if TYPE_CHECKING:
    from pycodex_protocol import TokenUsage

logger = logging.getLogger(__name__)

STREAM_PREFIX = "stream disconnected before completion: "
"""Codex prefixes every stream-level failure with this text."""

_TRY_AGAIN = re.compile(r"try again in\s*(\d+(?:\.\d+)?)\s*(ms|s|seconds?)\b", re.IGNORECASE)


def map_usage(usage: Mapping[str, Any] | None) -> TokenUsage | None:
    """Responses API `usage` -> protocol `TokenUsage`."""
    if not usage:
        return None
    inp = int(usage.get("input_tokens") or 0)
    out = int(usage.get("output_tokens") or 0)
    return {
        "input_tokens": inp,
        "cached_input_tokens": int((usage.get("input_tokens_details") or {}).get("cached_tokens") or 0),
        "output_tokens": out,
        "reasoning_output_tokens": int((usage.get("output_tokens_details") or {}).get("reasoning_tokens") or 0),
        "total_tokens": int(usage.get("total_tokens") or inp + out),
    }


def parse_retry_delay(message: str) -> float | None:
    """The delay in "Please try again in 11.054s" / "in 35ms", in seconds."""
    m = _TRY_AGAIN.search(message)
    if m is None:
        return None
    value = float(m.group(1))
    return value / 1000 if m.group(2).lower() == "ms" else value


def classify_failure(response: Mapping[str, Any]) -> ModelClientError:
    """The error for a `response.failed` payload."""
    error = response.get("error") or {}
    code = str(error.get("code") or error.get("type") or "")
    message = str(error.get("message") or "response.failed event received")
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
        """Map one SSE `data` payload; `None` for ignored events.

        Raises:
            ModelClientError: For `response.failed`, `response.incomplete` and in-stream `error` events.
        """
        try:
            obj = json.loads(data)
        except ValueError:
            logger.warning("skipping unparsable SSE data line: %.200s", data)
            return None
        if not isinstance(obj, dict):
            logger.warning("skipping SSE data that is not a JSON object: %.200s", data)
            return None
        return self._dispatch(obj)

    def _dispatch(self, obj: dict[str, Any]) -> ResponseEvent | None:
        kind = obj.get("type")
        if kind == "response.output_text.delta":
            return OutputTextDelta(str(obj.get("delta", "")))
        if kind == "response.output_item.done":
            return OutputItemDone(obj.get("item") or {})
        if kind == "response.output_item.added":
            return OutputItemAdded(obj.get("item") or {})
        if kind == "response.reasoning_summary_text.delta":
            return ReasoningSummaryDelta(str(obj.get("delta", "")), int(obj.get("summary_index") or 0))
        if kind == "response.reasoning_text.delta":
            return ReasoningContentDelta(str(obj.get("delta", "")), int(obj.get("content_index") or 0))
        if kind == "response.reasoning_summary_part.added":
            return ReasoningSummaryPartAdded(int(obj.get("summary_index") or 0))
        if kind == "response.custom_tool_call_input.delta":
            return CustomToolCallInputDelta(str(obj.get("delta", "")), obj.get("call_id") or obj.get("item_id"))
        if kind == "response.created":
            return Created((obj.get("response") or {}).get("id"))
        if kind == "response.completed":
            response = obj.get("response") or {}
            self.completed = True
            return Completed(response.get("id"), map_usage(response.get("usage")))
        if kind == "response.failed":
            raise classify_failure(obj.get("response") or {})
        if kind == "response.incomplete":
            details = (obj.get("response") or {}).get("incomplete_details") or {}
            reason = details.get("reason") or "unknown"
            raise StreamError(f"Incomplete response returned, reason: {reason}", retryable=True)
        if kind == "error":
            raise classify_failure({"error": obj.get("error") or obj})
        return None

"""Sampling the model: one request, its stream turned into history, events and tool outputs, with retries."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

import anyio

from ._history import normalize_for_request
from ._json import as_object, objects
from ._observers import notify
from ._request import build_request, turn_headers
from ._tools._router import dispatch_tool_call, tool_call_from_item

if TYPE_CHECKING:
    from pycodex_protocol import AgentMessageEvent, CodexErrorInfoName, RateLimitSnapshot

    from ._context import TurnContext, TurnState
    from ._session import Session

__all__ = ["SampleOutcome", "TurnFailed", "add_usage", "sample_with_retries"]

logger = logging.getLogger(__name__)

_USAGE_KEYS = ("input_tokens", "cached_input_tokens", "output_tokens", "reasoning_output_tokens", "total_tokens")


class TurnFailed(Exception):
    """The turn cannot continue; `message` becomes an `error` event."""

    def __init__(self, message: str, info: CodexErrorInfoName | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.info: CodexErrorInfoName | None = info


class _StreamIncomplete(Exception):
    pass


@dataclass
class SampleOutcome:
    """What one successful model response produced."""

    needs_follow_up: bool = False
    last_agent_message: str | None = None
    text: str = ""
    usage: dict[str, Any] | None = None


def add_usage(total: dict[str, int], last: dict[str, Any]) -> None:
    """Add a response's token usage into the running total."""
    for key in (*_USAGE_KEYS, "cache_write_input_tokens"):
        if key in last or key in _USAGE_KEYS:
            total[key] = int(total.get(key, 0)) + int(last.get(key, 0) or 0)


def _message_text(item: dict[str, Any]) -> str:
    parts = objects(item.get("content"))
    return "".join(str(p.get("text", "")) for p in parts if p.get("type") == "output_text")


def _emit_item_events(session: Session, ctx: TurnContext, item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    if kind == "message" and item.get("role") == "assistant":
        text = _message_text(item)
        msg: AgentMessageEvent = {"type": "agent_message", "message": text}
        if item.get("phase"):
            msg["phase"] = item["phase"]
        session.emit(ctx.sub_id, msg)
        return text
    if kind == "reasoning":
        for part in objects(item.get("summary")):
            if part.get("text"):
                session.emit(ctx.sub_id, {"type": "agent_reasoning", "text": str(part["text"])})
        if session.show_raw_reasoning:
            for part in objects(item.get("content")):
                if part.get("text"):
                    session.emit(ctx.sub_id, {"type": "agent_reasoning_raw_content", "text": str(part["text"])})
    elif kind == "web_search_call":
        action = as_object(item.get("action")) or {"type": "other"}
        query = str(action.get("query") or "")
        session.emit(
            ctx.sub_id,
            {"type": "web_search_end", "call_id": str(item.get("id", "")), "query": query, "action": action},
        )
    return None


async def _run_tool(session: Session, turn: TurnState, item: dict[str, Any]) -> bool:
    """Dispatch the tool call `item` asks for, if any, and record its output; whether there was one."""
    call = tool_call_from_item(item)
    if call is None:
        return False
    started = time.monotonic()
    output, ok = await dispatch_tool_call(session.services.tools, turn.ctx, turn, call, session.tool_services)
    if session.services.observers:
        notify(session.services.observers, "on_tool_result", turn.ctx, call, output, ok, time.monotonic() - started)
    if isinstance(output, str):
        output = session.truncate_for_history(output)
    session.record_item(call.output_item(output))
    return True


async def _sample_once(session: Session, turn: TurnState, request: dict[str, Any], *, record: bool) -> SampleOutcome:
    from pycodex_model_client import Completed, OutputItemDone, OutputTextDelta, RateLimits, ReasoningSummaryDelta

    ctx = turn.ctx
    outcome = SampleOutcome()
    completed = False
    headers = turn_headers(request)
    async for event in session.services.transport.stream(request, headers=headers):
        turn.note_first_token()
        await session.events_writable()
        if isinstance(event, OutputItemDone):
            item = event.item
            if not record:
                if item.get("type") == "message" and item.get("role") == "assistant":
                    outcome.text = _message_text(item)
                continue
            session.record_item(item)
            text = _emit_item_events(session, ctx, item)
            if text is not None:
                outcome.last_agent_message = text
            if await _run_tool(session, turn, item):
                outcome.needs_follow_up = True
        elif isinstance(event, OutputTextDelta):
            if record:
                session.emit(ctx.sub_id, {"type": "agent_message_delta", "delta": event.delta})
        elif isinstance(event, ReasoningSummaryDelta):
            if record:
                session.emit(ctx.sub_id, {"type": "agent_reasoning_delta", "delta": event.delta})
        elif isinstance(event, RateLimits):
            session.rate_limits = cast("RateLimitSnapshot", event.snapshot)
        elif isinstance(event, Completed):
            outcome.usage = dict(event.usage) if event.usage else None
            completed = True
            break
    if not completed:
        raise _StreamIncomplete("stream closed before response.completed")
    return outcome


async def sample_with_retries(
    session: Session, turn: TurnState, input_items: list[dict[str, Any]] | None = None, *, record: bool = True
) -> SampleOutcome:
    """Sample once, reconnecting on retryable stream errors up to the provider's `stream_max_retries`.

    Items completed before a dropped stream stay in history and are sent again with the retry.

    Raises:
        TurnFailed: Retries exhausted or a fatal model error.
        ContextWindowExceeded: The input does not fit; the caller may compact and retry.
    """
    from pycodex_model_client import ContextWindowExceeded, ModelClientError, StreamError, backoff_delay

    ctx = turn.ctx
    max_retries = session.config.model_provider.stream_max_retries
    retries = 0
    while True:
        items = session.history if input_items is None else input_items
        ctx.tools = session.services.tools.specs(ctx.model_info)  # MCP servers may have come up since
        request = build_request(
            session.config,
            ctx,
            session.thread_id,
            [session.base_instructions, *normalize_for_request(items)],
            started_unix_ms=turn.started_unix_ms,
        )
        try:
            outcome = await _sample_once(session, turn, request, record=record)
        except ContextWindowExceeded:
            raise
        except (StreamError, _StreamIncomplete) as exc:
            retryable = isinstance(exc, _StreamIncomplete) or exc.retryable
            if not retryable or retries >= max_retries:
                raise TurnFailed(str(exc)) from exc
            retries += 1
            server_delay = exc.retry_after if isinstance(exc, StreamError) else None
            delay = server_delay or backoff_delay(retries)
            session.emit(
                ctx.sub_id,
                {"type": "stream_error", "message": f"Reconnecting... {retries}/{max_retries} ({exc})"},
            )
            await anyio.sleep(delay)
            continue
        except ModelClientError as exc:
            raise TurnFailed(str(exc)) from exc
        if outcome.usage is not None:
            session.add_usage(outcome.usage)
        session.emit_token_count(ctx)
        return outcome

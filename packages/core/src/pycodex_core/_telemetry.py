"""Telemetry for a session: Codex's OpenTelemetry events, recorded through `pycodex-otel`.

Nothing here runs unless `[otel]` names an exporter: `session_telemetry` returns `None` first, without
importing OpenTelemetry. Otherwise the session gets an observer (`codex.user_prompt`,
`codex.tool_decision`, `codex.tool_result`) and its transport a wrapper (`codex.api_request`,
`codex.sse_event`), and `codex.conversation_starts` is recorded once.
"""

from __future__ import annotations

import json
import logging
import os
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from ._observers import SessionObserver

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo
    from pycodex_otel import Telemetry
    from pycodex_protocol import Event

    from ._context import ToolCall, TurnContext
    from ._tools._registry import ToolOutput

__all__ = ["TelemetryObserver", "TelemetryTransport", "session_telemetry"]

logger = logging.getLogger(__name__)

_SSE_KINDS = {
    "Created": "response.created",
    "OutputItemAdded": "response.output_item.added",
    "OutputItemDone": "response.output_item.done",
    "OutputTextDelta": "response.output_text.delta",
    "ReasoningSummaryDelta": "response.reasoning_summary_text.delta",
    "ReasoningSummaryPartAdded": "response.reasoning_summary_part.added",
    "ReasoningContentDelta": "response.reasoning_text.delta",
    "CustomToolCallInputDelta": "response.custom_tool_call_input.delta",
    "Completed": "response.completed",
}


def _secrets(config: Config) -> list[str | None]:
    """Every credential this session may send, so none is ever exported."""
    provider = config.model_provider
    values: list[str | None] = [os.environ.get(k) for k in ("OPENAI_API_KEY", "CODEX_API_KEY", "CODEX_ACCESS_TOKEN")]
    values.append(provider.experimental_bearer_token)
    if provider.env_key:
        values.append(os.environ.get(provider.env_key))
    try:
        from pycodex_login import AuthManager

        auth = AuthManager(config.codex_home).current()
    except Exception:  # a store that cannot be read has nothing to hide
        auth = None
    if auth is not None:
        values += [auth.api_key, auth.bearer]
        if auth.tokens is not None:
            values += [auth.tokens.refresh_token, auth.tokens.id_token]
    return values


def session_telemetry(
    config: Config, *, thread_id: str, originator: str, model: ModelInfo, app_version: str
) -> Telemetry | None:
    """The session's telemetry, or `None` while `[otel]` exports nothing.

    An `[otel]` table pycodex cannot use is reported (logged as a warning) and telemetry stays off.
    """
    exporter = config.otel.exporter
    if exporter in (None, "none", "statsig"):
        return None
    from pycodex_otel import OtelConfigError, OtelSettings, start_telemetry

    try:
        settings = OtelSettings.from_config(config.otel)
    except OtelConfigError as exc:
        logger.warning("telemetry is off: %s", exc)
        return None
    common = {
        "conversation.id": thread_id,
        "app.version": app_version,
        "originator": originator,
        "model": config.model,
        "slug": model.slug,
        "terminal.type": os.environ.get("TERM_PROGRAM") or os.environ.get("TERM") or "unknown",
    }
    try:
        return start_telemetry(settings, common=common, secrets=_secrets(config))
    except Exception as exc:  # a missing exporter package, a bad endpoint: say so, never fail the session
        logger.warning("telemetry is off: %s", exc)
        return None


def conversation_attributes(config: Config, model: ModelInfo) -> dict[str, Any]:
    """The attributes of `codex.conversation_starts`."""
    return {
        "provider_name": config.model_provider_id,
        "reasoning_effort": config.model_reasoning_effort,
        "reasoning_summary": config.model_reasoning_summary,
        "context_window": config.model_context_window or model.context_window,
        "auto_compact_token_limit": config.model_auto_compact_token_limit or model.auto_compact_token_limit,
        "approval_policy": config.approval_policy,
        "sandbox_policy": config.sandbox_mode,
        "mcp_servers": ", ".join(sorted(config.mcp_servers)),
        "active_profile": config.profile,
    }


def _text(output: ToolOutput) -> str:
    return output if isinstance(output, str) else json.dumps(output, ensure_ascii=False)


class TelemetryObserver(SessionObserver):
    """Records prompts, approval decisions and tool results."""

    def __init__(self, telemetry: Telemetry) -> None:
        self.telemetry = telemetry

    def on_event(self, event: Event) -> None:
        """`codex.user_prompt` for each user message."""
        msg: Any = event["msg"]
        if msg.get("type") == "user_message":
            images = len(msg.get("images") or []) + len(msg.get("local_images") or [])
            self.telemetry.user_prompt(str(msg.get("message", "")), images=images)

    def on_tool_decision(self, ctx: TurnContext, call_id: str, tool_name: str, decision: str, source: str) -> None:
        """`codex.tool_decision`."""
        self.telemetry.tool_decision(tool_name=tool_name, call_id=call_id, decision=decision, source=source)

    def on_tool_result(
        self, ctx: TurnContext, call: ToolCall, output: ToolOutput, success: bool, seconds: float
    ) -> None:
        """`codex.tool_result`."""
        payload = call.payload if isinstance(call.payload, str) else json.dumps(call.payload, ensure_ascii=False)
        self.telemetry.tool_result(
            tool_name=call.name,
            call_id=call.call_id,
            arguments=payload,
            duration_ms=int(seconds * 1000),
            success=success,
            output=_text(output),
        )

    async def aclose(self) -> None:
        """Flush the exporter (in a worker thread: it may wait on the network)."""
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.telemetry.shutdown)


class TelemetryTransport:
    """Wraps a model transport: `codex.api_request` per request, `codex.sse_event` per stream event."""

    def __init__(self, inner: Any, telemetry: Telemetry, *, endpoint: str) -> None:
        self.inner = inner
        self.telemetry = telemetry
        self.endpoint = endpoint
        self.attempt = 0

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        """The inner stream's events, timed and recorded."""
        self.attempt += 1
        started = last = time.monotonic()
        first = True
        try:
            async for event in self.inner.stream(request, headers=headers):
                now = time.monotonic()
                if first:
                    first = False
                    self.telemetry.api_request(
                        duration_ms=int((now - started) * 1000),
                        status=200,
                        attempt=self.attempt,
                        endpoint=self.endpoint,
                    )
                kind = _SSE_KINDS.get(type(event).__name__)
                if kind is not None:
                    usage = getattr(event, "usage", None) if kind == "response.completed" else None
                    self.telemetry.sse_event(kind=kind, duration_ms=int((now - last) * 1000), usage=usage)
                last = now
                yield event
        except Exception as exc:
            status = getattr(exc, "status", None)
            if first:
                self.telemetry.api_request(
                    duration_ms=int((time.monotonic() - started) * 1000),
                    status=status if isinstance(status, int) else None,
                    attempt=self.attempt,
                    endpoint=self.endpoint,
                    error=str(exc),
                )
            else:
                self.telemetry.sse_event(kind="error", duration_ms=0, error=str(exc))
            raise

    async def aclose(self) -> None:
        """Close the inner transport."""
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()

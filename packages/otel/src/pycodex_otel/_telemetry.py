"""The events Codex exports, with their attributes, recorded through OpenTelemetry's log API.

`Telemetry` itself records nothing and imports nothing: it is what a session gets while
`[otel] exporter = "none"`. `start_telemetry` builds the SDK pipeline (a `LoggerProvider` with a
batching OTLP exporter) only when an exporter is configured. Every string attribute passes through
the secret filter, so the API key or a collector header can never leave in an event.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from pycodex_otel._settings import OtelSettings

__all__ = ["OtelTelemetry", "Telemetry", "start_telemetry"]

logger = logging.getLogger(__name__)

REDACTED = "[REDACTED]"
_MAX_ATTRIBUTE_CHARS = 16 * 1024
_SERVICE_NAME = "codex-cli"


class Telemetry:
    """Records Codex's telemetry events; this base class drops them (exporter `none`)."""

    enabled = False

    def conversation_starts(self, **attributes: Any) -> None:
        """`codex.conversation_starts`: provider, reasoning, context window, policies, MCP servers, profile."""

    def api_request(
        self, *, duration_ms: int, status: int | None, attempt: int, endpoint: str, error: str | None = None
    ) -> None:
        """`codex.api_request`: one HTTP request to the model."""

    def sse_event(
        self, *, kind: str, duration_ms: int, usage: Mapping[str, int] | None = None, error: str | None = None
    ) -> None:
        """`codex.sse_event`: one event of the model's stream (token counts on `response.completed`)."""

    def user_prompt(self, text: str, *, images: int = 0) -> None:
        """`codex.user_prompt`: its length always, its text only with `log_user_prompt`."""

    def tool_decision(self, *, tool_name: str, call_id: str, decision: str, source: str) -> None:
        """`codex.tool_decision`: approved, denied, ... and who decided (`config`, `user`, `automated_reviewer`)."""

    def tool_result(
        self, *, tool_name: str, call_id: str, arguments: str, duration_ms: int, success: bool, output: str
    ) -> None:
        """`codex.tool_result`: a tool call's outcome."""

    def add_secret(self, value: str | None) -> None:
        """Never export `value` (the API key in use, say) in any attribute."""

    def shutdown(self) -> None:
        """Flush what is pending and stop exporting."""


class OtelTelemetry(Telemetry):
    """Telemetry exported through an OpenTelemetry `LoggerProvider`.

    Args:
        settings: The `[otel]` settings.
        provider: The logger provider (an SDK one, or a test's).
        common: Attributes every event carries (`conversation.id`, `model`, `originator`, ...).
        secrets: Values replaced by `[REDACTED]` wherever they appear.
    """

    enabled = True

    def __init__(
        self, settings: OtelSettings, provider: Any, common: Mapping[str, Any], secrets: Iterable[str | None] = ()
    ) -> None:
        self.settings = settings
        self._provider = provider
        self._logger = provider.get_logger("pycodex")
        self._secrets: set[str] = set()
        for value in (*secrets, *settings.headers.values()):
            self.add_secret(value)
        self._common = {k: self._clean(v) for k, v in common.items() if v is not None}

    def add_secret(self, value: str | None) -> None:
        """Never export `value`."""
        if value and len(value) >= 6:
            self._secrets.add(value)

    def _clean(self, value: Any) -> Any:
        if isinstance(value, bool | int | float):
            return value
        text = str(value)
        for secret in self._secrets:
            if secret in text:
                text = text.replace(secret, REDACTED)
        text = text.encode("utf-8", "replace").decode("utf-8")  # lone surrogates cannot be encoded
        return text if len(text) <= _MAX_ATTRIBUTE_CHARS else text[:_MAX_ATTRIBUTE_CHARS] + "…"

    def _emit(self, name: str, attributes: Mapping[str, Any]) -> None:
        merged = dict(self._common)
        merged["event.name"] = name
        merged["event.timestamp"] = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        merged.update({k: self._clean(v) for k, v in attributes.items() if v is not None})
        try:
            self._logger.emit(event_name=name, body=name, attributes=merged, timestamp=time.time_ns())
        except Exception:  # telemetry never takes the session down
            logger.debug("could not record %s", name, exc_info=True)

    def conversation_starts(self, **attributes: Any) -> None:
        """Record `codex.conversation_starts`."""
        self._emit("codex.conversation_starts", attributes)

    def api_request(
        self, *, duration_ms: int, status: int | None, attempt: int, endpoint: str, error: str | None = None
    ) -> None:
        """Record `codex.api_request`."""
        self._emit(
            "codex.api_request",
            {
                "duration_ms": duration_ms,
                "http.response.status_code": status,
                "attempt": attempt,
                "endpoint": endpoint,
                "error.message": error,
            },
        )

    def sse_event(
        self, *, kind: str, duration_ms: int, usage: Mapping[str, int] | None = None, error: str | None = None
    ) -> None:
        """Record `codex.sse_event`."""
        attributes: dict[str, Any] = {"event.kind": kind, "duration_ms": duration_ms, "error.message": error}
        if usage:
            attributes.update(
                {
                    "input_token_count": usage.get("input_tokens"),
                    "output_token_count": usage.get("output_tokens"),
                    "cached_token_count": usage.get("cached_input_tokens"),
                    "reasoning_token_count": usage.get("reasoning_output_tokens"),
                    "tool_token_count": usage.get("tool_tokens"),
                }
            )
        self._emit("codex.sse_event", attributes)

    def user_prompt(self, text: str, *, images: int = 0) -> None:
        """Record `codex.user_prompt` (the text only when `log_user_prompt` is on)."""
        self._emit(
            "codex.user_prompt",
            {
                "prompt_length": len(text),
                "prompt": text if self.settings.log_user_prompt else REDACTED,
                "image_count": images,
            },
        )

    def tool_decision(self, *, tool_name: str, call_id: str, decision: str, source: str) -> None:
        """Record `codex.tool_decision`."""
        self._emit(
            "codex.tool_decision", {"tool_name": tool_name, "call_id": call_id, "decision": decision, "source": source}
        )

    def tool_result(
        self, *, tool_name: str, call_id: str, arguments: str, duration_ms: int, success: bool, output: str
    ) -> None:
        """Record `codex.tool_result`."""
        self._emit(
            "codex.tool_result",
            {
                "tool_name": tool_name,
                "call_id": call_id,
                "arguments": arguments,
                "duration_ms": duration_ms,
                "success": success,
                "output": output,
                "output_length": len(output),
                "output_line_count": output.count("\n") + (1 if output and not output.endswith("\n") else 0),
            },
        )

    def shutdown(self) -> None:
        """Flush and stop the provider (bounded: the exporter has its own timeout)."""
        try:
            self._provider.shutdown()
        except Exception:
            logger.debug("telemetry shutdown failed", exc_info=True)


def _exporter(settings: OtelSettings) -> Any:
    if settings.exporter == "otlp-grpc":
        import importlib

        try:
            grpc = importlib.import_module("opentelemetry.exporter.otlp.proto.grpc._log_exporter")
        except ImportError:
            raise RuntimeError(
                "otel.exporter otlp-grpc needs the gRPC exporter: pip install 'pycodex-otel[grpc]'"
            ) from None
        return grpc.OTLPLogExporter(endpoint=settings.endpoint, headers=dict(settings.headers))
    from opentelemetry.exporter.otlp.proto.http import Compression
    from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter

    return OTLPLogExporter(
        endpoint=settings.endpoint, headers=dict(settings.headers), timeout=10, compression=Compression.NoCompression
    )


def start_telemetry(
    settings: OtelSettings, *, common: Mapping[str, Any], secrets: Iterable[str | None] = (), exporter: Any = None
) -> Telemetry:
    """The telemetry a session records into: a no-op unless `settings` names an exporter.

    Args:
        settings: The `[otel]` settings.
        common: Attributes of every event (`conversation.id`, `app.version`, `model`, `originator`, ...).
        secrets: Values never to export.
        exporter: An SDK log exporter to use instead of the OTLP one (tests).
    """
    if not settings.enabled and exporter is None:
        return Telemetry()
    from opentelemetry.sdk._logs import LoggerProvider
    from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
    from opentelemetry.sdk.resources import Resource

    resource = Resource.create(
        {"service.name": _SERVICE_NAME, "deployment.environment": settings.environment, "process.pid": os.getpid()}
    )
    provider = LoggerProvider(resource=resource)
    provider.add_log_record_processor(
        BatchLogRecordProcessor(exporter or _exporter(settings), schedule_delay_millis=500)
    )
    return OtelTelemetry(settings, provider, common, secrets)

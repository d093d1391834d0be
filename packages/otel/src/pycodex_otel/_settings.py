"""`[otel]` as Codex 0.169 reads it, checked into one `OtelSettings`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["OtelConfigError", "OtelSettings"]

ExporterKind = Literal["none", "otlp-http", "otlp-grpc"]
_DEFAULT_ENDPOINTS = {"otlp-http": "http://localhost:4318/v1/logs", "otlp-grpc": "http://localhost:4317"}


class OtelConfigError(ValueError):
    """`[otel]` holds a value pycodex cannot use; the message names the key."""


@dataclass(frozen=True, slots=True)
class OtelSettings:
    """Where and how events are exported.

    Attributes:
        exporter: `none` (the default: nothing is exported, nothing is imported), `otlp-http` or `otlp-grpc`.
        endpoint: The collector's URL.
        headers: Extra request headers (an API key for the collector, say); never exported or logged.
        protocol: `binary` (protobuf) or `json`, for `otlp-http`.
        environment: The `deployment.environment` resource attribute.
        log_user_prompt: Export the prompt's text; otherwise it is `[REDACTED]`.
    """

    exporter: ExporterKind = "none"
    endpoint: str = ""
    headers: Mapping[str, str] = field(default_factory=lambda: {})
    protocol: Literal["binary", "json"] = "binary"
    environment: str = "dev"
    log_user_prompt: bool = False

    @property
    def enabled(self) -> bool:
        """Whether anything is exported."""
        return self.exporter != "none"

    @classmethod
    def from_config(cls, otel: Any) -> OtelSettings:
        """Read a `pycodex_config.OtelConfig` (or anything with its attributes).

        Raises:
            OtelConfigError: The exporter table is not one Codex accepts.
        """
        environment = getattr(otel, "environment", "dev")
        log_prompt = bool(getattr(otel, "log_user_prompt", False))
        exporter = getattr(otel, "exporter", "none")
        base = {"environment": str(environment or "dev"), "log_user_prompt": log_prompt}
        if exporter in (None, "none", "statsig"):
            # Statsig is Codex's internal metrics sink; pycodex never sends anything there.
            return cls(**base)
        if not isinstance(exporter, Mapping) or len(exporter) != 1:
            raise OtelConfigError('otel.exporter: expected "none", { otlp-http = { ... } } or { otlp-grpc = { ... } }')
        ((kind, table),) = exporter.items()
        if kind not in _DEFAULT_ENDPOINTS:
            raise OtelConfigError(f"otel.exporter: unknown exporter {kind!r}; expected otlp-http or otlp-grpc")
        if not isinstance(table, Mapping):
            raise OtelConfigError(f"otel.exporter.{kind}: expected a table")
        endpoint = table.get("endpoint", _DEFAULT_ENDPOINTS[kind])
        if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
            raise OtelConfigError(f"otel.exporter.{kind}.endpoint: expected an http(s) URL")
        headers = table.get("headers", {})
        if not isinstance(headers, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
        ):
            raise OtelConfigError(f"otel.exporter.{kind}.headers: expected a table of strings")
        protocol = table.get("protocol", "binary")
        if protocol not in ("binary", "json"):
            raise OtelConfigError(f'otel.exporter.{kind}.protocol: expected "binary" or "json"')
        return cls(
            exporter=kind,
            endpoint=endpoint,
            headers=dict(headers),
            protocol=protocol,
            **base,
        )

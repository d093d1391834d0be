"""An OTLP/HTTP log receiver on 127.0.0.1 that decodes what it gets with the OpenTelemetry protos."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

__all__ = ["OtlpCollector", "OtlpEvent"]


@dataclass(frozen=True)
class OtlpEvent:
    """One exported log record: its event name, attributes and resource attributes."""

    name: str
    attributes: dict[str, Any]
    resource: dict[str, Any]


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind is None:
        return None
    value = getattr(any_value, kind)
    if kind == "array_value":
        return [_value(v) for v in value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in value.values}
    return value


@dataclass
class OtlpCollector:
    """Receives `POST /v1/logs` (protobuf or JSON) and keeps every record and raw body.

    Use it as a context manager; `endpoint` is the URL to configure.
    """

    events: list[OtlpEvent] = field(default_factory=list)
    raw_bodies: list[bytes] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def endpoint(self) -> str:
        """`http://127.0.0.1:PORT/v1/logs`."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1/logs"

    def names(self) -> list[str]:
        """The event names received, in order."""
        with self._lock:
            return [event.name for event in self.events]

    def receive(self, body: bytes, content_type: str, headers: dict[str, str]) -> None:
        """Decode one export request."""
        from google.protobuf import json_format
        from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest

        request = ExportLogsServiceRequest()
        if "json" in content_type:
            json_format.Parse(body.decode("utf-8"), request)
        else:
            request.ParseFromString(body)
        records: list[OtlpEvent] = []
        for resource_logs in request.resource_logs:
            resource = {kv.key: _value(kv.value) for kv in resource_logs.resource.attributes}
            for scope in resource_logs.scope_logs:
                for record in scope.log_records:
                    attributes = {kv.key: _value(kv.value) for kv in record.attributes}
                    name = record.event_name or str(attributes.get("event.name", ""))
                    records.append(OtlpEvent(name, attributes, resource))
        with self._lock:
            self.raw_bodies.append(body)
            self.headers.append(headers)
            self.events.extend(records)

    def __enter__(self) -> OtlpCollector:
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                try:
                    collector.receive(body, self.headers.get("Content-Type", ""), dict(self.headers.items()))
                    status = 200
                except Exception:
                    status = 400
                self.send_response(status)
                self.send_header("Content-Type", "application/x-protobuf")
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

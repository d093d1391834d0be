"""OpenTelemetry export of pycodex's events, with Codex 0.169's event names and attributes.

`start_telemetry(OtelSettings.from_config(config.otel), common=...)` returns the `Telemetry` a
session records into. While `[otel] exporter = "none"` (the default) it is a no-op and nothing from
OpenTelemetry is imported, so start-up pays nothing.
"""

from pycodex_otel._settings import OtelConfigError, OtelSettings
from pycodex_otel._telemetry import OtelTelemetry, Telemetry, start_telemetry

__all__ = ["OtelConfigError", "OtelSettings", "OtelTelemetry", "Telemetry", "start_telemetry"]

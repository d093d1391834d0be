"""Settings, the no-op default, and events exported over real OTLP/HTTP to a collector on 127.0.0.1."""

from __future__ import annotations

import subprocess
import sys
import time
from types import SimpleNamespace

import pytest

from pycodex_otel import OtelConfigError, OtelSettings, OtelTelemetry, Telemetry, start_telemetry
from pycodex_test_support import OtlpCollector

CANARY = "sk-canary-secret-0123456789"


def test_default_is_off_and_imports_nothing() -> None:
    code = (
        "import sys; from pycodex_otel import OtelSettings, start_telemetry;"
        "t = start_telemetry(OtelSettings(), common={}); t.user_prompt('x'); t.shutdown();"
        "print(any(m.startswith('opentelemetry') for m in sys.modules), type(t).__name__)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, encoding="utf-8", check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "Telemetry"]


def config(exporter: object, **extra: object) -> SimpleNamespace:
    return SimpleNamespace(exporter=exporter, environment="test", log_user_prompt=False, **extra)


def test_settings_from_config() -> None:
    assert not OtelSettings.from_config(config("none")).enabled
    assert not OtelSettings.from_config(config("statsig")).enabled
    settings = OtelSettings.from_config(
        config(
            {"otlp-http": {"endpoint": "http://127.0.0.1:4318/v1/logs", "headers": {"x-key": "v"}, "protocol": "json"}}
        )
    )
    assert (settings.exporter, settings.protocol, dict(settings.headers)) == ("otlp-http", "json", {"x-key": "v"})
    assert OtelSettings.from_config(config({"otlp-grpc": {}})).endpoint == "http://localhost:4317"


@pytest.mark.parametrize(
    ("exporter", "message"),
    [
        ("zipkin", "expected"),
        ({"otlp-http": {}, "otlp-grpc": {}}, "expected"),
        ({"kafka": {}}, "unknown exporter 'kafka'"),
        ({"otlp-http": {"endpoint": "ftp://x"}}, "endpoint"),
        ({"otlp-http": {"headers": {"a": 1}}}, "headers"),
        ({"otlp-http": {"protocol": "xml"}}, "protocol"),
        ({"otlp-http": "x"}, "expected a table"),
    ],
)
def test_bad_exporters_name_the_key(exporter: object, message: str) -> None:
    with pytest.raises(OtelConfigError, match=message):
        OtelSettings.from_config(config(exporter))


def wait_for(collector: OtlpCollector, count: int) -> None:
    deadline = time.monotonic() + 10
    while len(collector.events) < count and time.monotonic() < deadline:
        time.sleep(0.05)


def test_every_event_reaches_a_real_collector_without_secrets() -> None:
    with OtlpCollector() as collector:
        settings = OtelSettings(
            exporter="otlp-http", endpoint=collector.endpoint, headers={"x-otlp-api-key": "collector-key-123"}
        )
        telemetry = start_telemetry(
            settings, common={"conversation.id": "thread-1", "model": "gpt-5.5", "originator": "codex_exec"},
            secrets=[CANARY],
        )  # fmt: skip
        assert isinstance(telemetry, OtelTelemetry)
        telemetry.conversation_starts(provider_name="openai", approval_policy="never", mcp_servers="")
        telemetry.api_request(duration_ms=12, status=200, attempt=1, endpoint="/v1/responses")
        telemetry.sse_event(kind="response.completed", duration_ms=3, usage={"input_tokens": 10, "output_tokens": 2})
        telemetry.user_prompt(f"my key is {CANARY}, keep it")
        telemetry.tool_decision(tool_name="exec_command", call_id="c1", decision="approved", source="config")
        telemetry.tool_result(
            tool_name="exec_command", call_id="c1", arguments='{"cmd": "env"}', duration_ms=5, success=True,
            output=f"OPENAI_API_KEY={CANARY}\nsurrogate \ud800 here\n",
        )  # fmt: skip
        telemetry.shutdown()
        wait_for(collector, 6)
    assert collector.names() == [
        "codex.conversation_starts",
        "codex.api_request",
        "codex.sse_event",
        "codex.user_prompt",
        "codex.tool_decision",
        "codex.tool_result",
    ]
    by_name = {event.name: event for event in collector.events}
    assert by_name["codex.user_prompt"].attributes["prompt"] == "[REDACTED]"
    assert by_name["codex.user_prompt"].attributes["prompt_length"] == len(f"my key is {CANARY}, keep it")
    assert by_name["codex.sse_event"].attributes["input_token_count"] == 10
    assert by_name["codex.tool_result"].attributes["output"].startswith("OPENAI_API_KEY=[REDACTED]")
    assert by_name["codex.api_request"].attributes["conversation.id"] == "thread-1"
    assert by_name["codex.conversation_starts"].resource["service.name"] == "codex-cli"
    everything = b"".join(collector.raw_bodies)
    assert CANARY.encode() not in everything and b"collector-key-123" not in everything
    assert collector.headers[0].get("x-otlp-api-key") == "collector-key-123"


def test_log_user_prompt_exports_the_text() -> None:
    with OtlpCollector() as collector:
        telemetry = start_telemetry(
            OtelSettings(exporter="otlp-http", endpoint=collector.endpoint, log_user_prompt=True), common={}
        )
        telemetry.user_prompt("fix the bug")
        telemetry.shutdown()
        wait_for(collector, 1)
    assert collector.events[0].attributes["prompt"] == "fix the bug"


@pytest.mark.timeout(60)
def test_an_unreachable_collector_never_fails_the_caller() -> None:
    telemetry = start_telemetry(OtelSettings(exporter="otlp-http", endpoint="http://127.0.0.1:9/v1/logs"), common={})
    telemetry.user_prompt("hello")
    telemetry.shutdown()  # returns (the exporter's own timeout bounds it) and raises nothing
    assert isinstance(telemetry, OtelTelemetry)


def test_the_default_recorder_accepts_every_event() -> None:
    telemetry = Telemetry()
    telemetry.conversation_starts(provider_name="openai")
    telemetry.api_request(duration_ms=1, status=None, attempt=1, endpoint="/v1/responses", error="refused")
    telemetry.tool_result(tool_name="t", call_id="c", arguments="{}", duration_ms=1, success=False, output="")
    telemetry.shutdown()
    assert not telemetry.enabled

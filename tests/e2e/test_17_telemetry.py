"""`[otel]` end to end: a scripted `codex exec` run exports Codex's events to a collector on 127.0.0.1,
and no secret reaches the collector, the logs or the rollout."""

from __future__ import annotations

import time

from e2e_support import Env, exec_turn, message_turn, parse_jsonl

from pycodex_test_support import OtlpCollector, ScriptedServer

CANARY_KEY = "sk-canary-key-7f3a9c0e1d2b"
CANARY_PROMPT = "canary-prompt-5e6f7a8b"


def test_events_reach_the_collector_and_no_secret_leaks(env: Env) -> None:
    turns = [exec_turn("call_1", "echo telemetry-ok"), message_turn("Done")]
    with OtlpCollector() as collector, ScriptedServer(turns) as server:
        otel = f'[otel]\nexporter = {{ otlp-http = {{ endpoint = "{collector.endpoint}", protocol = "binary" }} }}\n'
        env.write_config(server.base_url, extra=otel)
        run = env.run("--json", f"say {CANARY_PROMPT}", env=env.environ(MOCK_API_KEY=CANARY_KEY, PYCODEX_LOG="debug"))
        assert run.rc == 0, run.stderr
        assert server.requests[0].headers["authorization"] == f"Bearer {CANARY_KEY}"
        deadline = time.monotonic() + 15
        while "codex.tool_result" not in collector.names() and time.monotonic() < deadline:
            time.sleep(0.05)
    names = collector.names()
    for name in (
        "codex.conversation_starts",
        "codex.api_request",
        "codex.sse_event",
        "codex.user_prompt",
        "codex.tool_decision",
        "codex.tool_result",
    ):
        assert name in names, names
    thread_id = parse_jsonl(run.stdout)[0]["thread_id"]
    by_name = {event.name: event for event in collector.events}
    assert by_name["codex.conversation_starts"].attributes["conversation.id"] == thread_id
    assert by_name["codex.user_prompt"].attributes["prompt"] == "[REDACTED]"
    assert by_name["codex.tool_decision"].attributes["decision"] == "approved"
    assert "telemetry-ok" in by_name["codex.tool_result"].attributes["output"]
    exported = b"".join(collector.raw_bodies)
    assert CANARY_KEY.encode() not in exported and CANARY_PROMPT.encode() not in exported
    # Nor in what stays on disk: the debug log on stderr and the rollout.
    assert CANARY_KEY not in run.stderr
    for rollout in (env.home / "sessions").rglob("*.jsonl"):
        assert CANARY_KEY not in rollout.read_text(encoding="utf-8")


def test_otel_off_imports_nothing_and_exports_nothing(env: Env) -> None:
    with OtlpCollector() as collector, ScriptedServer([message_turn("Hello")]) as server:
        env.write_config(server.base_url)
        run = env.run("--json", "hi")
        assert run.rc == 0, run.stderr
        time.sleep(0.3)
    assert collector.events == []

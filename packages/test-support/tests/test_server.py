from __future__ import annotations

import http.client
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_test_support import (
    ScriptedServer,
    Turn,
    chat_text_chunks,
    chat_tool_call_chunks,
    dropped_stream,
    ev_completed,
    ev_response_created,
    http_error,
    rate_limited,
    raw_body,
    sse,
    sse_turn,
    stalled_stream,
    text_message_events,
)


def post(
    server: ScriptedServer, path: str = "/v1/responses", body: Any = None, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    try:
        data = json.dumps(body if body is not None else {"model": "m"}).encode()
        conn.request("POST", path, body=data, headers={"content-type": "application/json", **(headers or {})})
        resp = conn.getresponse()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read()
    finally:
        conn.close()


def test_responses_stream_and_recording() -> None:
    events = text_message_events("Hello world", pieces=2)
    with ScriptedServer([sse_turn(events)]) as server:
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        status, headers, body = post(server, "/v1/responses?x=1", {"model": "m", "input": []}, {"X-Test": "1"})
    assert status == 200
    assert headers["content-type"] == "text/event-stream"
    assert body.decode() == sse(events)
    assert body.startswith(b'event: response.created\ndata: {"type":"response.created"')
    kinds = [json.loads(line[6:])["type"] for line in body.decode().splitlines() if line.startswith("data: ")]
    assert kinds == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    (req,) = server.requests
    assert (req.method, req.path, req.query, req.json) == ("POST", "/v1/responses", "x=1", {"model": "m", "input": []})
    assert req.headers["x-test"] == "1"
    assert req.time <= time.monotonic()


def test_chat_stream_ends_with_done() -> None:
    with ScriptedServer([sse_turn(chat_text_chunks("hey")), sse_turn(chat_tool_call_chunks([("c", "f", "{}")]))]) as s:
        _, _, text = post(s, "/v1/chat/completions")
        _, _, tools = post(s, "/v1/chat/completions")
    frames = text.decode().split("\n\n")
    assert frames[-2:] == ["data: [DONE]", ""]
    chunks = [json.loads(f[6:]) for f in frames[:-2]]
    assert "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"]) == "hey"
    assert chunks[-1]["usage"]["total_tokens"] == 15
    assert b'"tool_calls":[{"index":0,"id":"c"' in tools


def test_http_errors_repeat_then_succeed() -> None:
    turns = [
        http_error(500, "boom", times=2),
        rate_limited(retry_after=1),
        rate_limited(),
        http_error(400, "Invalid model foo"),
        sse_turn(text_message_events("ok")),
    ]
    with ScriptedServer(turns) as s:
        results = [post(s) for _ in range(6)]
        assert s.pending_turns == 0
    assert [r[0] for r in results] == [500, 500, 429, 429, 400, 200]
    assert json.loads(results[0][2]) == {"error": {"message": "boom", "type": "error", "code": None}}
    assert results[2][1]["retry-after"] == "1"
    assert "retry-after" not in results[3][1]
    assert json.loads(results[4][2])["error"]["message"] == "Invalid model foo"


def test_exhausted_script_answers_500() -> None:
    with ScriptedServer() as s:
        status, _, body = post(s)
    assert status == 500 and b"no turn left" in body
    assert len(s.requests) == 1


def test_html_body() -> None:
    with ScriptedServer([raw_body("<html>hi</html>")]) as s:
        status, headers, body = post(s)
    assert (status, headers["content-type"], body) == (200, "text/html", b"<html>hi</html>")


def test_dropped_stream_is_incomplete() -> None:
    with ScriptedServer([dropped_stream([ev_response_created(), ev_completed()], after=1)]) as s:
        with pytest.raises(http.client.IncompleteRead) as info:
            post(s)
    assert b"response.created" in info.value.partial and b"response.completed" not in info.value.partial


def test_missing_completed_is_clean_eof() -> None:
    with ScriptedServer([sse_turn([ev_response_created()])]) as s:
        status, _, body = post(s)
    assert status == 200 and body.count(b"data: ") == 1


def test_stall_ends_when_server_closes() -> None:
    server = ScriptedServer([stalled_stream(text_message_events("x"), after=1, seconds=60)]).start()
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/v1/responses", body=b"{}")
    resp = conn.getresponse()
    assert resp.status == 200
    started = time.monotonic()
    server.close()
    with pytest.raises(http.client.IncompleteRead):
        resp.read()
    conn.close()
    assert time.monotonic() - started < 2


def test_event_delay_and_raw_bytes() -> None:
    turn = Turn(events=[ev_response_created(), b"data: \xff\n\n", ev_completed()], event_delay_s=0.05)
    with ScriptedServer([turn]) as s:
        started = time.monotonic()
        _, _, body = post(s)
    assert time.monotonic() - started >= 0.14
    assert b"data: \xff\n\n" in body


def test_keep_alive_reuses_connection() -> None:
    with ScriptedServer([sse_turn(text_message_events("a")), sse_turn(text_message_events("b"))]) as s:
        conn = http.client.HTTPConnection("127.0.0.1", s.port, timeout=5)
        for _ in range(2):
            conn.request("POST", "/v1/responses", body=b"{}")
            assert conn.getresponse().read().endswith(b"\n\n")
        conn.close()
    assert len(s.requests) == 2


def test_wait_for_requests_times_out() -> None:
    with ScriptedServer() as s, pytest.raises(TimeoutError):
        s.wait_for_requests(1, timeout=0.05)


@pytest.mark.anyio
async def test_async_use() -> None:
    async with ScriptedServer([sse_turn(text_message_events("x"))]) as s:
        with anyio.fail_after(5):
            status, _, _ = await anyio.to_thread.run_sync(post, s)
            requests = await s.await_requests(1)
    assert status == 200 and len(requests) == 1


def test_serve_cli(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            {
                "turns": [
                    {"events": [ev_response_created(), {"raw": ": comment\n\n"}, ev_completed()]},
                    {"status": 500, "body": {"error": {"message": "x"}}, "times": 2},
                ]
            }
        ),
        encoding="utf-8",
    )
    out = tmp_path / "requests.jsonl"
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pycodex_test_support.serve",
            str(script),
            "--requests-out",
            str(out),
            "--max-seconds",
            "30",
        ],
        stdout=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    ) as proc:
        assert proc.stdout is not None
        try:
            line = proc.stdout.readline()
            assert line.startswith("READY http://127.0.0.1:")
            port = int(line.split(":")[-1].split("/")[0])
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("POST", "/v1/responses", body=b'{"a":1}')
            body = conn.getresponse().read()
            conn.request("POST", "/v1/responses", body=b"{}")
            assert conn.getresponse().status == 500
            conn.close()
        finally:
            proc.terminate()
            assert proc.wait(timeout=10) == 0
    assert b": comment\n\n" in body and b"response.completed" in body
    rows = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert [r["body"] for r in rows] == [{"a": 1}, {}]

from __future__ import annotations

import json
import time
from typing import Any

import anyio
import pytest

from pycodex_model_client import (
    BadRequest,
    Completed,
    ContextWindowExceeded,
    Created,
    CustomToolCallInputDelta,
    MissingEnvKey,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    RateLimits,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    StreamError,
    Unauthorized,
    UsageLimitReached,
)
from pycodex_test_support import (
    Turn,
    dropped_stream,
    ev_completed,
    ev_custom_tool_call,
    ev_custom_tool_call_input_delta,
    ev_failed,
    ev_function_call,
    ev_incomplete,
    ev_message,
    ev_output_text_delta,
    ev_reasoning,
    ev_reasoning_summary_delta,
    ev_reasoning_summary_part_added,
    ev_reasoning_text_delta,
    ev_response_created,
    http_error,
    rate_limited,
    raw_body,
    sse_turn,
    stalled_stream,
    text_message_events,
)

pytestmark = pytest.mark.anyio

HIGH_DEMAND = "We\u2019re currently experiencing high demand, which may cause temporary errors."


async def test_full_text_sequence(h: Any) -> None:
    h.server.add(sse_turn(text_message_events("Hello world", pieces=2)))
    with anyio.fail_after(5):
        events = await h.run()
    assert events == [
        Created("resp_1"),
        OutputItemAdded(
            {"type": "message", "id": "msg_1", "status": "in_progress", "role": "assistant", "content": []}
        ),
        OutputTextDelta("Hello "),
        OutputTextDelta("world"),
        OutputItemDone(
            {
                "type": "message",
                "id": "msg_1",
                "status": "completed",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "Hello world", "annotations": []}],
            }
        ),
        Completed(
            "resp_1",
            {
                "input_tokens": 10,
                "cached_input_tokens": 0,
                "output_tokens": 5,
                "reasoning_output_tokens": 0,
                "total_tokens": 15,
            },
        ),
    ]


async def test_every_event_type(h: Any) -> None:
    h.server.add(
        sse_turn(
            [
                ev_response_created("r"),
                ev_reasoning_summary_part_added(1),
                ev_reasoning_summary_delta("think", 1),
                ev_reasoning_text_delta("raw", 2),
                ev_reasoning("rs_1", "**Plan**"),
                ev_custom_tool_call_input_delta("c2", "*** Begin"),
                ev_custom_tool_call("c2", "apply_patch", "*** Begin Patch\n*** End Patch\n"),
                ev_function_call("c1", "exec_command", '{"cmd":"ls"}'),
                {"type": "response.some_future_event", "x": 1},
                ev_output_text_delta("hi"),
                ev_message("m", "hi"),
                ev_completed("r", 50, 10, cached_tokens=7, reasoning_tokens=3),
            ],
            headers={"x-codex-primary-used-percent": "12.5", "x-codex-primary-window-minutes": "300"},
        )
    )
    with anyio.fail_after(5):
        events = await h.run()
    kinds = [type(e).__name__ for e in events]
    assert kinds == [
        "RateLimits",
        "Created",
        "ReasoningSummaryPartAdded",
        "ReasoningSummaryDelta",
        "ReasoningContentDelta",
        "OutputItemDone",
        "CustomToolCallInputDelta",
        "OutputItemDone",
        "OutputItemDone",
        "OutputTextDelta",
        "OutputItemDone",
        "Completed",
    ]
    assert events[0] == RateLimits({"primary": {"used_percent": 12.5, "window_minutes": 300, "resets_at": None}})
    assert events[2] == ReasoningSummaryPartAdded(1)
    assert events[3] == ReasoningSummaryDelta("think", 1)
    assert events[4] == ReasoningContentDelta("raw", 2)
    assert events[5].item["summary"] == [{"type": "summary_text", "text": "**Plan**"}]
    assert events[6] == CustomToolCallInputDelta("*** Begin", "c2")
    assert events[7].item["input"] == "*** Begin Patch\n*** End Patch\n"
    assert events[8].item == {
        "type": "function_call",
        "id": "fc_c1",
        "call_id": "c1",
        "name": "exec_command",
        "arguments": '{"cmd":"ls"}',
    }
    assert events[-1] == Completed(
        "r",
        {
            "input_tokens": 50,
            "cached_input_tokens": 7,
            "output_tokens": 10,
            "reasoning_output_tokens": 3,
            "total_tokens": 60,
        },
    )


async def test_request_headers_and_body(h: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_KEY", "sk-test")
    monkeypatch.setenv("EXTRA_HDR", "from-env")
    h.server.add(sse_turn(text_message_events("x")))
    request = {
        "model": "gpt-5.5",
        "stream": True,
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "héllo"}]}],
    }
    with anyio.fail_after(5):
        await h.run(
            request,
            env_key="MOCK_KEY",
            query_params={"api-version": "1"},
            http_headers={"x-static": "s"},
            env_http_headers={"x-env": "EXTRA_HDR", "x-unset": "NOPE_X"},
        )
    req = h.server.requests[0]
    assert req.path == "/v1/responses"
    assert req.query == "api-version=1"
    assert req.json == request
    assert "héllo".encode() in req.body
    hdr = req.headers
    assert hdr["authorization"] == "Bearer sk-test"
    assert hdr["originator"] == "codex_exec"
    assert hdr["user-agent"].startswith("pycodex/") and "(codex_exec; " in hdr["user-agent"]
    assert hdr["accept"] == "text/event-stream"
    assert hdr["content-type"] == "application/json"
    assert hdr["session-id"] == hdr["thread-id"] == hdr["x-client-request-id"] == "thread-1"
    assert hdr["x-static"] == "s" and hdr["x-env"] == "from-env" and "x-unset" not in hdr


async def test_no_env_key_sends_no_authorization(h: Any) -> None:
    h.server.add(sse_turn(text_message_events("x")))
    with anyio.fail_after(5):
        await h.run()
    assert "authorization" not in h.server.requests[0].headers


async def test_missing_env_key_sends_nothing(h: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOCK_KEY", "")
    with pytest.raises(MissingEnvKey, match=r"^Missing environment variable: `MOCK_KEY`\.$"):
        await h.run(env_key="MOCK_KEY")
    assert h.server.requests == []


async def test_5xx_then_success_is_silent(h: Any) -> None:
    h.server.add(http_error(500, times=3), sse_turn(text_message_events("ok")))
    with anyio.fail_after(5):
        events = await h.run()
    assert isinstance(events[-1], Completed)
    assert len(h.server.requests) == 4
    assert {r.body for r in h.server.requests} == {h.server.requests[0].body}


async def test_5xx_exhausted_gives_high_demand(h: Any) -> None:
    h.server.add(http_error(503, "boom", times=5))
    with pytest.raises(StreamError) as info:
        await h.run()
    assert str(info.value) == HIGH_DEMAND
    assert info.value.retryable
    assert len(h.server.requests) == 5


async def test_request_max_retries_honoured(h: Any) -> None:
    h.server.add(http_error(500, times=2))
    with pytest.raises(StreamError):
        await h.run(request_max_retries=1)
    assert len(h.server.requests) == 2


async def test_429_with_retry_after(h: Any) -> None:
    h.server.add(rate_limited(retry_after=1))
    with pytest.raises(StreamError) as info:
        await h.run()
    assert str(info.value) == "exceeded retry limit, last status: 429 Too Many Requests"
    assert info.value.retryable and info.value.retry_after == 1.0
    assert len(h.server.requests) == 1


async def test_429_without_retry_after_is_fatal(h: Any) -> None:
    h.server.add(rate_limited(message="Rate limit reached. Please try again in 2s."))
    with pytest.raises(StreamError) as info:
        await h.run()
    assert str(info.value) == "exceeded retry limit, last status: 429 Too Many Requests"
    assert not info.value.retryable and info.value.retry_after is None
    assert len(h.server.requests) == 1


# What Codex 0.169 shows for client errors (observed with the real binary).
_ERROR_BODY = json.dumps({"error": {"message": "Invalid model foo", "type": "invalid_request_error", "code": None}})
_CODED_BODY = json.dumps({"error": {"message": "Invalid model foo", "type": "invalid_request_error", "code": "x"}})


@pytest.mark.parametrize(
    ("status", "body", "expected", "retryable"),
    [
        (400, _CODED_BODY, "Invalid model foo", False),
        (400, _ERROR_BODY, _ERROR_BODY, False),
        (400, "just text", "just text", False),
        (404, _CODED_BODY, "Invalid model foo", False),
        (404, _ERROR_BODY, "unexpected status 404 Not Found: Invalid model foo, url: {url}/responses", True),
        (403, "just text", "unexpected status 403 Forbidden: just text, url: {url}/responses", True),
    ],
)
async def test_client_error_texts(h: Any, status: int, body: str, expected: str, retryable: bool) -> None:
    h.server.add(Turn(status=status, body=body.encode(), content_type="application/json"))
    with pytest.raises(BadRequest) as info:
        await h.run()
    assert str(info.value) == expected.replace("{url}", h.server.base_url)
    assert info.value.retryable is retryable
    assert info.value.status == status
    assert len(h.server.requests) == 1  # never retried at the request layer


async def test_401_unauthorized(h: Any) -> None:
    h.server.add(http_error(401, "Incorrect API key provided"))
    with pytest.raises(Unauthorized) as info:
        await h.run()
    assert str(info.value) == (
        f"unexpected status 401 Unauthorized: Incorrect API key provided, url: {h.server.base_url}/responses"
    )
    assert info.value.retryable  # Codex 0.169 reconnects after a 401
    assert len(h.server.requests) == 1


async def test_dropped_stream_keeps_done_items(h: Any) -> None:
    h.server.add(
        dropped_stream(
            [ev_response_created("r"), ev_message("m", "partial"), ev_output_text_delta("x"), ev_completed("r")],
            after=2,
        )
    )
    events: list[Any] = []
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        async with h.client() as c:
            async for e in c.stream({"model": "m", "input": []}):
                events.append(e)
    assert str(info.value).startswith("stream disconnected before completion: ")
    assert info.value.retryable
    assert [type(e) for e in events] == [Created, OutputItemDone]


async def test_stall_past_idle_timeout(h: Any) -> None:
    h.server.add(stalled_stream(text_message_events("slow"), after=2, seconds=10))
    started = time.monotonic()
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run(stream_idle_timeout_ms=300)
    elapsed = time.monotonic() - started
    assert str(info.value) == "stream disconnected before completion: idle timeout waiting for SSE"
    assert info.value.retryable
    assert 0.25 < elapsed < 2.0


async def test_slow_events_under_idle_timeout_are_fine(h: Any) -> None:
    h.server.add(Turn(events=list(text_message_events("ab")), event_delay_s=0.02))
    with anyio.fail_after(5):
        events = await h.run(stream_idle_timeout_ms=300)
    assert isinstance(events[-1], Completed)


async def test_missing_completed(h: Any) -> None:
    h.server.add(sse_turn([ev_response_created("r"), ev_message("m", "hi")]))
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run()
    assert str(info.value) == "stream disconnected before completion: stream closed before response.completed"
    assert info.value.retryable


@pytest.mark.parametrize(
    ("code", "message", "error", "retryable", "delay"),
    [
        ("context_length_exceeded", "too long", ContextWindowExceeded, False, None),
        ("insufficient_quota", "no money", UsageLimitReached, False, None),
        ("rate_limit_exceeded", "Rate limit. Please try again in 11.054s.", StreamError, True, 11.054),
        ("server_error", "oops", StreamError, True, None),
    ],
)
async def test_response_failed_classified(
    h: Any, code: str, message: str, error: type[Exception], retryable: bool, delay: float | None
) -> None:
    h.server.add(sse_turn([ev_response_created("r"), ev_failed(code, message)]))
    with anyio.fail_after(5), pytest.raises(error) as info:
        await h.run()
    assert type(info.value) is error
    assert getattr(info.value, "retryable", False) == retryable
    assert getattr(info.value, "retry_after", None) == delay
    if error is StreamError:
        assert message in str(info.value)


async def test_response_incomplete(h: Any) -> None:
    h.server.add(sse_turn([ev_response_created("r"), ev_incomplete("max_output_tokens")]))
    with anyio.fail_after(5), pytest.raises(StreamError, match=r"Incomplete response returned, reason: max_output"):
        await h.run()


async def test_malformed_lines_and_bad_json_are_skipped(h: Any) -> None:
    h.server.add(
        sse_turn(
            [
                ev_response_created("r"),
                b": keep-alive comment\n\n",
                b"this is not a field line\n\n",
                b'event: response.output_text.delta\ndata: {"type": "response.output_text.delta", "delta": \n\n',
                b"data: [1, 2]\n\n",
                ev_output_text_delta("ok"),
                ev_completed("r"),
            ]
        )
    )
    with anyio.fail_after(5):
        events = await h.run()
    assert events == [Created("r"), OutputTextDelta("ok"), events[-1]]
    assert isinstance(events[-1], Completed)


async def test_invalid_utf8_is_a_stream_error(h: Any) -> None:
    h.server.add(
        sse_turn(
            [
                ev_response_created("r"),
                b'data: {"type":"response.output_text.delta","delta":"\xff\xfe"}\n\n',
                ev_completed("r"),
            ]
        )
    )
    with anyio.fail_after(5), pytest.raises(StreamError, match="invalid UTF-8 in SSE stream") as info:
        await h.run()
    assert "0xff" in str(info.value)


async def test_html_200_is_a_clear_error(h: Any) -> None:
    page = "<html><body>" + "Welcome to the proxy login page " * 20 + "</body></html>"
    h.server.add(raw_body(page))
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run()
    text = str(info.value)
    assert text.startswith("unexpected response (HTTP 200, content-type text/html): <html><body>Welcome")
    assert len(text) == len("unexpected response (HTTP 200, content-type text/html): ") + 200
    assert not info.value.retryable
    assert len(h.server.requests) == 1


async def test_connection_refused_retries_then_fails(h: Any) -> None:
    from pycodex_model_client import ModelClient
    from pycodex_test_support import ScriptedServer

    with ScriptedServer() as s:
        url = s.base_url
    client = ModelClient(h.provider(base_url=url, request_max_retries=2), thread_id="t", backoff_base_s=0.001)
    with anyio.fail_after(5), pytest.raises(StreamError, match="error sending request") as info:
        async with client:
            async for _ in client.stream({"model": "m", "input": []}):
                pass
    assert info.value.retryable


async def test_early_break_closes_stream(h: Any) -> None:
    h.server.add(sse_turn(text_message_events("a b c d", pieces=4)), sse_turn(text_message_events("again")))
    async with h.client() as c:
        stream = c.stream({"model": "m", "input": []})
        async for _ in stream:
            break
        await stream.aclose()
        with anyio.fail_after(5):
            events = await h.collect(c)
    assert isinstance(events[-1], Completed)
    assert json.loads(h.server.requests[1].body)["model"] == "gpt-5.5"


async def test_retry_after_delay_can_be_honoured(h: Any) -> None:
    """A stream-level loop (as core runs it) waits `retry_after` and reconnects successfully."""
    h.server.add(rate_limited(retry_after=0.5), sse_turn(text_message_events("ok")))
    events: list[Any] = []
    async with h.client() as c:
        with anyio.fail_after(5):
            for _ in range(2):
                try:
                    events = await h.collect(c)
                    break
                except StreamError as e:
                    assert e.retryable and e.retry_after == 0.5
                    await anyio.sleep(e.retry_after or 0.0)
    assert isinstance(events[-1], Completed)
    first, second = h.server.requests
    assert 0.45 <= second.time - first.time < 1.5


# --- Regressions -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.5", 2.5),
        ("0", 0.0),
        ("120", 120.0),
        ("1e9", 300.0),  # clamped to five minutes
        ("inf", None),
        ("nan", None),
        ("-5", None),
        ("soon", None),
        ("", None),
        ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0),  # an HTTP-date in the past
    ],
)
def test_retry_after_parsing(value: str, expected: float | None) -> None:
    import httpx

    from pycodex_model_client._client import _retry_after

    assert _retry_after(httpx.Headers({"retry-after": value})) == expected


def test_retry_after_http_date_in_future() -> None:
    from email.utils import formatdate

    import httpx

    from pycodex_model_client._client import _retry_after

    soon = _retry_after(httpx.Headers({"retry-after": formatdate(time.time() + 5, usegmt=True)}))
    assert soon is not None and 3.0 < soon <= 5.0
    far = _retry_after(httpx.Headers({"retry-after": formatdate(time.time() + 86_400, usegmt=True)}))
    assert far == 300.0


@pytest.mark.parametrize("value", ["inf", "nan", "-1", "later"])
async def test_429_with_unusable_retry_after_is_final(h: Any, value: str) -> None:
    h.server.add(http_error(429, "Rate limit reached.", headers={"Retry-After": value}))
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run()
    assert not info.value.retryable and info.value.retry_after is None


async def test_429_with_http_date_retry_after(h: Any) -> None:
    from email.utils import formatdate

    h.server.add(
        http_error(429, "Rate limit reached.", headers={"Retry-After": formatdate(time.time() + 5, usegmt=True)})
    )
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run()
    assert info.value.retryable
    assert info.value.retry_after is not None and 3.0 < info.value.retry_after <= 5.0


async def test_status_error_hides_query_values(h: Any) -> None:
    h.server.add(Turn(status=404, body=_ERROR_BODY.encode(), content_type="application/json"))
    with anyio.fail_after(5), pytest.raises(BadRequest) as info:
        await h.run(query_params={"key": "SECRET123", "api-version": "2024-01"})
    text = str(info.value)
    assert "SECRET123" not in text and "2024-01" not in text
    assert text.endswith(f"url: {h.server.base_url}/responses?key=***&api-version=***")
    assert h.server.requests[0].query == "key=SECRET123&api-version=2024-01"  # the request used the real URL


async def test_transport_error_hides_query_values(h: Any) -> None:
    from pycodex_model_client import ModelClient
    from pycodex_test_support import ScriptedServer

    with ScriptedServer() as s:
        url = s.base_url
    provider = h.provider(base_url=url, request_max_retries=0, query_params={"key": "SECRET123"})
    client = ModelClient(provider, thread_id="t", backoff_base_s=0.001)
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        async with client:
            await h.collect(client)
    assert "SECRET123" not in str(info.value)
    assert f"error sending request for url ({url}/responses?key=***)" in str(info.value)


def test_redact_url() -> None:
    from pycodex_model_client._client import _redact_url

    assert _redact_url("http://h/v1/responses") == "http://h/v1/responses"
    assert _redact_url("http://h/v1/responses?a=1&b=&c") == "http://h/v1/responses?a=***&b=***&***"
    assert _redact_url("https://user:pw@h/v1?k=v#frag") == "https://user:***@h/v1?k=***#frag"
    assert _redact_url("http://[::1/v1") == "http://[::1/v1"


def test_rate_limits_skip_malformed_values() -> None:
    import httpx

    from pycodex_model_client._client import _rate_limits

    headers = httpx.Headers(
        {
            "x-codex-primary-used-percent": "n/a",
            "x-codex-secondary-used-percent": "40",
            "x-codex-secondary-window-minutes": "ten",
            "x-codex-secondary-reset-at": "1700000000",
        }
    )
    assert _rate_limits(headers) == {
        "secondary": {"used_percent": 40.0, "window_minutes": None, "resets_at": 1700000000}
    }
    assert _rate_limits(httpx.Headers({"x-codex-primary-used-percent": "nan"})) is None


async def test_malformed_rate_limit_header_does_not_break_stream(h: Any) -> None:
    turn = sse_turn(text_message_events("ok"))
    turn.headers["x-codex-primary-used-percent"] = "n/a"
    h.server.add(turn)
    with anyio.fail_after(5):
        events = await h.run()
    assert not any(isinstance(e, RateLimits) for e in events)
    assert isinstance(events[-1], Completed)


async def test_invalid_base_url_is_a_clear_final_error(h: Any) -> None:
    from pycodex_model_client import ModelClient

    client = ModelClient(h.provider(base_url="http://[::1/v1"), thread_id="t", backoff_base_s=0.001)
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        async with client:
            await h.collect(client)
    assert not info.value.retryable
    assert "base URL" in str(info.value) and "http://[::1/v1" in str(info.value)


@pytest.mark.parametrize("key", ["sk-abc\u200bdef", "sk-abc\ndef", "sk-abc\x7fdef"])
async def test_bad_character_in_api_key_is_a_clear_final_error(
    h: Any, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv("MOCK_KEY", key)
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run(env_key="MOCK_KEY")
    text = str(info.value)
    assert not info.value.retryable
    assert "authorization header" in text and "API key" in text
    assert "sk-abc" not in text
    assert h.server.requests == []


async def test_bad_character_in_provider_header_names_the_header(h: Any) -> None:
    with anyio.fail_after(5), pytest.raises(StreamError) as info:
        await h.run(http_headers={"x-team": "caf\u00e9"})
    assert not info.value.retryable
    assert "x-team header" in str(info.value) and "caf" not in str(info.value)
    assert h.server.requests == []


async def test_surrounding_whitespace_in_header_values_is_trimmed(h: Any) -> None:
    """h11 refuses a value with trailing blanks, and its error would echo the key; HTTP ignores them anyway."""
    h.server.add(sse_turn(text_message_events("ok")))
    with anyio.fail_after(5):
        events = await h.run(experimental_bearer_token="sk-test ", http_headers={"x-static": "\ts "})
    assert isinstance(events[-1], Completed)
    assert h.server.requests[0].headers["authorization"] == "Bearer sk-test"
    assert h.server.requests[0].headers["x-static"] == "s"


async def test_invalid_header_name_is_a_clear_final_error(h: Any) -> None:
    with anyio.fail_after(5), pytest.raises(StreamError, match="header name is not valid: 'x team'") as info:
        await h.run(http_headers={"x team": "v"})
    assert not info.value.retryable
    assert h.server.requests == []

from __future__ import annotations

from collections.abc import Callable

import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import collect_turn
from pycodex_test_support import (
    ScriptedServer,
    ev_completed,
    ev_function_call,
    ev_message,
    ev_response_created,
    http_error,
    sse_turn,
)

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
MockProvider = Callable[[str], tuple[str, ...]]


async def test_turn_over_real_http(make_config: ConfigFactory, mock_provider: MockProvider) -> None:
    server = ScriptedServer(
        [
            sse_turn(
                [
                    ev_response_created("r1"),
                    ev_function_call("c1", "exec_command", '{"cmd":"echo via-http"}'),
                    ev_completed("r1"),
                ]
            ),
            http_error(500, times=1),
            sse_turn([ev_response_created("r2"), ev_message("m1", "Hello over HTTP"), ev_completed("r2")]),
        ]
    )
    with server:
        config = make_config(overrides=mock_provider(server.base_url))
        async with Codex.start(config) as codex:
            msgs = await collect_turn(codex, "hi")
            thread_id = codex.thread_id
        requests = server.requests
    assert msgs[-1]["last_agent_message"] == "Hello over HTTP"
    assert len(requests) == 3
    body = requests[2].json
    assert body["prompt_cache_key"] == thread_id
    output = next(i for i in body["input"] if i["type"] == "function_call_output")["output"]
    assert output.endswith("Output:\nvia-http\n")
    assert requests[0].headers.get("authorization") == "Bearer sk-test"
    assert "sk-test" not in (config.codex_home / "sessions").rglob("*.jsonl").__next__().read_text(encoding="utf-8")

"""Regression tests of tool dispatch: odd arguments and failing handlers never end the session."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


async def _one_call(make_config: ConfigFactory, name: str, arguments: Any) -> tuple[list[dict[str, Any]], str]:
    transport = ScriptedTransport(
        [response(function_call(name, arguments, call_id="c1")), response(assistant_message("done"))]
    )
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport) as codex:
            msgs = await collect_turn(codex, "go")
    outputs = [i for i in transport.requests[1]["input"] if i["type"] == "function_call_output"]
    assert [o["call_id"] for o in outputs] == ["c1"]
    return msgs, outputs[0]["output"]


@pytest.mark.parametrize(
    ("name", "arguments", "expected"),
    [
        ("exec_command", '{"cmd": "echo a\\u0000b"}', "NUL"),
        ("shell", '{"command": ["echo", "a\\u0000b"]}', "NUL"),
        ("exec_command", '{"cmd": "echo hi", "yield_time_ms": 1e999}', "hi"),
        ("exec_command", '{"cmd": "echo hi", "yield_time_ms": NaN, "max_output_tokens": -1e999}', "Process exited"),
        ("shell", '{"command": ["echo", "hi"], "timeout_ms": 1e400}', "hi"),
        ("shell", '{"command": ["echo", "hi"], "timeout_ms": 100000000000000000000000000000000000000000000000}', "hi"),
        ("exec_command", "[" * 100_000 + "]" * 100_000, "failed to parse function arguments"),
    ],
)
async def test_odd_arguments_get_an_output_and_the_session_survives(
    make_config: ConfigFactory, name: str, arguments: str, expected: str
) -> None:
    msgs, output = await _one_call(make_config, name, arguments)
    assert msgs[-1]["type"] == "task_complete"
    assert msgs[-1]["last_agent_message"] == "done"
    assert expected in output


async def test_a_failing_tool_handler_gives_a_tool_failed_output(
    make_config: ConfigFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pycodex_core._tools import _router

    def broken(*_: Any) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(_router, "_view_image", broken)
    msgs, output = await _one_call(make_config, "view_image", {"path": "x.png"})
    assert output == "tool failed: boom"
    assert msgs[-1]["type"] == "task_complete"
    assert msgs[-1]["last_agent_message"] == "done"

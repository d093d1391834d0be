"""`exec_command` without a terminal gives the command end-of-file on stdin, as Codex does."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def _outputs(request: dict[str, Any]) -> list[str]:
    return [i["output"] for i in request["input"] if i["type"] == "function_call_output"]


@pytest.mark.parametrize("cmd", ["python3 -c 'input()'", "cat", "read -p 'name? ' x; echo got:$x:"])
async def test_reading_commands_end_at_once(make_config: ConfigFactory, cmd: str) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": cmd, "yield_time_ms": 10_000}, call_id="c")),
            response(assistant_message("done")),
        ]
    )
    started = time.monotonic()
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport) as codex:
            await collect_turn(codex, "go")
    output = _outputs(transport.requests[1])[0]
    assert "Process exited with code" in output
    assert "Process running with session ID" not in output
    assert time.monotonic() - started < 8


async def test_write_stdin_to_a_pipe_session_says_stdin_is_closed(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "sleep 5", "yield_time_ms": 250}, call_id="start")),
            response(function_call("write_stdin", {"session_id": 1000, "chars": "hi\n"}, call_id="w")),
            response(assistant_message("done")),
        ]
    )
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport) as codex:
            await collect_turn(codex, "go")
    assert _outputs(transport.requests[2])[-1] == (
        "write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open"
    )

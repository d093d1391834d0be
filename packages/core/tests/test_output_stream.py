"""A running command's output arrives as `exec_command_output_delta` events before it ends."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


async def _deltas_then_end(make_config: ConfigFactory, name: str, arguments: dict[str, Any]) -> list[dict[str, Any]]:
    transport = ScriptedTransport(
        [response(function_call(name, arguments, call_id="s1")), response(assistant_message("ok"))]
    )
    with anyio.fail_after(20):
        async with Codex.start(make_config(), transport=transport) as codex:
            return await collect_turn(codex, "run it")


@pytest.mark.parametrize(
    ("name", "arguments"),
    [
        ("exec_command", {"cmd": "for i in 1 2 3; do echo line$i; sleep 0.3; done"}),
        ("shell", {"command": ["bash", "-c", "for i in 1 2 3; do echo line$i; sleep 0.3; done"]}),
    ],
)
async def test_output_streams_before_the_end(make_config: ConfigFactory, name: str, arguments: dict[str, Any]) -> None:
    msgs = await _deltas_then_end(make_config, name, arguments)
    kinds = [m["type"] for m in msgs]
    deltas = [m for m in msgs if m["type"] == "exec_command_output_delta"]
    assert len(deltas) >= 2, "the output came in more than one piece, as it was written"
    assert kinds.index("exec_command_begin") < kinds.index("exec_command_output_delta")
    assert max(i for i, k in enumerate(kinds) if k == "exec_command_output_delta") < kinds.index("exec_command_end")
    assert {(d["call_id"], d["stream"]) for d in deltas} == {("s1", "stdout")}
    streamed = b"".join(base64.b64decode(d["chunk"]) for d in deltas)
    assert streamed == b"line1\nline2\nline3\n"
    [end] = [m for m in msgs if m["type"] == "exec_command_end"]
    assert end["aggregated_output"] == streamed.decode()


async def test_a_chatty_command_is_bounded_in_deltas(make_config: ConfigFactory) -> None:
    msgs = await _deltas_then_end(make_config, "exec_command", {"cmd": "head -c 2000000 /dev/zero | tr '\\0' x"})
    deltas = [m for m in msgs if m["type"] == "exec_command_output_delta"]
    sizes = [len(base64.b64decode(d["chunk"])) for d in deltas]
    assert deltas and max(sizes) <= 8192
    assert len(deltas) < 2_000_000 // 8192, "what one flush interval reads beyond its cap is only in the end event"
    [end] = [m for m in msgs if m["type"] == "exec_command_end"]
    assert end["exit_code"] == 0

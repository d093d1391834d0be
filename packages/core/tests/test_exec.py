"""Regression tests of the shell tools: stdin writes, interrupt, shutdown and background output."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import (
    ScriptedTransport,
    assistant_message,
    collect_turn,
    function_call,
    response,
    user_input_op,
)

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def _wait_dead(pid: int, within: float = 2.0) -> bool:
    deadline = time.monotonic() + within
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    return not _alive(pid)


def _outputs(request: dict[str, Any]) -> list[str]:
    return [i["output"] for i in request["input"] if i["type"] == "function_call_output"]


async def _wait_for(codex: Codex, kind: str, call_id: str | None = None) -> dict[str, Any]:
    while True:
        msg: dict[str, Any] = dict((await codex.next_event())["msg"])
        if msg["type"] == kind and (call_id is None or msg.get("call_id") == call_id):
            return msg


_RAW_TTY_SLEEP = {"cmd": "stty raw -echo; exec sleep 30", "tty": True, "yield_time_ms": 250}
"""A terminal in raw mode fills up like a pipe when its process does not read."""


async def test_write_stdin_to_a_process_not_reading_stops_at_the_yield_time_and_says_so(
    make_config: ConfigFactory,
) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", _RAW_TTY_SLEEP, call_id="start")),
            response(
                function_call(
                    "write_stdin", {"session_id": 1000, "chars": "x" * 1_000_000, "yield_time_ms": 400}, call_id="w"
                )
            ),
            response(assistant_message("done")),
        ]
    )
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport) as codex:
            started = time.monotonic()
            msgs = await collect_turn(codex, "go")
            took = time.monotonic() - started
    assert msgs[-1]["type"] == "task_complete"
    output = _outputs(transport.requests[2])[-1]
    assert "Process running with session ID 1000" in output
    assert "stdin is full" in output
    written = int(output.split("wrote ", 1)[1].split(" ", 1)[0])
    assert 0 < written < 1_000_000
    assert "of 1000000 bytes" in output
    assert took < 3


async def test_interrupt_and_shutdown_work_while_a_write_is_pending(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", _RAW_TTY_SLEEP, call_id="start")),
            response(
                function_call(
                    "write_stdin", {"session_id": 1000, "chars": "x" * 1_000_000, "yield_time_ms": 30_000}, call_id="w"
                )
            ),
            response(
                function_call(
                    "write_stdin", {"session_id": 1000, "chars": "y" * 1_000_000, "yield_time_ms": 30_000}, call_id="w2"
                )
            ),
        ]
    )
    with anyio.fail_after(8):
        async with Codex.start(make_config(), transport=transport) as codex:
            await codex.submit(user_input_op("go"))
            pid = int((await _wait_for(codex, "exec_command_begin"))["process_id"])
            await _wait_for(codex, "terminal_interaction", "start")
            await anyio.sleep(0.3)
            started = time.monotonic()
            await codex.submit({"type": "interrupt"})
            msgs = await collect_turn(codex)
            assert msgs[-1]["type"] == "turn_aborted"
            assert time.monotonic() - started < 2
            # A second pending write, then shutdown (leaving the `async with`) while it waits.
            await codex.submit(user_input_op("again"))
            await _wait_for(codex, "terminal_interaction")
            await anyio.sleep(0.3)
            started = time.monotonic()
        assert time.monotonic() - started < 3
    assert _wait_dead(pid)


async def test_interrupt_keeps_background_terminals_but_stops_the_command_being_waited_on(
    make_config: ConfigFactory,
) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "exec sleep 60", "yield_time_ms": 250}, call_id="bg")),
            response(function_call("exec_command", {"cmd": "exec sleep 60", "yield_time_ms": 30_000}, call_id="fg")),
            response(function_call("write_stdin", {"session_id": 1000, "chars": ""}, call_id="poll")),
            response(assistant_message("done")),
        ]
    )
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport) as codex:
            await codex.submit(user_input_op("start a server, then run the tests"))
            background = int((await _wait_for(codex, "exec_command_begin", "bg"))["process_id"])
            foreground = int((await _wait_for(codex, "exec_command_begin", "fg"))["process_id"])
            await anyio.sleep(0.3)
            await codex.submit({"type": "interrupt"})
            msgs = await collect_turn(codex)
            assert msgs[-1]["type"] == "turn_aborted"
            assert _wait_dead(foreground)
            assert _alive(background)
            await collect_turn(codex, "how is the server?")
            assert "Process running with session ID 1000" in _outputs(transport.requests[-1])[-1]
        # Shutdown still stops everything.
        assert _wait_dead(background)


def test_shutdown_kills_a_process_ignoring_sigterm_before_the_program_exits(
    workspace: Path, codex_home: Path, tmp_path: Path
) -> None:
    pidfile = tmp_path / "pid"
    script = f"""
import anyio
from pycodex_config import CliOverrides, load_config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

async def main():
    config = load_config(cwd={str(workspace)!r}, codex_home={str(codex_home)!r},
                         overrides=('approval_policy="never"',),
                         cli=CliOverrides(model="gpt-5.5", sandbox_mode="danger-full-access"))
    cmd = "trap '' TERM; echo $$ > {pidfile}; while :; do sleep 0.05; done"
    transport = ScriptedTransport([
        response(function_call("exec_command", {{"cmd": cmd, "yield_time_ms": 500}})),
        response(assistant_message("done")),
    ])
    async with Codex.start(config, transport=transport) as codex:
        await collect_turn(codex, "go")

anyio.run(main)
"""
    env = {**os.environ, "CODEX_HOME": str(codex_home)}
    subprocess.run([sys.executable, "-c", script], timeout=30, check=True, env=env)
    pid = int(pidfile.read_text(encoding="utf-8"))
    try:
        assert _wait_dead(pid, within=0.5)
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


async def test_shell_returns_soon_when_a_background_child_keeps_the_output_open(
    make_config: ConfigFactory, tmp_path: Path
) -> None:
    pidfile = tmp_path / "pid"
    command = ["bash", "-c", f"sleep 30 & echo $! > {pidfile}; echo started"]
    transport = ScriptedTransport(
        [
            response(function_call("shell", {"command": command, "timeout_ms": 20_000}, call_id="c1")),
            response(assistant_message("done")),
        ]
    )
    try:
        with anyio.fail_after(10):
            async with Codex.start(make_config(), transport=transport) as codex:
                started = time.monotonic()
                msgs = await collect_turn(codex, "start a server in the background")
                took = time.monotonic() - started
    finally:
        with contextlib.suppress(OSError, ValueError):
            os.kill(int(pidfile.read_text(encoding="utf-8")), signal.SIGKILL)
    assert msgs[-1]["type"] == "task_complete"
    assert took < 2
    assert "started" in _outputs(transport.requests[1])[0]

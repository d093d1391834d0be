"""Unified exec: the session's long-running processes (`exec_command` / `write_stdin`)."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import anyio

from .._exec_events import begin_event, declined_end, end_event
from .._ids import chunk_id
from .._orchestrator import spawn
from .._output_stream import OutputStreamer
from .._truncate import format_exec_output

if TYPE_CHECKING:
    from pycodex_protocol import EventMsg, ExecCommandBeginEvent
    from pycodex_pty import ProcessSession

    from .._context import TurnContext
    from .._exec_types import ExecRequest, SpawnPlan

__all__ = ["STDIN_CLOSED", "ProcessManager", "as_int"]

logger = logging.getLogger(__name__)

STDIN_CLOSED = (
    "write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open"
)
"""What the model gets for input sent to a command started without `tty` (its stdin is at end-of-file)."""

Emit = Callable[[str, "EventMsg"], None]

MAX_PROCESSES = 64
_SHUTDOWN_POLL_S = 0.02
_INT_LIMIT = 10**12
"""Integers from the model are clamped to +/- this (milliseconds, tokens, ids: far beyond any real use)."""


def as_int(value: Any, default: int) -> int:
    """`value` as an int, or `default` when it is missing or not a finite number; clamped to a sane range."""
    if value is None or isinstance(value, bool):
        return default
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: an infinite float (JSON `1e999`)
        return default
    return max(-_INT_LIMIT, min(number, _INT_LIMIT))


@dataclass
class _Running:
    proc: ProcessSession
    sub_id: str
    begin: ExecCommandBeginEvent
    started: float
    streamer: OutputStreamer


@dataclass(frozen=True)
class Collected:
    """What one wait on a unified-exec process gave: its new output and, once it exited, its exit code."""

    session_id: int
    output: bytes
    exit_code: int | None
    call_id: str
    process_id: str
    dropped: int = 0
    """Bytes the capture buffer dropped from the middle of `output` (counted in the original token count)."""


class ProcessManager:
    """The session's unified-exec processes, addressed by the session ids the model sees.

    Args:
        emit: `emit(sub_id, msg)`, for the end event of a process that exits while being waited on.
    """

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._procs: dict[int, _Running] = {}
        self._others: list[ProcessSession] = []
        self._next_id = 1000

    @property
    def full(self) -> bool:
        """Whether no more unified-exec processes may start."""
        return len(self._procs) >= MAX_PROCESSES

    def _finish(self, sid: int, running: _Running, exit_code: int) -> None:
        self._procs.pop(sid, None)
        running.streamer.close()
        output = running.proc.aggregated_output().decode("utf-8", errors="replace")
        duration = time.monotonic() - running.started
        self._emit(running.sub_id, end_event(running.begin, output=output, exit_code=exit_code, duration_s=duration))

    async def _collect(self, sid: int, running: _Running, yield_s: float, *, kill_on_cancel: bool) -> Collected:
        try:
            output, code = await running.proc.collect(yield_s)
        except BaseException:
            # Cancelled (interrupt): a command whose session id the model has not seen yet dies with
            # the turn; a background terminal the model already knows keeps running.
            if kill_on_cancel:
                running.proc.close()
                running.streamer.close()
                self._procs.pop(sid, None)
                self.track(running.proc)  # shutdown makes sure it is gone
            raise
        if code is not None:
            self._finish(sid, running, code)
        dropped = running.proc.last_take_dropped
        return Collected(sid, output, code, str(running.begin["call_id"]), str(running.proc.pid), dropped)

    def track(self, proc: ProcessSession) -> None:
        """Remember `proc` (a one-shot command) so that shutdown stops it if it is still running."""
        self._others = [p for p in self._others if p.returncode is None]
        self._others.append(proc)

    async def start(self, ctx: TurnContext, request: ExecRequest, plan: SpawnPlan, yield_s: float) -> Collected | str:
        """Spawn `plan` for `request` and wait up to `yield_s` seconds; a string is a failure to start."""
        from pycodex_pty import SpawnError

        begin = begin_event(request.call_id, ctx.turn_id, request.command, str(request.cwd), "unified_exec_startup")
        streamer = OutputStreamer(self._emit, ctx.sub_id, request.call_id)
        started = time.monotonic()
        try:
            proc = spawn(plan, tty=request.tty, streamer=streamer)
        except SpawnError as exc:
            self._emit(ctx.sub_id, begin)
            self._emit(ctx.sub_id, declined_end(begin, str(exc), status="failed"))
            return f"Failed to start command: {exc}"
        sid = self._next_id
        self._next_id += 1
        begin = begin_event(
            request.call_id,
            ctx.turn_id,
            request.command,
            str(request.cwd),
            "unified_exec_startup",
            process_id=str(proc.pid),
        )
        self._emit(ctx.sub_id, begin)
        running = self._procs[sid] = _Running(proc, ctx.sub_id, begin, started, streamer)
        return await self._collect(sid, running, yield_s, kill_on_cancel=True)

    def describe(self, sid: int) -> tuple[str, str] | None:
        """`(call_id, process_id)` of a running session, or `None` when there is no such session."""
        running = self._procs.get(sid)
        return None if running is None else (str(running.begin["call_id"]), str(running.proc.pid))

    def has_stdin(self, sid: int) -> bool:
        """Whether a running session takes input (started with `tty`; otherwise its stdin is at end-of-file)."""
        running = self._procs.get(sid)
        return running is not None and running.proc.tty

    async def write(self, sid: int, data: bytes, max_wait: float) -> int:
        """Write to a session's stdin; returns the bytes written.

        Raises:
            KeyError: No such session.
            OSError: The process does not take input any more.
        """
        return await self._procs[sid].proc.write(data, max_wait=max_wait)

    async def poll(self, sid: int, yield_s: float) -> Collected:
        """Wait up to `yield_s` seconds on a running session (`KeyError` when there is none)."""
        return await self._collect(sid, self._procs[sid], yield_s, kill_on_cancel=False)

    async def kill_all(self, grace: float = 0.5) -> None:
        """Stop every process (session shutdown): SIGTERM, up to `grace` seconds to exit, then SIGKILL.

        Only commands still running are stopped (with their whole process group); what a finished
        command left running in the background is left alone, as in Codex. Shielded from
        cancellation; the SIGKILL is sent synchronously before this returns, so nothing depends on a
        timer that could die with the interpreter.
        """
        for running in self._procs.values():
            running.streamer.close()
        procs = [running.proc for running in self._procs.values()] + self._others
        self._procs.clear()
        self._others = []
        alive = [proc for proc in procs if proc.returncode is None]
        with anyio.CancelScope(shield=True):
            for proc in alive:
                proc.kill(grace)
            for _ in range(max(int(grace / _SHUTDOWN_POLL_S), 1)):
                if not any(proc.group_alive for proc in alive):
                    break
                await anyio.sleep(_SHUTDOWN_POLL_S)
        for proc in alive:
            proc.close(grace=0)


def unified_response(collected: Collected | None, wall: float, limit: int, note: str = "") -> str:
    """The text `exec_command` / `write_stdin` return to the model."""
    assert collected is not None
    tokens, text = format_exec_output(collected.output, limit, collected.dropped)
    status = (
        f"Process exited with code {collected.exit_code}"
        if collected.exit_code is not None
        else f"Process running with session ID {collected.session_id}"
    )
    return (
        f"Chunk ID: {chunk_id()}\nWall time: {wall:.4f} seconds\n{status}\n{note}"
        f"Original token count: {tokens}\nOutput:\n{text}"
    )

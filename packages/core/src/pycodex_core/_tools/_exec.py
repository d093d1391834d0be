"""Shell tools: unified exec (`exec_command` / `write_stdin`) and the legacy `shell` / `shell_command`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from .._ids import chunk_id
from .._truncate import format_exec_output, truncate_middle_tokens

if TYPE_CHECKING:
    from pycodex_pty import ProcessSession

    from .._context import ToolCall, TurnContext
    from .._session import Session

__all__ = ["ProcessManager", "format_duration", "run_shell", "run_shell_command"]

logger = logging.getLogger(__name__)

STDIN_CLOSED = (
    "write_stdin failed: stdin is closed for this session; rerun exec_command with tty=true to keep stdin open"
)
"""What the model gets for input sent to a command started without `tty` (its stdin is at end-of-file)."""

_MIN_YIELD_MS = 250
_MAX_YIELD_MS = 30_000
_DEFAULT_YIELD_MS = 10_000
_DEFAULT_WRITE_YIELD_MS = 250
_MAX_POLL_YIELD_MS = 300_000
_DEFAULT_MAX_TOKENS = 10_000
_DEFAULT_TIMEOUT_MS = 10_000
_MAX_PROCESSES = 64
_SHUTDOWN_POLL_S = 0.02


def format_duration(seconds: float) -> dict[str, int]:
    """`{secs, nanos}` as Codex serializes a `Duration`."""
    nanos = max(int(seconds * 1_000_000_000), 0)
    return {"secs": nanos // 1_000_000_000, "nanos": nanos % 1_000_000_000}


_INT_LIMIT = 10**12
"""Integers from the model are clamped to +/- this (milliseconds, tokens, ids: far beyond any real use)."""


def _as_int(value: Any, default: int) -> int:
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
    call_id: str
    sub_id: str
    turn_id: str
    command: list[str]
    cwd: str
    started: float


def _resolve_workdir(ctx: TurnContext, workdir: Any) -> Path:
    if not workdir:
        return ctx.cwd
    path = Path(str(workdir)).expanduser()
    return path if path.is_absolute() else ctx.cwd / path


class ProcessManager:
    """The session's unified-exec processes, addressed by the session ids the model sees."""

    def __init__(self) -> None:
        self._procs: dict[int, _Running] = {}
        self._others: list[ProcessSession] = []
        self._next_id = 1000

    def _end_event(self, running: _Running, exit_code: int, status: str | None = None) -> dict[str, Any]:
        output = running.proc.aggregated_output().decode("utf-8", errors="replace")
        return {
            "type": "exec_command_end",
            "call_id": running.call_id,
            "process_id": str(running.proc.pid),
            "turn_id": running.turn_id,
            "command": running.command,
            "cwd": running.cwd,
            "parsed_cmd": [{"type": "unknown", "cmd": running.command[-1]}],
            "source": "unified_exec_startup",
            "stdout": output,
            "stderr": "",
            "aggregated_output": output,
            "exit_code": exit_code,
            "duration": format_duration(time.monotonic() - running.started),
            "formatted_output": output,
            "status": status or ("completed" if exit_code == 0 else "failed"),
        }

    def _response(
        self,
        session_id: int | None,
        output: bytes,
        exit_code: int | None,
        wall: float,
        limit: int,
        note: str = "",
        *,
        dropped: int = 0,
    ) -> str:
        tokens, text = format_exec_output(output, limit, dropped)
        status = (
            f"Process exited with code {exit_code}"
            if exit_code is not None
            else f"Process running with session ID {session_id}"
        )
        return (
            f"Chunk ID: {chunk_id()}\nWall time: {wall:.4f} seconds\n{status}\n{note}"
            f"Original token count: {tokens}\nOutput:\n{text}"
        )

    async def _collect(
        self, session: Session, sid: int, running: _Running, yield_s: float, *, kill_on_cancel: bool
    ) -> tuple[bytes, int | None]:
        try:
            output, code = await running.proc.collect(yield_s)
        except BaseException:
            # Cancelled (interrupt): a command whose session id the model has not seen yet dies with
            # the turn; a background terminal the model already knows keeps running.
            if kill_on_cancel:
                running.proc.close()
                self._procs.pop(sid, None)
                self.track(running.proc)  # shutdown makes sure it is gone
            raise
        if code is not None:
            self._procs.pop(sid, None)
            session.emit(running.sub_id, self._end_event(running, code))
        return output, code

    def track(self, proc: ProcessSession) -> None:
        """Remember `proc` (a one-shot command) so that shutdown stops it if it is still running."""
        self._others = [p for p in self._others if p.returncode is None]
        self._others.append(proc)

    async def exec_command(self, session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str:
        """Start `cmd` and wait up to `yield_time_ms` for it to finish."""
        from pycodex_pty import ProcessSession, SpawnError

        cmd = str(args.get("cmd", ""))
        shell = str(args.get("shell") or session.shell)
        command = [shell, "-lc" if args.get("login", True) is not False else "-c", cmd]
        cwd = _resolve_workdir(ctx, args.get("workdir"))
        yield_ms = min(max(_as_int(args.get("yield_time_ms"), _DEFAULT_YIELD_MS), _MIN_YIELD_MS), _MAX_YIELD_MS)
        limit = _as_int(args.get("max_output_tokens"), _DEFAULT_MAX_TOKENS)
        begin = {
            "type": "exec_command_begin",
            "call_id": call.call_id,
            "turn_id": ctx.turn_id,
            "command": command,
            "cwd": str(cwd),
            "parsed_cmd": [{"type": "unknown", "cmd": cmd}],
            "source": "unified_exec_startup",
        }
        if len(self._procs) >= _MAX_PROCESSES:
            return f"Too many running processes ({_MAX_PROCESSES}); stop some with write_stdin before starting more."
        started = time.monotonic()
        try:
            proc = ProcessSession.spawn(
                session.spawn_argv(command), cwd=cwd, env=session.command_env(), tty=bool(args.get("tty", False))
            )
        except SpawnError as exc:
            session.emit(ctx.sub_id, begin)
            session.emit(ctx.sub_id, _failed_end(begin, str(exc), started))
            return f"Failed to start command: {exc}"
        sid = self._next_id
        self._next_id += 1
        begin["process_id"] = str(proc.pid)
        session.emit(ctx.sub_id, begin)
        running = _Running(proc, call.call_id, ctx.sub_id, ctx.turn_id, command, str(cwd), started)
        self._procs[sid] = running
        output, code = await self._collect(session, sid, running, yield_ms / 1000, kill_on_cancel=True)
        dropped = running.proc.last_take_dropped
        return self._response(sid, output, code, time.monotonic() - started, limit, dropped=dropped)

    async def write_stdin(self, session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str:
        """Write `chars` to a running session (or just poll) and return its new output."""
        sid = _as_int(args.get("session_id"), -1)
        running = self._procs.get(sid)
        if running is None:
            return f"write_stdin failed: Unknown process id {sid}"
        chars = str(args.get("chars") or "")
        if chars and not running.proc.tty:
            return STDIN_CLOSED
        limit = _as_int(args.get("max_output_tokens"), _DEFAULT_MAX_TOKENS)
        started = time.monotonic()
        note = ""
        if chars:
            yield_ms = min(max(_as_int(args.get("yield_time_ms"), _DEFAULT_WRITE_YIELD_MS), _MIN_YIELD_MS), 30_000)
            session.emit(
                ctx.sub_id,
                {
                    "type": "terminal_interaction",
                    "call_id": running.call_id,
                    "process_id": str(running.proc.pid),
                    "stdin": chars,
                },
            )
            data = chars.encode("utf-8")
            try:
                written = await running.proc.write(data, max_wait=yield_ms / 1000)
            except OSError as exc:
                logger.info("write_stdin to session %d failed: %s", sid, exc)
            else:
                if written < len(data):
                    note = (
                        f"stdin is full (the process is not reading its input): wrote {written} of {len(data)} "
                        "bytes; the rest was not sent\n"
                    )
        else:
            yield_ms = min(max(_as_int(args.get("yield_time_ms"), 5_000), 5_000), _MAX_POLL_YIELD_MS)
        remaining = max(yield_ms / 1000 - (time.monotonic() - started), 0.0)
        output, code = await self._collect(session, sid, running, remaining, kill_on_cancel=False)
        dropped = running.proc.last_take_dropped
        return self._response(sid, output, code, time.monotonic() - started, limit, note, dropped=dropped)

    async def kill_all(self, grace: float = 0.5) -> None:
        """Stop every process (session shutdown): SIGTERM, up to `grace` seconds to exit, then SIGKILL.

        Only commands still running are stopped (with their whole process group); what a finished
        command left running in the background is left alone, as in Codex. Shielded from
        cancellation; the SIGKILL is sent synchronously before this returns, so nothing depends on a
        timer that could die with the interpreter.
        """
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


def _failed_end(begin: dict[str, Any], message: str, started: float, status: str = "failed") -> dict[str, Any]:
    return {
        **{k: v for k, v in begin.items() if k != "type"},
        "type": "exec_command_end",
        "stdout": "",
        "stderr": message,
        "aggregated_output": message,
        "exit_code": -1 if status != "declined" else -1,
        "duration": format_duration(time.monotonic() - started),
        "formatted_output": message,
        "status": status,
    }


def declined_events(begin: dict[str, Any], message: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The begin/end pair shown to the user for a command that was refused without running."""
    return begin, _failed_end(begin, message, time.monotonic(), status="declined")


async def _run_to_completion(
    session: Session, ctx: TurnContext, call: ToolCall, command: list[str], cwd: Path, timeout_ms: int, source: str
) -> tuple[str, int, float, bool]:
    from pycodex_pty import ProcessSession, SpawnError

    begin = {
        "type": "exec_command_begin",
        "call_id": call.call_id,
        "turn_id": ctx.turn_id,
        "command": command,
        "cwd": str(cwd),
        "parsed_cmd": [{"type": "unknown", "cmd": command[-1] if command else ""}],
        "source": source,
    }
    session.emit(ctx.sub_id, begin)
    started = time.monotonic()
    try:
        proc = ProcessSession.spawn(session.spawn_argv(command), cwd=cwd, env=session.command_env())
    except SpawnError as exc:
        session.emit(ctx.sub_id, _failed_end(begin, str(exc), started))
        return str(exc), -1, time.monotonic() - started, False
    session.processes.track(proc)
    proc.close_stdin()
    try:
        code = await proc.wait_exit(timeout_ms / 1000)
    finally:
        if proc.returncode is None:
            proc.close()
    timed_out = code is None
    if timed_out:
        code = await proc.terminate(1.0)
        code = 124 if code is None else code
    assert code is not None
    output = proc.aggregated_output().decode("utf-8", errors="replace")
    if timed_out:
        output = f"command timed out after {timeout_ms} milliseconds\n{output}"
    wall = time.monotonic() - started
    session.emit(
        ctx.sub_id,
        {
            **{k: v for k, v in begin.items() if k != "type"},
            "type": "exec_command_end",
            "stdout": output,
            "stderr": "",
            "aggregated_output": output,
            "exit_code": code,
            "duration": format_duration(wall),
            "formatted_output": output,
            "status": "completed" if code == 0 else "failed",
        },
    )
    return output, code, wall, timed_out


async def run_shell(session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str:
    """Legacy `shell`: argv array; output is the JSON string `{"output", "metadata": {exit_code, duration_seconds}}`."""
    command = [str(part) for part in args.get("command") or []]
    if not command:
        return "failed to parse function arguments: `command` must be a non-empty array of strings"
    timeout = _as_int(args.get("timeout_ms") or args.get("timeout"), _DEFAULT_TIMEOUT_MS)
    output, code, wall, _ = await _run_to_completion(
        session, ctx, call, command, _resolve_workdir(ctx, args.get("workdir")), timeout, "agent"
    )
    output = truncate_middle_tokens(output, _DEFAULT_MAX_TOKENS)
    return json.dumps({"output": output, "metadata": {"exit_code": code, "duration_seconds": round(wall, 1)}})


async def run_shell_command(session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str:
    """Legacy `shell_command`: a script for the user's shell; output is `Exit code/Wall time/Output` text."""
    script = str(args.get("command") or "")
    flag = "-lc" if args.get("login", True) is not False else "-c"
    timeout = _as_int(args.get("timeout_ms"), _DEFAULT_TIMEOUT_MS)
    output, code, wall, _ = await _run_to_completion(
        session, ctx, call, [session.shell, flag, script], _resolve_workdir(ctx, args.get("workdir")), timeout, "agent"
    )
    lines = output.count("\n") + (0 if output.endswith("\n") or not output else 1)
    truncated = truncate_middle_tokens(output, _DEFAULT_MAX_TOKENS)
    header = f"Exit code: {code}\nWall time: {wall:.1f} seconds\n"
    if truncated != output:
        header += f"Total output lines: {lines}\n"
    return f"{header}Output:\n{truncated}"


ShellHandler = Callable[["Session", "TurnContext", "ToolCall", dict[str, Any]], Any]

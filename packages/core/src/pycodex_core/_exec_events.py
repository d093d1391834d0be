"""One builder per exec event: `exec_command_begin`, `exec_command_output_delta`, `exec_command_end`."""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from pycodex_protocol import (
        Duration,
        ExecCommandBeginEvent,
        ExecCommandEndEvent,
        ExecCommandOutputDeltaEvent,
        ExecCommandSource,
        ParsedCommand,
    )

__all__ = ["begin_event", "declined_end", "end_event", "format_duration", "output_delta", "parsed_cmd"]

EndStatus = Literal["completed", "failed", "declined"]


def format_duration(seconds: float) -> Duration:
    """`{secs, nanos}` as Codex serializes a `Duration`."""
    nanos = max(int(seconds * 1_000_000_000), 0)
    return {"secs": nanos // 1_000_000_000, "nanos": nanos % 1_000_000_000}


def parsed_cmd(command: list[str]) -> list[ParsedCommand]:
    """What the command does, for compact display (always `unknown`: the script as one string)."""
    return [{"type": "unknown", "cmd": command[-1] if command else ""}]


def begin_event(
    call_id: str,
    turn_id: str,
    command: list[str],
    cwd: str,
    source: ExecCommandSource,
    *,
    process_id: str | None = None,
) -> ExecCommandBeginEvent:
    """`exec_command_begin` for a command about to run (or about to be declined)."""
    parsed = parsed_cmd(command)
    if process_id is None:
        return {
            "type": "exec_command_begin",
            "call_id": call_id,
            "turn_id": turn_id,
            "command": command,
            "cwd": cwd,
            "parsed_cmd": parsed,
            "source": source,
        }
    return {
        "type": "exec_command_begin",
        "call_id": call_id,
        "process_id": process_id,
        "turn_id": turn_id,
        "command": command,
        "cwd": cwd,
        "parsed_cmd": parsed,
        "source": source,
    }


def end_event(
    begin: ExecCommandBeginEvent,
    *,
    output: str,
    exit_code: int,
    duration_s: float,
    status: EndStatus | None = None,
    stderr: str = "",
) -> ExecCommandEndEvent:
    """`exec_command_end` echoing `begin`'s fields; `output` is the merged stdout/stderr text."""
    fields = {key: value for key, value in begin.items() if key != "type"}
    end: ExecCommandEndEvent = {"type": "exec_command_end", **fields}  # pyright: ignore[reportAssignmentType]
    end.update(
        {
            "stdout": output if not stderr else "",
            "stderr": stderr,
            "aggregated_output": output or stderr,
            "exit_code": exit_code,
            "duration": format_duration(duration_s),
            "formatted_output": output or stderr,
            "status": status or ("completed" if exit_code == 0 else "failed"),
        }
    )
    return end


def declined_end(begin: ExecCommandBeginEvent, message: str, *, status: EndStatus = "declined") -> ExecCommandEndEvent:
    """The end of a command that never ran (declined, or it could not start): exit code -1."""
    return end_event(begin, output="", exit_code=-1, duration_s=0.0, status=status, stderr=message)


def output_delta(call_id: str, data: bytes) -> ExecCommandOutputDeltaEvent:
    """`exec_command_output_delta` carrying `data` (base64, as Codex sends it)."""
    return {
        "type": "exec_command_output_delta",
        "call_id": call_id,
        "stream": "stdout",
        "chunk": base64.b64encode(data).decode("ascii"),
    }

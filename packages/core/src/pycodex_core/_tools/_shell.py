"""The shell tools as handlers: `exec_command`/`write_stdin` (unified exec), `shell`, `shell_command`, `local_shell`.

Every command goes through the session's exec path (`ExecOrchestrator`): approval requirement,
approval, sandbox step, spawn, and a retry outside the sandbox when it denied the command and the
user agrees. A command that is exactly an `apply_patch` heredoc is applied as a patch instead.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._exec_events import begin_event, declined_end, end_event
from .._exec_types import ExecRequest, as_argv
from .._json import as_list
from .._orchestrator import Authorized, Declined, spawn
from .._output_stream import OutputStreamer
from .._truncate import truncate_middle_tokens
from ._exec import MAX_PROCESSES, STDIN_CLOSED, Collected, as_int, unified_response
from ._patch import apply_patch_for_model
from ._specs import EXEC_COMMAND, SHELL, SHELL_COMMAND, WRITE_STDIN

if TYPE_CHECKING:
    from pycodex_model_client import ModelInfo

    from .._context import TurnContext
    from .._exec_types import SandboxPermissions, SpawnPlan
    from ._registry import ToolInvocation, ToolOutput, ToolSpec

__all__ = ["ExecCommandTool", "LocalShellTool", "ShellCommandTool", "ShellTool", "WriteStdinTool"]

logger = logging.getLogger(__name__)

_MIN_YIELD_MS = 250
_MAX_YIELD_MS = 30_000
_DEFAULT_YIELD_MS = 10_000
_DEFAULT_WRITE_YIELD_MS = 250
_MAX_POLL_YIELD_MS = 300_000
_DEFAULT_MAX_TOKENS = 10_000
_DEFAULT_TIMEOUT_MS = 10_000
_UNIFIED = ("exec_command", "write_stdin")


def _unified_offered(model: ModelInfo) -> bool:
    return model.shell_type not in ("shell_command", "default", "local", "disabled")


def _resolve_workdir(ctx: TurnContext, workdir: Any) -> Path:
    if not workdir:
        return ctx.cwd
    path = Path(str(workdir)).expanduser()
    return path if path.is_absolute() else ctx.cwd / path


def _permissions(args: dict[str, Any]) -> SandboxPermissions:
    return "require_escalated" if args.get("sandbox_permissions") == "require_escalated" else "use_default"


def _prefix_rule(args: dict[str, Any]) -> tuple[str, ...] | None:
    rule = as_list(args.get("prefix_rule"))
    return as_argv(rule) if rule else None


def exec_request(
    inv: ToolInvocation, argv: list[str], *, tty: bool = False, timeout_ms: int | None = None
) -> ExecRequest:
    """The typed request of a shell tool call (escalation fields from its arguments)."""
    args = inv.arguments
    justification = args.get("justification")
    return ExecRequest(
        argv=tuple(argv),
        cwd=_resolve_workdir(inv.ctx, args.get("workdir")),
        call_id=inv.call.call_id,
        tool_name=inv.call.name,
        env=inv.services.command_env(),
        tty=tty,
        timeout_ms=timeout_ms,
        sandbox_permissions=_permissions(args),
        justification=str(justification) if justification else None,
        prefix_rule=_prefix_rule(args),
        spawn_argv=tuple(inv.services.spawn_argv(argv)),
    )


async def _maybe_patch(inv: ToolInvocation, argv: list[str]) -> ToolOutput | None:
    from pycodex_apply_patch import extract_patch_from_shell

    patch = extract_patch_from_shell(argv)
    if patch is None:
        return None
    return await apply_patch_for_model(inv, str(patch), patch.workdir)


class ExecCommandTool:
    """`exec_command`: start a command on the pty and wait up to `yield_time_ms` for it."""

    name = "exec_command"
    mutates = True

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Offered with unified exec."""
        return EXEC_COMMAND if _unified_offered(model) else None

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Authorize, start, and report the first output (or the exit)."""
        args = invocation.arguments
        shell = str(args.get("shell") or invocation.services.shell)
        flag = "-lc" if args.get("login", True) is not False else "-c"
        argv = [shell, flag, str(args.get("cmd", ""))]
        patched = await _maybe_patch(invocation, argv)
        if patched is not None:
            return patched
        request = exec_request(invocation, argv, tty=bool(args.get("tty", False)))
        auth = await invocation.services.exec.authorize(invocation.ctx, request)
        if isinstance(auth, Declined):
            return auth.message
        processes = invocation.services.processes
        if processes.full:
            return f"Too many running processes ({MAX_PROCESSES}); stop some with write_stdin before starting more."
        yield_ms = min(max(as_int(args.get("yield_time_ms"), _DEFAULT_YIELD_MS), _MIN_YIELD_MS), _MAX_YIELD_MS)
        limit = as_int(args.get("max_output_tokens"), _DEFAULT_MAX_TOKENS)
        started = time.monotonic()
        result = await processes.start(invocation.ctx, request, auth.plan, yield_ms / 1000)
        if isinstance(result, Collected) and result.exit_code is not None:
            retry = await invocation.services.exec.retry_plan(
                invocation.ctx, request, auth, result.exit_code, result.output
            )
            if retry is not None:
                result = await processes.start(invocation.ctx, request, retry, yield_ms / 1000)
        if isinstance(result, str):
            return result
        return unified_response(result, time.monotonic() - started, limit)


class WriteStdinTool:
    """`write_stdin`: write to a running unified-exec session (or poll it) and return its new output."""

    name = "write_stdin"
    mutates = True

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Offered with unified exec."""
        return WRITE_STDIN if _unified_offered(model) else None

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Write `chars` (if any), then wait for output up to the yield time."""
        args, services = invocation.arguments, invocation.services
        sid = as_int(args.get("session_id"), -1)
        known = services.processes.describe(sid)
        if known is None:
            return f"write_stdin failed: Unknown process id {sid}"
        chars = str(args.get("chars") or "")
        if chars and not services.processes.has_stdin(sid):
            return STDIN_CLOSED
        limit = as_int(args.get("max_output_tokens"), _DEFAULT_MAX_TOKENS)
        started = time.monotonic()
        note = ""
        if chars:
            yield_ms = min(max(as_int(args.get("yield_time_ms"), _DEFAULT_WRITE_YIELD_MS), _MIN_YIELD_MS), 30_000)
            call_id, process_id = known
            services.emit(
                invocation.ctx.sub_id,
                {"type": "terminal_interaction", "call_id": call_id, "process_id": process_id, "stdin": chars},
            )
            note = await _write(invocation, sid, chars.encode("utf-8"), yield_ms / 1000)
        else:
            yield_ms = min(max(as_int(args.get("yield_time_ms"), 5_000), 5_000), _MAX_POLL_YIELD_MS)
        remaining = max(yield_ms / 1000 - (time.monotonic() - started), 0.0)
        collected = await services.processes.poll(sid, remaining)
        return unified_response(collected, time.monotonic() - started, limit, note)


async def _write(invocation: ToolInvocation, sid: int, data: bytes, max_wait: float) -> str:
    try:
        written = await invocation.services.processes.write(sid, data, max_wait)
    except OSError as exc:
        logger.info("write_stdin to session %d failed: %s", sid, exc)
        return ""
    if written < len(data):
        return (
            f"stdin is full (the process is not reading its input): wrote {written} of {len(data)} "
            "bytes; the rest was not sent\n"
        )
    return ""


async def _run_plan(
    inv: ToolInvocation, request: ExecRequest, plan: SpawnPlan, timeout_ms: int
) -> tuple[str, int, float]:
    from pycodex_pty import SpawnError

    ctx, emit = inv.ctx, inv.services.emit
    begin = begin_event(request.call_id, ctx.turn_id, request.command, str(request.cwd), "agent")
    emit(ctx.sub_id, begin)
    started = time.monotonic()
    streamer = OutputStreamer(emit, ctx.sub_id, request.call_id)
    try:
        proc = spawn(plan, tty=False, streamer=streamer)
    except SpawnError as exc:
        emit(ctx.sub_id, declined_end(begin, str(exc), status="failed"))
        return str(exc), -1, time.monotonic() - started
    inv.services.processes.track(proc)
    proc.close_stdin()
    try:
        code = await proc.wait_exit(timeout_ms / 1000)
    finally:
        if proc.returncode is None:
            proc.close()
        streamer.close()
    timed_out = code is None
    if code is None:
        code = await proc.terminate(1.0)
        code = 124 if code is None else code
    output = proc.aggregated_output().decode("utf-8", errors="replace")
    if timed_out:
        output = f"command timed out after {timeout_ms} milliseconds\n{output}"
    wall = time.monotonic() - started
    emit(ctx.sub_id, end_event(begin, output=output, exit_code=code, duration_s=wall))
    return output, code, wall


async def run_one_shot(inv: ToolInvocation, argv: list[str], timeout_ms: int) -> tuple[str, int, float] | str:
    """Run a one-shot command through the exec path; a string is the model's output for a declined one."""
    request = exec_request(inv, argv, timeout_ms=timeout_ms)
    auth: Authorized | Declined = await inv.services.exec.authorize(inv.ctx, request)
    if isinstance(auth, Declined):
        return auth.message
    output, code, wall = await _run_plan(inv, request, auth.plan, timeout_ms)
    retry = await inv.services.exec.retry_plan(inv.ctx, request, auth, code, output.encode("utf-8"))
    if retry is not None:
        output, code, wall = await _run_plan(inv, request, retry, timeout_ms)
    return output, code, wall


class ShellTool:
    """Legacy `shell`: an argv array; output is JSON `{"output", "metadata": {exit_code, duration_seconds}}`."""

    name = "shell"
    mutates = True

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Offered to models with the `default`/`local` shell type."""
        return SHELL if model.shell_type in ("default", "local") else None

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Run the command to completion (or its timeout)."""
        args = invocation.arguments
        command = [str(part) for part in as_list(args.get("command"))]
        patched = await _maybe_patch(invocation, command)
        if patched is not None:
            return patched
        if not command:
            return "failed to parse function arguments: `command` must be a non-empty array of strings"
        timeout = as_int(args.get("timeout_ms") or args.get("timeout"), _DEFAULT_TIMEOUT_MS)
        result = await run_one_shot(invocation, command, timeout)
        if isinstance(result, str):
            return result
        output, code, wall = result
        output = truncate_middle_tokens(output, _DEFAULT_MAX_TOKENS)
        return json.dumps({"output": output, "metadata": {"exit_code": code, "duration_seconds": round(wall, 1)}})


class LocalShellTool(ShellTool):
    """`local_shell_call` items: the model's built-in shell, run like `shell` (no spec: the model has it)."""

    name = "local_shell"

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Never offered as a function."""
        return None


class ShellCommandTool:
    """Legacy `shell_command`: a script for the user's shell; output is `Exit code/Wall time/Output` text."""

    name = "shell_command"
    mutates = True

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Offered to models with the `shell_command` shell type."""
        return SHELL_COMMAND if model.shell_type == "shell_command" else None

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Run the script to completion (or its timeout)."""
        args = invocation.arguments
        flag = "-lc" if args.get("login", True) is not False else "-c"
        argv = [invocation.services.shell, flag, str(args.get("command") or "")]
        patched = await _maybe_patch(invocation, argv)
        if patched is not None:
            return patched
        result = await run_one_shot(invocation, argv, as_int(args.get("timeout_ms"), _DEFAULT_TIMEOUT_MS))
        if isinstance(result, str):
            return result
        output, code, wall = result
        lines = output.count("\n") + (0 if output.endswith("\n") or not output else 1)
        truncated = truncate_middle_tokens(output, _DEFAULT_MAX_TOKENS)
        header = f"Exit code: {code}\nWall time: {wall:.1f} seconds\n"
        if truncated != output:
            header += f"Total output lines: {lines}\n"
        return f"{header}Output:\n{truncated}"

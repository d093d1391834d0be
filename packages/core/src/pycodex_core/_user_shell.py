"""`run_user_shell_command`: a command the user typed (`!cmd`), run in the session's sandbox, shown to the model.

The command runs through the user's shell (`<shell> -lc <command>`) in the turn's cwd, with the
session's environment, and streams `exec_command_begin` / `exec_command_output_delta` /
`exec_command_end` events with `source: "user_shell"`. No approval is asked (the user typed it),
but unlike Codex 0.169, which runs these commands outside any sandbox, it runs under the session's
sandbox policy like every other command: only `danger-full-access` runs it bare, and where the
sandbox cannot run it is refused with the reason. Its result is recorded as a
`<user_shell_command>` user message, so the model sees it on its next request.
"""

from __future__ import annotations

import logging
import time
import uuid
from typing import TYPE_CHECKING, Any

import anyio

from ._context import user_message
from ._exec_events import begin_event, declined_end, end_event
from ._exec_types import ExecRequest, Refusal
from ._orchestrator import spawn
from ._output_stream import OutputStreamer
from ._truncate import EXEC_MAX_TOKENS, truncate_middle_tokens

if TYPE_CHECKING:
    from collections.abc import Callable

    from pycodex_protocol import ExecCommandBeginEvent
    from pycodex_pty import ProcessSession

    from ._context import TurnContext
    from ._session import Session

__all__ = ["USER_SHELL_TIMEOUT_S", "run_user_shell_command", "user_shell_record"]

logger = logging.getLogger(__name__)

USER_SHELL_TIMEOUT_S = 60 * 60
"""A user's command is stopped after an hour (Codex's limit)."""
ABORTED = "command aborted by user"


def user_shell_record(command: str, exit_code: int, duration_s: float, output: str) -> dict[str, Any]:
    """The user message recording a user's command and its result (Codex's `<user_shell_command>` format)."""
    body = (
        f"<command>\n{command}\n</command>\n<result>\nExit code: {exit_code}\n"
        f"Duration: {duration_s:.4f} seconds\nOutput:\n{truncate_middle_tokens(output, EXEC_MAX_TOKENS)}\n</result>"
    )
    return user_message(f"<user_shell_command>\n{body}\n</user_shell_command>")


async def run_user_shell_command(
    session: Session, ctx: TurnContext, command: str, record: Callable[[dict[str, Any]], None]
) -> None:
    """Run `command` for the user under `ctx`'s sandbox policy; `record` keeps the result for the model.

    Cancelling the caller (an interrupt) stops the command's process group; the end event and the
    record then say `command aborted by user`, and the cancellation propagates.
    """
    from pycodex_pty import SpawnError

    services = session.services
    argv = [services.shell, "-lc", command]
    request = ExecRequest(
        argv=tuple(argv),
        cwd=ctx.cwd,
        call_id=str(uuid.uuid4()),
        tool_name="user_shell",
        env=services.command_env,
        spawn_argv=tuple(services.spawn_argv(argv)),
    )
    begin = begin_event(request.call_id, ctx.turn_id, argv, str(ctx.cwd), "user_shell")
    session.emit(ctx.sub_id, begin)
    plan = services.exec.sandbox.prepare(request, ctx.sandbox_policy)
    if isinstance(plan, Refusal):
        if plan.warning:
            session.warn_once(ctx.sub_id, "sandbox", plan.warning)
        session.emit(ctx.sub_id, declined_end(begin, plan.message))
        record(user_shell_record(command, -1, 0.0, plan.message))
        return
    streamer = OutputStreamer(session.emit, ctx.sub_id, request.call_id)
    try:
        proc = spawn(plan, tty=False, streamer=streamer)
    except SpawnError as exc:
        message = f"execution error: {exc}"
        session.emit(ctx.sub_id, declined_end(begin, message, status="failed"))
        record(user_shell_record(command, -1, 0.0, message))
        return
    services.processes.track(proc)

    def keep(exit_code: int, duration_s: float, output: str) -> None:
        record(user_shell_record(command, exit_code, duration_s, output))

    await _wait(session, ctx, begin, proc, streamer, keep)


async def _wait(
    session: Session,
    ctx: TurnContext,
    begin: ExecCommandBeginEvent,
    proc: ProcessSession,
    streamer: OutputStreamer,
    record: Callable[[int, float, str], None],
) -> None:
    """Wait for the command (at most `USER_SHELL_TIMEOUT_S`), then emit its end and record its result."""
    started = time.monotonic()
    proc.close_stdin()
    try:
        code = await proc.wait_exit(USER_SHELL_TIMEOUT_S)
    except anyio.get_cancelled_exc_class():
        with anyio.CancelScope(shield=True):
            await proc.terminate(1.0)
            streamer.close()
            record(-1, 0.0, ABORTED)
            session.emit(ctx.sub_id, end_event(begin, output="", exit_code=-1, duration_s=0.0, stderr=ABORTED))
        raise
    timed_out = code is None
    if code is None:
        code = await proc.terminate(1.0)
        code = 124 if code is None else code
    streamer.close()
    output = proc.aggregated_output().decode("utf-8", errors="replace")
    if timed_out:
        output = f"command timed out after {USER_SHELL_TIMEOUT_S * 1000} milliseconds\n{output}"
    wall = time.monotonic() - started
    session.emit(ctx.sub_id, end_event(begin, output=output, exit_code=code, duration_s=wall))
    record(code, wall, output)

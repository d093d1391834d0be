"""The submission loop: one handler per op type (Codex's SQ), turns run as tasks one at a time."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import ObjectReceiveStream, TaskGroup

from ._context import user_message
from ._history import aborted_outputs
from ._prompts import TURN_ABORTED_MARKER

if TYPE_CHECKING:
    from pycodex_protocol import Submission

    from ._context import TurnContext, TurnState
    from ._session import Session

__all__ = ["SubmissionLoop"]

logger = logging.getLogger(__name__)


class _ActiveTurn:
    def __init__(self, sub_id: str, ctx: TurnContext) -> None:
        self.sub_id = sub_id
        self.ctx = ctx
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()
        self.side_tasks: set[anyio.CancelScope] = set()
        """`!cmd` commands run while this turn runs (an interrupt stops them too)."""

    def cancel(self) -> None:
        self.scope.cancel()
        for scope in self.side_tasks:
            scope.cancel()


TurnBody = Callable[["TurnContext"], Awaitable[None]]


class SubmissionLoop:
    """Reads submissions and runs what they ask for; emits `shutdown_complete` last.

    Args:
        session: The session the ops act on.
        client: The `client` named in `notify` payloads (`codex_exec`, `codex-tui`, ...).
    """

    def __init__(self, session: Session, *, client: str | None = None) -> None:
        from ._notify import TurnNotifier

        self.session = session
        self.client = client
        self.notifier = TurnNotifier(session.config.notify or ())
        self._active: _ActiveTurn | None = None
        self._tg: TaskGroup | None = None
        self._orphans: set[anyio.CancelScope] = set()
        """`!cmd` commands still running after the turn they ran beside ended (an interrupt stops them)."""

    async def run(self, submissions: ObjectReceiveStream[Submission]) -> None:
        """Handle submissions until `shutdown` (or the stream closes), then emit `shutdown_complete`."""
        try:
            await self._run(submissions)
        finally:
            self.session.services.emitter.channel.close()

    async def _run(self, submissions: ObjectReceiveStream[Submission]) -> None:
        session = self.session
        shutdown_id = ""
        snapshot = session.services.shell_snapshot
        async with submissions:
            async with anyio.create_task_group() as tg:
                self._tg = tg
                if snapshot is not None:
                    tg.start_soon(snapshot.build, session.services.command_env)
                async for submission in submissions:
                    op: Any = submission.get("op") or {}
                    if op.get("type") == "shutdown":
                        shutdown_id = str(submission.get("id", ""))
                        break
                    self._dispatch(str(submission.get("id", "")), op)
                if self._active is not None:
                    self._active.cancel()
                    await self._active.done.wait()
                await self.notifier.wait_idle(_NOTIFY_GRACE_S)
                tg.cancel_scope.cancel()
            await session.services.processes.kill_all()
            if snapshot is not None:
                snapshot.remove()
            session.emit(shutdown_id, {"type": "shutdown_complete"})

    def _dispatch(self, sub_id: str, op: dict[str, Any]) -> None:
        handler = _HANDLERS.get(str(op.get("type")))
        if handler is None:
            logger.warning("ignoring unsupported op %r", op.get("type"))
            return
        handler(self, sub_id, op)

    def _start_turn(self, sub_id: str, op: dict[str, Any], body: TurnBody) -> None:
        """Make `body` the running turn at once (so ops that follow see it), and run it as a task."""
        assert self._tg is not None
        active = self._active = _ActiveTurn(sub_id, self.session.make_turn_context(sub_id, op))
        self._tg.start_soon(self._turn_task, active, body)

    def _start_user_turn(self, sub_id: str, op: dict[str, Any], items: list[dict[str, Any]]) -> None:
        async def body(ctx: TurnContext) -> None:
            from ._turn import run_turn

            result = await run_turn(self.session, ctx, items)
            if not result.failed:
                self._notify(ctx, items, result.last_agent_message)

        self._start_turn(sub_id, op, body)

    def on_user_input(self, sub_id: str, op: dict[str, Any]) -> None:
        """`user_input` / `user_turn`: start a turn, or queue the input for the running one."""
        items = list(op.get("items") or [])
        if self._active is not None:
            self.session.queue_input(items)
            return
        self._start_user_turn(sub_id, op, items)

    def on_compact(self, sub_id: str, op: dict[str, Any]) -> None:
        """`compact`: summarize the history (when no turn runs)."""
        if self._active is None:
            session = self.session
            self._start_turn(sub_id, op, lambda ctx: _compact_task(session, session.begin_turn(ctx)))

    def on_interrupt(self, sub_id: str, op: dict[str, Any]) -> None:
        """`interrupt`: cancel the running turn and the `!cmd` commands running beside it (or beside an earlier one)."""
        if self._active is not None:
            self._active.cancel()
        for scope in self._orphans:
            scope.cancel()

    def on_approval(self, sub_id: str, op: dict[str, Any]) -> None:
        """`exec_approval` / `patch_approval`: answer the waiting request; `abort` interrupts the turn."""
        if op.get("decision") == "abort":
            self.on_interrupt(sub_id, op)
            return
        self.session.services.approvals.resolve(str(op.get("id", "")), op.get("decision", "denied"))

    def on_override(self, sub_id: str, op: dict[str, Any]) -> None:
        """`override_turn_context`: change the settings of later turns."""
        from ._session import SETTINGS

        for key in SETTINGS:
            if op.get(key) is not None:
                self.session.overrides[key] = op[key]

    def on_user_shell(self, sub_id: str, op: dict[str, Any]) -> None:
        """`run_user_shell_command`: run the user's `!cmd`, as its own task when idle, else beside the turn.

        Beside a running turn (as Codex does) its events carry that turn's ids, an interrupt stops it,
        and its result reaches the model at that turn's next request (or history, once the turn ended).
        """
        command = op.get("command")
        if not isinstance(command, str) or not command.strip():
            self.session.emit(sub_id, {"type": "error", "message": "run_user_shell_command: `command` is empty"})
            return
        if self._active is not None:
            assert self._tg is not None
            scope = anyio.CancelScope()
            self._active.side_tasks.add(scope)
            self._tg.start_soon(self._side_shell, self._active, scope, command)
            return
        session = self.session
        self._start_turn(sub_id, op, lambda ctx: _user_shell_task(session, ctx, command))

    async def _side_shell(self, active: _ActiveTurn, scope: anyio.CancelScope, command: str) -> None:
        from ._user_shell import run_user_shell_command

        try:
            with scope:
                await run_user_shell_command(self.session, active.ctx, command, self._inject)
        finally:
            active.side_tasks.discard(scope)
            self._orphans.discard(scope)

    def _inject(self, item: dict[str, Any]) -> None:
        if self._active is not None:
            self.session.inject_item(item)
        else:
            self.session.record_item(item)

    def on_thread_rollback(self, sub_id: str, op: dict[str, Any]) -> None:
        """`thread_rollback`: drop the last `num_turns` user turns (refused while a turn runs)."""
        num_turns = op.get("num_turns")
        if not isinstance(num_turns, int) or isinstance(num_turns, bool) or num_turns < 1:
            self._rollback_failed(sub_id, "num_turns must be >= 1")
        elif self._active is not None:
            self._rollback_failed(sub_id, "Cannot rollback while a turn is in progress.")
        else:
            self.session.rollback(sub_id, num_turns)

    def _rollback_failed(self, sub_id: str, message: str) -> None:
        self.session.emit(sub_id, {"type": "error", "message": message, "codex_error_info": "thread_rollback_failed"})

    def _notify(self, ctx: TurnContext, items: list[dict[str, Any]], last_message: str | None) -> None:
        if not self.notifier.argv or self._tg is None:
            return
        from ._notify import turn_complete_payload

        payload = turn_complete_payload(
            thread_id=self.session.thread_id,
            turn_id=ctx.turn_id,
            cwd=str(ctx.cwd),
            client=self.client,
            input_messages=[str(i.get("text", "")) for i in items if i.get("type") == "text"],
            last_assistant_message=last_message,
        )
        self.notifier.start(self._tg, payload)

    async def _turn_task(self, active: _ActiveTurn, body: TurnBody) -> None:
        session = self.session
        try:
            with active.scope:
                await body(active.ctx)
            if active.scope.cancelled_caught:
                _abort_turn(session, active.ctx)
        finally:
            if self._active is active:
                self._active = None
            self._orphans |= active.side_tasks
            session.record_pending_items()
            active.done.set()
        pending = session.take_pending_input()
        if pending and not active.scope.cancelled_caught and self._active is None:
            self._start_user_turn(active.sub_id, {"type": "user_input"}, pending)


_HANDLERS: dict[str, Callable[[SubmissionLoop, str, dict[str, Any]], None]] = {
    "user_input": SubmissionLoop.on_user_input,
    "user_turn": SubmissionLoop.on_user_input,
    "compact": SubmissionLoop.on_compact,
    "interrupt": SubmissionLoop.on_interrupt,
    "exec_approval": SubmissionLoop.on_approval,
    "patch_approval": SubmissionLoop.on_approval,
    "override_turn_context": SubmissionLoop.on_override,
    "run_user_shell_command": SubmissionLoop.on_user_shell,
    "thread_rollback": SubmissionLoop.on_thread_rollback,
}
"""What each op does (`shutdown` ends the loop itself)."""

_NOTIFY_GRACE_S = 2.0
"""At shutdown, how long notify programs still running may take to finish."""


async def _user_shell_task(session: Session, ctx: TurnContext, command: str) -> None:
    from ._user_shell import run_user_shell_command

    started = session.emit_task_started(ctx)
    await run_user_shell_command(session, ctx, command, session.record_item)
    session.emit(
        ctx.sub_id,
        {
            "type": "task_complete",
            "turn_id": ctx.turn_id,
            "last_agent_message": None,
            "completed_at": int(time.time()),
            "duration_ms": int((time.time() - started) * 1000),
        },
    )


async def _compact_task(session: Session, turn: TurnState) -> None:
    from ._compact import compact_history
    from ._sampling import TurnFailed

    ctx = turn.ctx
    session.emit_task_started(ctx)
    try:
        await compact_history(session, turn)
    except TurnFailed as exc:
        session.emit(ctx.sub_id, {"type": "error", "message": exc.message})
    session.emit(ctx.sub_id, {"type": "task_complete", "turn_id": ctx.turn_id, "last_agent_message": None})


def _abort_turn(session: Session, ctx: TurnContext) -> None:
    # The command being waited on was stopped when its tool call was cancelled; background
    # terminals whose session id the model has seen keep running (Codex does the same).
    for output in aborted_outputs(session.history):
        session.record_item(output)
    session.record_item(user_message(TURN_ABORTED_MARKER))
    session.emit(ctx.sub_id, {"type": "turn_aborted", "turn_id": ctx.turn_id, "reason": "interrupted"})

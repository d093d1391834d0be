"""The submission loop: one handler per op type (Codex's SQ), turns run as tasks one at a time."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
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
    def __init__(self, sub_id: str) -> None:
        self.sub_id = sub_id
        self.ctx: TurnContext | None = None
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()


class SubmissionLoop:
    """Reads submissions and runs what they ask for; emits `shutdown_complete` last.

    Args:
        session: The session the ops act on.
    """

    def __init__(self, session: Session) -> None:
        self.session = session
        self._active: _ActiveTurn | None = None
        self._tg: TaskGroup | None = None

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
                    self._active.scope.cancel()
                    await self._active.done.wait()
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

    def _start_turn(self, sub_id: str, op: dict[str, Any], items: list[dict[str, Any]] | None) -> None:
        assert self._tg is not None
        self._tg.start_soon(self._turn_task, sub_id, op, items)

    def on_user_input(self, sub_id: str, op: dict[str, Any]) -> None:
        """`user_input` / `user_turn`: start a turn, or queue the input for the running one."""
        items = list(op.get("items") or [])
        if self._active is not None:
            self.session.queue_input(items)
            return
        self._start_turn(sub_id, op, items)

    def on_compact(self, sub_id: str, op: dict[str, Any]) -> None:
        """`compact`: summarize the history (when no turn runs)."""
        if self._active is None:
            self._start_turn(sub_id, op, None)

    def on_interrupt(self, sub_id: str, op: dict[str, Any]) -> None:
        """`interrupt`: cancel the running turn."""
        if self._active is not None:
            self._active.scope.cancel()

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

    async def _turn_task(self, sub_id: str, op: dict[str, Any], items: list[dict[str, Any]] | None) -> None:
        from ._turn import run_turn

        session = self.session
        active = self._active = _ActiveTurn(sub_id)
        try:
            with active.scope:
                ctx = active.ctx = session.make_turn_context(sub_id, op)
                if items is None:
                    await _compact_task(session, session.begin_turn(ctx))
                else:
                    await run_turn(session, ctx, items)
            if active.scope.cancelled_caught and active.ctx is not None:
                _abort_turn(session, active.ctx)
        finally:
            self._active = None
            active.done.set()
        pending = session.take_pending_input()
        if pending and not active.scope.cancelled_caught:
            await self._turn_task(sub_id, {"type": "user_input"}, pending)


_HANDLERS: dict[str, Callable[[SubmissionLoop, str, dict[str, Any]], None]] = {
    "user_input": SubmissionLoop.on_user_input,
    "user_turn": SubmissionLoop.on_user_input,
    "compact": SubmissionLoop.on_compact,
    "interrupt": SubmissionLoop.on_interrupt,
    "exec_approval": SubmissionLoop.on_approval,
    "patch_approval": SubmissionLoop.on_approval,
    "override_turn_context": SubmissionLoop.on_override,
}
"""What each op does (`shutdown` ends the loop itself)."""


async def _compact_task(session: Session, turn: TurnState) -> None:
    from ._compact import compact_history
    from ._sampling import TurnFailed

    ctx = turn.ctx
    session.emit(
        ctx.sub_id,
        {
            "type": "task_started",
            "turn_id": ctx.turn_id,
            "started_at": int(time.time()),
            "model_context_window": session.effective_context_window(),
            "collaboration_mode_kind": "default",
        },
    )
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

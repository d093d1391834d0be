"""The turn loop: sample the model, turn output items into history and events, run tools, resample."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._compact import auto_compact_needed, compact_history
from ._sampling import TurnFailed, sample_with_retries

if TYPE_CHECKING:
    from pycodex_protocol import ErrorEvent

    from ._context import TurnContext
    from ._session import Session

__all__ = ["TurnResult", "run_turn"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    """How a turn that was not interrupted ended."""

    failed: bool
    """An `error` ended it."""
    last_agent_message: str | None
    """Its last agent message (`None` when there was none, or it failed)."""


async def run_turn(session: Session, ctx: TurnContext, user_items: list[dict[str, Any]]) -> TurnResult:
    """Run one turn from `task_started` to `task_complete` (or `error` + `task_complete` on failure)."""
    from pycodex_model_client import ContextWindowExceeded

    turn = session.begin_turn(ctx)
    started = session.emit_task_started(ctx)
    session.record_turn_context(ctx)
    session.ensure_initial_context(ctx)
    last_agent_message: str | None = None
    compacted_this_turn = False
    first = True
    failed = False
    try:
        if auto_compact_needed(session):
            await compact_history(session, turn)
            compacted_this_turn = True
        session.record_user_input(ctx, user_items)
        while True:
            if not first and auto_compact_needed(session):
                await compact_history(session, turn)
                compacted_this_turn = True
            try:
                outcome = await sample_with_retries(session, turn)
                first = False
            except ContextWindowExceeded as exc:
                if compacted_this_turn:
                    raise TurnFailed(str(exc), "context_window_exceeded") from exc
                await compact_history(session, turn)
                compacted_this_turn = True
                continue
            if outcome.last_agent_message is not None:
                last_agent_message = outcome.last_agent_message
            injected = session.record_pending_items()
            pending = session.take_pending_input()
            if pending:
                session.record_user_input(ctx, pending)
            if not outcome.needs_follow_up and not pending and not injected:
                break
    except TurnFailed as exc:
        error: ErrorEvent = {"type": "error", "message": exc.message}
        if exc.info:
            error["codex_error_info"] = exc.info
        session.emit(ctx.sub_id, error)
        last_agent_message = None
        failed = True
    session.emit(
        ctx.sub_id,
        {
            "type": "task_complete",
            "turn_id": ctx.turn_id,
            "last_agent_message": last_agent_message,
            "completed_at": int(time.time()),
            "duration_ms": int((time.time() - started) * 1000),
            "time_to_first_token_ms": turn.time_to_first_token_ms(),
        },
    )
    return TurnResult(failed, last_agent_message)

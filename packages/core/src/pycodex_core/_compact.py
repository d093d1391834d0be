"""Compaction: replace history with the initial context, recent user messages and a handoff summary."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from ._context import initial_context_items, user_message
from ._history import drop_orphan_outputs, is_contextual_user_message
from ._json import objects
from ._prompts import COMPACT_PROMPT, SUMMARY_PREFIX

if TYPE_CHECKING:
    from ._context import TurnState
    from ._session import Session

__all__ = ["auto_compact_needed", "compact_history"]

logger = logging.getLogger(__name__)

_KEPT_USER_BYTES = 20_000 * 4


def auto_compact_needed(session: Session) -> bool:
    """Whether the last response's token count has reached the auto-compaction limit."""
    limit = session.auto_compact_limit()
    last = session.last_usage
    return bool(limit and last and int(last.get("total_tokens", 0) or 0) >= limit)


def _user_text(item: dict[str, Any]) -> str | None:
    if item.get("type") != "message" or item.get("role") != "user" or is_contextual_user_message(item):
        return None
    return "".join(str(p.get("text", "")) for p in objects(item.get("content")))


def _recent_user_messages(history: list[dict[str, Any]]) -> list[dict[str, Any]]:
    kept: list[dict[str, Any]] = []
    budget = _KEPT_USER_BYTES
    for item in reversed(history):
        text = _user_text(item)
        if text is None:
            continue
        data = text.encode("utf-8")
        if len(data) > budget:
            kept.append(user_message(data[:budget].decode("utf-8", errors="ignore")))
            break
        budget -= len(data)
        kept.append(item)
    kept.reverse()
    return kept


def _drop_oldest(items: list[dict[str, Any]], protected: int) -> bool:
    """Drop the oldest droppable item (and any tool output left without its call)."""
    if len(items) <= protected:
        return False
    del items[protected]
    items[:] = drop_orphan_outputs(items)
    return True


async def compact_history(session: Session, turn: TurnState) -> None:
    """Ask the model for a handoff summary and replace history with it (`compacted` line, `context_compacted`).

    When the summary request itself overflows the context window, the oldest history items are
    dropped until it fits, so a session never dead-ends.

    Raises:
        TurnFailed: The model failed for another reason, or nothing is left to drop.
    """
    from pycodex_model_client import ContextWindowExceeded

    from ._sampling import TurnFailed, sample_with_retries

    ctx = turn.ctx
    working = list(session.history)
    protected = min(session.initial_context_len, len(working))
    while True:
        try:
            outcome = await sample_with_retries(session, turn, [*working, user_message(COMPACT_PROMPT)], record=False)
            break
        except ContextWindowExceeded as exc:
            if not _drop_oldest(working, protected) and not _drop_oldest(working, 0):
                raise TurnFailed(str(exc), "context_window_exceeded") from exc
            logger.info("compaction request overflowed; dropped the oldest item (%d left)", len(working))
    summary = outcome.text.strip() or "(no summary available)"
    message = f"{SUMMARY_PREFIX}\n{summary}"
    notes = session.services.tools.developer_notes(ctx.model_info)
    initial = initial_context_items(session.config, ctx, session.user_instructions, session.shell, notes)
    new_history = [*initial, *_recent_user_messages(session.history), user_message(message)]
    session.replace_history(new_history, message, initial_len=len(initial))
    session.emit(ctx.sub_id, {"type": "context_compacted"})

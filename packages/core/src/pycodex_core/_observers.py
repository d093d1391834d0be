"""`SessionObserver`: the hook telemetry and audit logs plug into."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex_protocol import Event

    from ._context import ToolCall, TurnContext
    from ._tools._registry import ToolOutput

__all__ = ["SessionObserver", "notify"]

logger = logging.getLogger(__name__)


class SessionObserver:
    """A hook on what a session does (telemetry, audit logs). Subclass it and override what you need.

    Every method is called on the event loop and must not block; an exception it raises is logged
    and ignored, so an observer can never break a session.
    """

    def on_event(self, event: Event) -> None:
        """Every event core emits, before the front end sees it."""

    def on_tool_decision(self, ctx: TurnContext, call_id: str, tool_name: str, decision: str, source: str) -> None:
        """An approval decision: `decision` is a `ReviewDecision` name, `source` `user` or `config`."""

    def on_tool_result(
        self, ctx: TurnContext, call: ToolCall, output: ToolOutput, success: bool, seconds: float
    ) -> None:
        """A tool call finished (`success` is False when its handler raised)."""

    async def aclose(self) -> None:
        """The session is closing (flush exporters here)."""


def notify(observers: Sequence[SessionObserver], method: str, *args: object) -> None:
    """Call `method` on every observer, logging (never raising) what they raise."""
    for observer in observers:
        try:
            getattr(observer, method)(*args)
        except Exception:
            logger.exception("session observer %r failed in %s", observer, method)

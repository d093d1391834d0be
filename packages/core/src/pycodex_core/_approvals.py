"""Approvals: the broker that asks the front end and waits, and the store of session-wide approvals."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterable
from typing import TYPE_CHECKING, Any

import anyio

from ._exec_events import parsed_cmd
from ._json import as_object

if TYPE_CHECKING:
    from pycodex_protocol import (
        ApprovedExecPolicyAmendmentDecision,
        EventMsg,
        ExecApprovalRequestEvent,
        FileChange,
        ReviewDecision,
    )

    from ._context import TurnContext
    from ._exec_types import ExecRequest, NeedsApproval

__all__ = ["ApprovalBroker", "ApprovalStore", "normalize_decision"]

logger = logging.getLogger(__name__)

Emit = Callable[[str, "EventMsg"], None]


def normalize_decision(decision: object) -> str:
    """A `ReviewDecision` as its name: `approved_execpolicy_amendment` objects count as `approved`."""
    named = as_object(decision)
    if named is not None:
        keys = list(named)
        if any(key.startswith("approved") for key in keys):
            return "approved"
        return keys[0] if keys and keys[0] in ("denied", "abort", "timed_out") else "denied"
    if isinstance(decision, str) and decision:
        return decision
    return "denied"


class ApprovalStore:
    """What the user approved for the whole session (`approved_for_session`), by approval key."""

    def __init__(self) -> None:
        self._approved: set[Hashable] = set()

    def covers(self, keys: Iterable[Hashable]) -> bool:
        """Whether every key was approved for the session (an empty set never is)."""
        wanted = list(keys)
        return bool(wanted) and all(key in self._approved for key in wanted)

    def remember(self, keys: Iterable[Hashable]) -> None:
        """Approve `keys` for the rest of the session."""
        self._approved.update(keys)


def exec_approval_key(request: ExecRequest) -> Hashable:
    """One command's approval key: the exact command, where it runs and with which permissions."""
    return ("exec", request.argv, str(request.cwd), request.sandbox_permissions)


def patch_approval_keys(paths: Iterable[str]) -> list[Hashable]:
    """A patch's approval keys: one per file, so a later patch touching a subset is not asked again."""
    return [("patch", path) for path in paths]


class ApprovalBroker:
    """Sends approval requests to the front end and waits for the matching `exec_approval`/`patch_approval`.

    Args:
        emit: How events reach the front end (`emit(sub_id, msg)`).
    """

    def __init__(self, emit: Emit) -> None:
        self._emit = emit
        self._waiting: dict[str, tuple[anyio.Event, list[object]]] = {}
        self.store = ApprovalStore()
        """Approvals remembered for the session."""

    async def _wait(self, key: str) -> str:
        event = anyio.Event()
        slot: list[object] = []
        self._waiting[key] = (event, slot)
        try:
            await event.wait()
        finally:
            self._waiting.pop(key, None)
        return normalize_decision(slot[0] if slot else "denied")

    def denial_message(self, approval_id: str) -> str | None:
        """Why a request was not approved, when someone other than the user decided (else None)."""
        return None

    def resolve(self, approval_id: str, decision: object) -> bool:
        """Deliver the front end's decision for `approval_id`; False when nothing waits for it."""
        waiter = self._waiting.get(approval_id)
        if waiter is None:
            logger.info("no approval request is waiting for %r", approval_id)
            return False
        waiter[1].append(decision)
        waiter[0].set()
        return True

    async def request_exec(self, ctx: TurnContext, request: ExecRequest, assessment: NeedsApproval) -> str:
        """Ask about a command (`exec_approval_request`); return the decision's name."""
        msg: ExecApprovalRequestEvent = {
            "type": "exec_approval_request",
            "call_id": request.call_id,
            "turn_id": ctx.turn_id,
            "command": request.command,
            "cwd": str(request.cwd),
            "parsed_cmd": parsed_cmd(request.command),
        }
        reason = assessment.reason or request.justification
        if reason:
            msg["reason"] = reason
        decisions: list[ReviewDecision] = ["approved"]
        if assessment.proposed_amendment:
            msg["proposed_execpolicy_amendment"] = list(assessment.proposed_amendment)
            amendment: ApprovedExecPolicyAmendmentDecision = {
                "approved_execpolicy_amendment": {"proposed_execpolicy_amendment": list(assessment.proposed_amendment)}
            }
            decisions.append(amendment)
        # Codex's default choices for a command (clients built for it show these); core also takes
        # `approved_for_session` and `denied`, which the TUI offers as well.
        msg["available_decisions"] = [*decisions, "abort"]
        self._emit(ctx.sub_id, msg)
        return await self._wait(request.call_id)

    async def request_patch(
        self, ctx: TurnContext, call_id: str, changes: dict[str, FileChange], reason: str | None = None
    ) -> str:
        """Ask about a patch (`apply_patch_approval_request`); return the decision's name."""
        msg: dict[str, Any] = {"type": "apply_patch_approval_request", "call_id": call_id, "turn_id": ctx.turn_id}
        msg["changes"] = changes
        if reason:
            msg["reason"] = reason
        self._emit(ctx.sub_id, msg)  # pyright: ignore[reportArgumentType]
        return await self._wait(call_id)

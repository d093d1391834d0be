"""The approval broker of the execpolicy pipeline: automatic review first, the user next, and memory.

It extends core's `ApprovalBroker`:
- with `approvals_reviewer = "auto_review"`, a pending action goes to the automatic reviewer
  first; a low-risk action it allows is approved, anything else is asked of the user with the
  reviewer's rationale (and so denied by a headless front end), and the assessment is recorded
  as a `guardian_assessment` event (events persist in the rollout);
- every exec request offers remembering a generalised prefix rule (`proposed_execpolicy_amendment`);
- `approved_for_session` also remembers that prefix for the session (commands still run in the
  sandbox), and `approved_execpolicy_amendment` writes the rule for the scope the user picked
  (`global` by default, as Codex; `project`; `session`) and says where it went.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from pycodex_execpolicy import AmendError, format_prefix_rule

from ._approvals import ApprovalBroker, normalize_decision
from ._exec_types import NeedsApproval
from ._observers import SessionObserver

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_protocol import Event, EventMsg, FileChange, GuardianAssessmentEvent

    from ._auto_review import AutoReviewer, ReviewOutcome, ReviewTransport
    from ._context import TurnContext
    from ._exec_policy import PolicyApprovalRequirement, RememberScope
    from ._exec_types import ExecApprovalRequirement, ExecRequest
    from ._services import Emitter

__all__ = ["PolicyApprovalBroker", "TranscriptObserver", "approval_parts", "uses_auto_review"]

logger = logging.getLogger(__name__)

_SCOPES = ("session", "project", "global")


class PolicyApprovalBroker(ApprovalBroker):
    """Asks the reviewer and the user, and turns "don't ask again" into rules.

    Args:
        emit: `emit(sub_id, msg)`.
        requirement: The execpolicy requirement the remembered rules go to.
        reviewer: The automatic reviewer, when `approvals_reviewer = "auto_review"`.
        history: The session's history, read when a review starts.
        thread_id: For the review request.
    """

    def __init__(
        self,
        emit: Callable[[str, EventMsg], None],
        requirement: PolicyApprovalRequirement,
        *,
        reviewer: AutoReviewer | None = None,
        history: Callable[[], Sequence[Mapping[str, Any]]] = lambda: (),
        thread_id: str = "",
    ) -> None:
        super().__init__(emit)
        self.requirement = requirement
        self.reviewer = reviewer
        self.history = history
        self.thread_id = thread_id
        self._raw: dict[str, object] = {}
        self._emit_fn = emit
        self._denials: dict[str, str] = {}

    def denial_message(self, approval_id: str) -> str | None:
        """The reviewer's reason when it refused `approval_id` (the model reads it instead of a user refusal)."""
        return self._denials.pop(approval_id, None)

    def resolve(self, approval_id: str, decision: object) -> bool:
        """Deliver the front end's decision (kept whole, so an amendment's prefix and scope are seen)."""
        self._raw[approval_id] = decision
        return super().resolve(approval_id, decision)

    async def request_exec(self, ctx: TurnContext, request: ExecRequest, assessment: NeedsApproval) -> str:
        """Review (when configured), then ask the user; apply what the answer says to remember."""
        proposal = assessment.proposed_amendment or self.requirement.proposal_for(request.argv, request.prefix_rule)
        if self.reviewer is not None:
            action: dict[str, Any] = {
                "command": request.command, "cwd": str(request.cwd), "sandbox_permissions": request.sandbox_permissions,
                "tool": request.tool_name, "tty": request.tty,
            }  # fmt: skip
            if request.justification:
                action["justification"] = request.justification
            outcome = await self._review(ctx, request.call_id, action)
            if outcome.status == "approved":
                return "approved"
            if outcome.status != "escalate":
                self._denials[request.call_id] = _refusal(outcome)
                return "timed_out" if outcome.status == "timed_out" else "denied"
            assessment = NeedsApproval(reason=_escalation_reason(outcome), proposed_amendment=proposal)
        else:
            assessment = NeedsApproval(reason=assessment.reason, proposed_amendment=proposal)
        name = await super().request_exec(ctx, request, assessment)
        raw = self._raw.pop(request.call_id, name)
        self._remember(ctx, request, raw, proposal)
        return name

    async def request_patch(
        self, ctx: TurnContext, call_id: str, changes: dict[str, FileChange], reason: str | None = None
    ) -> str:
        """Review the patch (when configured), then ask the user."""
        if self.reviewer is not None:
            action = {"tool": "apply_patch", "files": sorted(changes), "changes": changes}
            outcome = await self._review(ctx, call_id, cast("dict[str, Any]", action))
            if outcome.status == "approved":
                return "approved"
            if outcome.status != "escalate":
                self._denials[call_id] = _refusal(outcome)
                return "timed_out" if outcome.status == "timed_out" else "denied"
            reason = _escalation_reason(outcome)
        name = await super().request_patch(ctx, call_id, changes, reason)
        self._raw.pop(call_id, None)
        return name

    async def _review(self, ctx: TurnContext, call_id: str, action: dict[str, Any]) -> ReviewOutcome:
        assert self.reviewer is not None
        started: GuardianAssessmentEvent = {
            "type": "guardian_assessment", "id": call_id, "turn_id": ctx.turn_id, "status": "in_progress",
            "action": action,
        }  # fmt: skip
        self._emit_fn(ctx.sub_id, started)
        outcome = await self.reviewer.review(list(self.history()), action, thread_id=self.thread_id)
        done: GuardianAssessmentEvent = {
            "type": "guardian_assessment",
            "id": call_id,
            "turn_id": ctx.turn_id,
            "status": _STATUS[outcome.status],
            "decision_source": "agent",
            "rationale": outcome.message,
            "action": action,
        }
        if outcome.assessment is not None:
            done["risk_level"] = outcome.assessment.risk_level
            done["user_authorization"] = outcome.assessment.user_authorization
        self._emit_fn(ctx.sub_id, done)
        return outcome

    def _remember(self, ctx: TurnContext, request: ExecRequest, raw: object, proposal: tuple[str, ...] | None) -> None:
        prefix, scope = _amendment(raw)
        if prefix is None and normalize_decision(raw) == "approved_for_session" and proposal:
            prefix, scope = list(proposal), "session"
        if prefix is None:
            return
        try:
            text = self.requirement.remember(prefix, scope)
        except AmendError as exc:
            self._emit_fn(ctx.sub_id, {"type": "warning", "message": f"could not remember the approval: {exc}"})
            return
        where = self.requirement.rules_file(scope)
        place = f"to {where}" if where is not None else "for this session"
        self._emit_fn(ctx.sub_id, {"type": "background_event", "message": f"Saved {text} {place}"})
        logger.info("approval of %r remembered as %s (%s)", request.argv, text, scope)


_STATUS: dict[str, Any] = {
    "approved": "approved",
    "escalate": "denied",
    "denied": "denied",
    "timed_out": "timed_out",
    "failed": "aborted",
}


def _refusal(outcome: ReviewOutcome) -> str:
    """What the model reads when the reviewer itself refused (or could not review) the action."""
    if outcome.status == "denied":
        return f"The automatic approval review denied this action: {outcome.message}"
    return outcome.message


def _escalation_reason(outcome: ReviewOutcome) -> str:
    risk = outcome.assessment.risk_level if outcome.assessment is not None else "unknown"
    return f"Automatic review: {risk} risk. {outcome.message}".strip()


def _amendment(raw: object) -> tuple[list[str] | None, RememberScope]:
    """The prefix and scope of an `approved_execpolicy_amendment` decision (else None)."""
    if not isinstance(raw, dict):
        return None, "global"
    body = cast("dict[str, Any]", raw).get("approved_execpolicy_amendment")
    if not isinstance(body, dict):
        return None, "global"
    fields = cast("dict[str, Any]", body)
    prefix = fields.get("proposed_execpolicy_amendment")
    scope = fields.get("scope", "global")
    if not isinstance(prefix, list) or not all(isinstance(w, str) for w in cast("list[Any]", prefix)):
        return None, "global"
    return cast("list[str]", prefix), scope if scope in _SCOPES else "global"


def rule_preview(prefix: Sequence[str]) -> str:
    """The rule text a front end shows before the user saves it."""
    return format_prefix_rule(prefix)


def project_rules_path(root: Path) -> Path:
    """`<root>/.codex/rules/default.rules`."""
    return root / ".codex" / "rules" / "default.rules"


class TranscriptObserver(SessionObserver):
    """Keeps what the automatic reviewer reads: the user's messages, the agent's, commands and outputs."""

    def __init__(self, limit: int = 400) -> None:
        self._items: list[dict[str, Any]] = []
        self._limit = limit

    def items(self) -> list[dict[str, Any]]:
        """The transcript so far, oldest first, as response items."""
        return list(self._items)

    def on_event(self, event: Event) -> None:
        """Turn the events that matter to a reviewer into transcript entries."""
        msg = cast("dict[str, Any]", event["msg"])
        kind = msg.get("type")
        if kind == "user_message":
            self._add(_message("user", str(msg.get("message", ""))))
        elif kind == "agent_message":
            self._add(_message("assistant", str(msg.get("message", ""))))
        elif kind == "exec_command_begin":
            args = json.dumps({"command": msg.get("command"), "cwd": msg.get("cwd")}, ensure_ascii=False)
            self._add({"type": "function_call", "name": "exec_command", "arguments": args})
        elif kind == "exec_command_end":
            self._add({"type": "function_call_output", "output": str(msg.get("aggregated_output", ""))})
        elif kind == "patch_apply_end":
            self._add(
                {"type": "function_call_output", "output": str(msg.get("stdout", "")) + str(msg.get("stderr", ""))}
            )

    def _add(self, item: dict[str, Any]) -> None:
        self._items.append(item)
        if len(self._items) > self._limit:
            del self._items[: len(self._items) - self._limit]


def _message(role: str, text: str) -> dict[str, Any]:
    kind = "input_text" if role == "user" else "output_text"
    return {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}


def uses_auto_review(config: Config) -> bool:
    """Whether approvals go to the automatic reviewer (`approvals_reviewer = "auto_review"`)."""
    return str(config.raw.get("approvals_reviewer", "user")) in ("auto_review", "guardian_subagent")


def approval_parts(
    config: Config,
    emitter: Emitter,
    transport: ReviewTransport,
    thread_id: str,
    requirement: ExecApprovalRequirement | None,
) -> tuple[ExecApprovalRequirement, ApprovalBroker]:
    """The approval requirement and broker of a session: by default the execpolicy pipeline.

    A requirement given by the caller is used as it is (with the plain broker, unless it is a
    `PolicyApprovalRequirement`).
    """
    from ._exec_policy import PolicyApprovalRequirement

    if requirement is None:
        requirement = PolicyApprovalRequirement.load(
            Path(config.codex_home), Path(config.cwd), project_trusted=config.is_trusted()
        )
    if not isinstance(requirement, PolicyApprovalRequirement):
        return requirement, ApprovalBroker(emitter.emit)
    from ._auto_review import AutoReviewer

    transcript = TranscriptObserver()
    emitter.observers.append(transcript)
    reviewer = AutoReviewer(transport, config.model) if uses_auto_review(config) else None
    broker = PolicyApprovalBroker(
        emitter.emit, requirement, reviewer=reviewer, history=transcript.items, thread_id=thread_id
    )
    return requirement, broker

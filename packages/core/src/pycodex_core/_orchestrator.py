"""The one exec path: approval requirement -> approval broker and store -> sandbox step -> spawn -> retry."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ._approvals import ApprovalBroker, exec_approval_key
from ._exec_events import begin_event, declined_end
from ._exec_types import (
    FULL_ACCESS,
    ExecApprovalRequirement,
    Forbidden,
    NeedsApproval,
    Refusal,
    SandboxStep,
    Skip,
    SpawnPlan,
)
from ._output_stream import OutputStreamer

if TYPE_CHECKING:
    from pycodex_protocol import EventMsg
    from pycodex_pty import ProcessSession

    from ._context import TurnContext
    from ._exec_types import ExecRequest
    from ._observers import SessionObserver

__all__ = ["REJECTED_BY_USER", "Declined", "ExecOrchestrator", "spawn"]

logger = logging.getLogger(__name__)

REJECTED_BY_USER = "exec command rejected by user"
RETRY_REASON = "command failed; retry without sandbox?"


@dataclass(frozen=True)
class Declined:
    """The command did not run; `message` is the tool output for the model."""

    message: str


@dataclass(frozen=True)
class Authorized:
    """The command may run as `plan`; `sandboxed` is False when it runs outside any sandbox by approval."""

    plan: SpawnPlan
    sandboxed: bool


def spawn(plan: SpawnPlan, *, tty: bool, streamer: OutputStreamer | None) -> ProcessSession:
    """Start `plan` on the pty (the only place core spawns a command).

    Raises:
        SpawnError: The program could not be started.
    """
    from pycodex_pty import ProcessSession

    on_output = streamer.feed if streamer is not None else None
    return ProcessSession.spawn(
        plan.argv, cwd=plan.cwd, env=plan.env, tty=tty, on_output=on_output, pass_fds=plan.pass_fds
    )


class ExecOrchestrator:
    """Decides whether and how each `ExecRequest` runs, asking the user through the broker when needed.

    Args:
        requirement: The approval requirement step.
        sandbox: The sandbox step.
        broker: Sends approval requests and remembers `approved_for_session`.
        emit: `emit(sub_id, msg)`.
        warn_once: `warn_once(sub_id, key, message)`.
    """

    def __init__(
        self,
        *,
        requirement: ExecApprovalRequirement,
        sandbox: SandboxStep,
        broker: ApprovalBroker,
        emit: Callable[[str, EventMsg], None],
        warn_once: Callable[[str, str, str], None],
        observers: Sequence[SessionObserver] = (),
    ) -> None:
        self.requirement = requirement
        self.sandbox = sandbox
        self.broker = broker
        self._emit = emit
        self._warn_once = warn_once
        self._observers = observers

    def _decline(self, ctx: TurnContext, request: ExecRequest, message: str, shown: str | None = None) -> Declined:
        begin = begin_event(request.call_id, ctx.turn_id, request.command, str(request.cwd), "agent")
        self._emit(ctx.sub_id, begin)
        self._emit(ctx.sub_id, declined_end(begin, shown or message))
        return Declined(message)

    async def _approve(self, ctx: TurnContext, request: ExecRequest, assessment: NeedsApproval) -> bool:
        key = exec_approval_key(request)
        if self.broker.store.covers([key]):
            self._decided(ctx, request, "approved_for_session", "config")
            return True
        decision = await self.broker.request_exec(ctx, request, assessment)
        self._decided(ctx, request, decision, "user")
        if decision == "approved_for_session":
            self.broker.store.remember([key])
        return decision in ("approved", "approved_for_session")

    def _decided(self, ctx: TurnContext, request: ExecRequest, decision: str, source: str) -> None:
        if self._observers:
            from ._observers import notify

            notify(self._observers, "on_tool_decision", ctx, request.call_id, request.tool_name, decision, source)

    async def authorize(self, ctx: TurnContext, request: ExecRequest) -> Authorized | Declined:
        """Run the approval and sandbox steps; a declined command's begin/end pair is emitted here."""
        assessment = self.requirement.assess(request, ctx)
        if isinstance(assessment, Forbidden):
            # As in Codex 0.169, a command the policy rejects never starts: no begin/end events, the
            # model gets the reason as the tool output.
            self._decided(ctx, request, "denied", "config")
            return Declined(assessment.reason)
        bypass = (isinstance(assessment, Skip) and assessment.bypass_sandbox) or (
            isinstance(assessment, NeedsApproval) and request.escalated
        )
        policy = FULL_ACCESS if bypass else ctx.sandbox_policy
        plan = self.sandbox.prepare(request, policy)
        if isinstance(plan, Refusal):
            if plan.warning:
                self._warn_once(ctx.sub_id, "sandbox", plan.warning)
            return self._decline(ctx, request, plan.message)
        if isinstance(assessment, NeedsApproval):
            if not await self._approve(ctx, request, assessment):
                message = self.broker.denial_message(request.call_id) or REJECTED_BY_USER
                return self._decline(ctx, request, message, message)
        else:
            self._decided(ctx, request, "approved", "config")  # allowed by the policy, as Codex reports it
        return Authorized(plan, sandboxed=not bypass and ctx.sandbox_mode != "danger-full-access")

    async def retry_plan(
        self, ctx: TurnContext, request: ExecRequest, first: Authorized, exit_code: int, output: bytes
    ) -> SpawnPlan | None:
        """After a sandboxed run failed: the unsandboxed plan when the sandbox denied it and the user agrees."""
        if not first.sandboxed:
            return None
        denial = self.sandbox.classify_denial(exit_code, output)
        if denial is None or not self.requirement.wants_retry_approval(ctx):
            return None
        reason = f"{RETRY_REASON} {denial.message}".strip()
        if not await self._approve(ctx, request, NeedsApproval(reason=reason)):
            return None
        plan = self.sandbox.prepare(request, FULL_ACCESS)
        return plan if isinstance(plan, SpawnPlan) else None

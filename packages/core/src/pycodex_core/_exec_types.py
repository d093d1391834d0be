"""The exec path's seams: a typed request, the approval requirement and the sandbox step.

Every command the agent runs is an `ExecRequest`. Core asks the session's
`ExecApprovalRequirement` whether it may run (`Skip`, `NeedsApproval`, `Forbidden`), asks the
user when needed, then the `SandboxStep` turns it into a `SpawnPlan` (or a `Refusal`). After a
sandboxed run, `SandboxStep.classify_denial` says whether the sandbox blocked it, so core can offer
a retry without the sandbox. The defaults reproduce pycodex without an OS sandbox: commands run
only under `danger-full-access`, and approval is asked only under `untrusted`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias

from ._prompts import sandbox_refusal_text

if TYPE_CHECKING:
    from pycodex_protocol import SandboxPolicy

    from ._context import TurnContext

__all__ = [
    "DefaultApprovalRequirement",
    "ExecApprovalRequirement",
    "ExecAssessment",
    "ExecRequest",
    "Forbidden",
    "NeedsApproval",
    "NoSandbox",
    "Refusal",
    "SandboxDenial",
    "SandboxPermissions",
    "SandboxStep",
    "Skip",
    "SpawnPlan",
]

READ_ONLY_PATCH_REFUSAL = "writing is blocked by read-only sandbox; rejected by user approval settings"

SandboxPermissions: TypeAlias = Literal["use_default", "require_escalated"]
"""What the model asked for: the session's sandbox, or to run outside it (after approval)."""


@dataclass(frozen=True)
class ExecRequest:
    """One command the agent wants to run, as every exec tool describes it."""

    argv: tuple[str, ...]
    """The command as shown to the user (`["/bin/bash", "-lc", "ls"]`)."""
    cwd: Path
    """Absolute working directory."""
    call_id: str
    """The tool call asking for it."""
    tool_name: str
    """`exec_command`, `shell`, `shell_command`, `local_shell`, ..."""
    env: Mapping[str, str] = field(default_factory=lambda: {})
    """The complete environment of the command (`shell_environment_policy` applied)."""
    tty: bool = False
    """Run on a pseudo-terminal."""
    timeout_ms: int | None = None
    """Deadline of a one-shot command (`None`: unified exec, which yields instead)."""
    sandbox_permissions: SandboxPermissions = "use_default"
    """`require_escalated` when the model asks to run outside the sandbox."""
    justification: str | None = None
    """The model's one-sentence reason for an escalation, shown to the user."""
    prefix_rule: tuple[str, ...] | None = None
    """A command prefix the model proposes the user approve for the session."""
    spawn_argv: tuple[str, ...] | None = None
    """What is actually executed when it differs from `argv` (the shell snapshot's wrapper)."""

    @property
    def command(self) -> list[str]:
        """`argv` as a list (the form events carry)."""
        return list(self.argv)

    @property
    def escalated(self) -> bool:
        """Whether the model asked to run outside the sandbox."""
        return self.sandbox_permissions == "require_escalated"


@dataclass(frozen=True)
class Skip:
    """Run without asking; `bypass_sandbox` runs it outside the sandbox (an explicit allow rule)."""

    bypass_sandbox: bool = False


@dataclass(frozen=True)
class NeedsApproval:
    """Ask the user first (`exec_approval_request`)."""

    reason: str | None = None
    """Why, shown with the request."""
    proposed_amendment: tuple[str, ...] | None = None
    """A prefix rule the user may accept for later commands (`proposed_execpolicy_amendment`)."""


@dataclass(frozen=True)
class Forbidden:
    """Never run it; `reason` goes back to the model."""

    reason: str


ExecAssessment: TypeAlias = Skip | NeedsApproval | Forbidden
"""What the approval requirement decided."""


class ExecApprovalRequirement(Protocol):
    """Decides whether a command needs the user's approval (execpolicy rules, heuristics, policy)."""

    def assess(self, request: ExecRequest, ctx: TurnContext) -> ExecAssessment:
        """Return `Skip`, `NeedsApproval` or `Forbidden` for `request` in this turn."""
        ...

    def wants_retry_approval(self, ctx: TurnContext) -> bool:
        """Whether a command the sandbox denied may be offered to the user to rerun without it."""
        ...

    def assess_patch(self, paths: Sequence[Path], ctx: TurnContext) -> ExecAssessment:
        """Whether a verified patch writing `paths` (absolute) may be applied, needs approval, or is refused."""
        ...


class DefaultApprovalRequirement:
    """Asks for every command under `untrusted`, never otherwise; retries only under on-failure/untrusted."""

    def assess(self, request: ExecRequest, ctx: TurnContext) -> ExecAssessment:
        """`NeedsApproval` under `untrusted` or for an escalation request (refused under `never`), else `Skip`."""
        if ctx.approval_policy == "untrusted":
            return NeedsApproval()
        if request.escalated:
            if ctx.approval_policy == "never":
                return Forbidden("you cannot ask for escalated permissions if the approval policy is Never")
            return NeedsApproval(reason=request.justification)
        return Skip()

    def wants_retry_approval(self, ctx: TurnContext) -> bool:
        """Codex's rule: on-failure and untrusted offer the unsandboxed retry; on-request and never do not."""
        return ctx.approval_policy in ("on-failure", "untrusted")

    def assess_patch(self, paths: Sequence[Path], ctx: TurnContext) -> ExecAssessment:
        """Refused under `read-only`; `NeedsApproval` under `untrusted`; else applied.

        Under `workspace-write` the patch was already confined to the writable roots when it was verified.
        """
        if ctx.sandbox_mode == "read-only":
            return Forbidden(READ_ONLY_PATCH_REFUSAL)
        if ctx.approval_policy == "untrusted":
            return NeedsApproval()
        return Skip()


@dataclass(frozen=True)
class SpawnPlan:
    """What to execute: the final argv (maybe wrapped by a sandbox), its environment and cwd."""

    argv: tuple[str, ...]
    env: Mapping[str, str]
    cwd: Path
    sandbox_label: str = "none"
    """`none`, `linux_seccomp`, `seatbelt`, ... (also sent in the turn metadata)."""
    pass_fds: tuple[int, ...] = ()
    """Descriptors the command inherits (the bridge to the session's network policy proxy)."""


@dataclass(frozen=True)
class Refusal:
    """The sandbox cannot run this command; `message` goes to the model and the user."""

    message: str
    warning: str | None = None
    """Shown once per session to the user (a `warning` event), when set."""


@dataclass(frozen=True)
class SandboxDenial:
    """The sandbox blocked a command that ran; `message` explains what was denied."""

    message: str


class SandboxStep(Protocol):
    """Turns a request into what is executed under a sandbox policy."""

    def prepare(self, request: ExecRequest, policy: SandboxPolicy) -> SpawnPlan | Refusal:
        """The spawn plan of `request` under `policy`, or why it cannot run."""
        ...

    def classify_denial(self, exit_code: int, output: bytes) -> SandboxDenial | None:
        """Whether a finished command failed because the sandbox denied it."""
        ...


FULL_ACCESS: SandboxPolicy = {"type": "danger-full-access"}
"""The policy an approved escalation runs under."""


class NoSandbox:
    """No OS sandbox: runs bare under `danger-full-access`, refuses under every other policy."""

    def prepare(self, request: ExecRequest, policy: SandboxPolicy) -> SpawnPlan | Refusal:
        """A bare spawn under full access; a `Refusal` (today's message) otherwise."""
        mode = str(policy.get("type", "read-only"))
        if mode == "danger-full-access":
            argv = request.spawn_argv if request.spawn_argv is not None else request.argv
            return SpawnPlan(argv=tuple(argv), env=request.env, cwd=request.cwd)
        warning = (
            f"The `{mode}` sandbox is not available on this build of pycodex: shell commands the model "
            "asks for will be refused, not run. Use `--sandbox danger-full-access` to let commands run unsandboxed."
        )
        return Refusal(sandbox_refusal_text(mode), warning)

    def classify_denial(self, exit_code: int, output: bytes) -> SandboxDenial | None:
        """Nothing runs sandboxed, so nothing is ever denied by a sandbox."""
        return None


def as_argv(parts: Sequence[object]) -> tuple[str, ...]:
    """Every part as a string."""
    return tuple(str(part) for part in parts)

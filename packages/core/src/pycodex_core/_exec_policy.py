"""The execpolicy approval requirement: `.rules` files, the safety heuristics and the approval policy.

Plugged into core as its `ExecApprovalRequirement`. It also keeps what the user chose to stop
being asked about: a generalised prefix rule (program and subcommand, not the exact argv) for the
session, the project (`<project>/.codex/rules/default.rules`) or everywhere
(`$CODEX_HOME/rules/default.rules`).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pycodex_execpolicy import (
    AmendError,
    Decision,
    Policy,
    PrefixRuleMatch,
    append_prefix_rule,
    exec_requirement,
    format_prefix_rule,
    generalized_prefix,
    is_banned_prefix,
    load_policy,
)

from ._exec_types import READ_ONLY_PATCH_REFUSAL, ExecAssessment, Forbidden, NeedsApproval, Skip

if TYPE_CHECKING:
    from ._context import TurnContext
    from ._exec_types import ExecRequest

__all__ = ["PolicyApprovalRequirement", "RememberScope", "escalation_refusal", "rejected_output"]

logger = logging.getLogger(__name__)

RememberScope = Literal["session", "project", "global"]
"""Where a remembered approval is kept."""

OUTSIDE_ROOTS_REASON = "the patch writes outside the writable roots: "
NEVER_PATCH_REFUSAL = (
    "patch rejected: it writes outside the writable roots and the approval policy is never, so nobody can approve it"
)
GRANULAR_SANDBOX_REFUSAL = "approval required by policy, but AskForApproval::Granular.sandbox_approval is false"
GRANULAR_RULES_REFUSAL = "approval required by policy rule, but AskForApproval::Granular.rules is false"


_POLICY_DEBUG = {"never": "Never", "on-request": "OnRequest", "on-failure": "OnFailure", "untrusted": "UnlessTrusted"}


def escalation_refusal(approval_policy: str) -> str:
    """What the model is told when it asks to leave the sandbox under a policy that cannot approve it (Codex's text)."""
    name = _POLICY_DEBUG.get(approval_policy, approval_policy)
    return (
        f"approval policy is {name}; reject command — you cannot ask for escalated permissions if the approval "
        f"policy is {name}"
    )


def rejected_output(tool_name: str, reason: str) -> str:
    """The tool output of a command the policy rejects, worded as Codex 0.169 words it."""
    inner = "Rejected(" + json.dumps(reason, ensure_ascii=False) + ")"
    return f"{tool_name} failed: CreateProcess {{ message: {json.dumps(inner, ensure_ascii=False)} }}"


@dataclass
class PolicyApprovalRequirement:
    """Decides commands and patches from the loaded rules, the heuristics and the turn's approval policy."""

    policy: Policy = field(default_factory=Policy.empty)
    """Rules from the `.rules` files (and the ones added while the session runs)."""
    codex_home: Path | None = None
    """Where global rules are written (`$CODEX_HOME/rules/default.rules`)."""
    project_root: Path | None = None
    """Where project rules are written (`<root>/.codex/rules/default.rules`)."""
    warnings: list[str] = field(default_factory=lambda: [])
    """Rule files that could not be used."""
    remembered: list[tuple[tuple[str, ...], RememberScope]] = field(default_factory=lambda: [])
    """Prefixes the user allowed during this session, and where each was kept."""
    session_prefixes: list[tuple[str, ...]] = field(default_factory=lambda: [])
    """Prefixes approved for this session: they stop the prompt, the command still runs sandboxed."""

    @classmethod
    def load(
        cls, codex_home: Path, cwd: Path, *, ignore_rules: bool = False, project_trusted: bool = True
    ) -> PolicyApprovalRequirement:
        """Load `$CODEX_HOME/rules/*.rules` and the project's `.codex/rules/*.rules` (unless ignored)."""
        loaded = load_policy(codex_home, cwd, ignore_rules=ignore_rules, project_trusted=project_trusted)
        root = next((d for d in (cwd, *cwd.parents) if (d / ".git").exists()), cwd)
        return cls(loaded.policy, codex_home, root, loaded.warnings)

    # -- ExecApprovalRequirement ----------------------------------------------------------------

    def assess(self, request: ExecRequest, ctx: TurnContext) -> ExecAssessment:
        """Skip, ask, or refuse `request` under the turn's approval policy and sandbox."""
        policy_name = _policy_name(ctx.approval_policy)
        if request.escalated and policy_name == "never":
            return Forbidden(escalation_refusal(ctx.approval_policy))
        restricted = ctx.sandbox_mode in ("read-only", "workspace-write")
        req = exec_requirement(
            self.policy,
            list(request.argv),
            approval_policy=policy_name,
            filesystem_restricted=restricted,
            sandbox_override=request.escalated,
            prefix_rule=request.prefix_rule,
        )
        if req.kind == "forbidden":
            return Forbidden(rejected_output(request.tool_name, req.reason or "blocked by policy"))
        if req.kind == "needs_approval":
            if not request.escalated and self._covered_for_session(req.segments):
                return Skip()
            by_rule = any(
                isinstance(m, PrefixRuleMatch) and m.decision is Decision.PROMPT for m in req.evaluation.matched_rules
            )
            if not ctx.allows_prompt("rules" if by_rule else "sandbox_approval"):
                text = GRANULAR_RULES_REFUSAL if by_rule else GRANULAR_SANDBOX_REFUSAL
                return Forbidden(rejected_output(request.tool_name, text))
            return NeedsApproval(reason=req.reason, proposed_amendment=req.proposed_amendment)
        if request.escalated and restricted and not req.bypass_sandbox:
            # Leaving the sandbox always takes someone's approval (Codex runs it unasked under on-failure).
            if not ctx.allows_prompt("sandbox_approval"):
                return Forbidden(rejected_output(request.tool_name, GRANULAR_SANDBOX_REFUSAL))
            return NeedsApproval(reason=request.justification, proposed_amendment=None)
        return Skip(bypass_sandbox=req.bypass_sandbox)

    def wants_retry_approval(self, ctx: TurnContext) -> bool:
        """Whether a sandbox-denied command may be offered again without the sandbox.

        Codex's rule: under on-failure and untrusted; under `granular` when it allows sandbox approvals.
        """
        if ctx.granular is not None:
            return ctx.allows_prompt("sandbox_approval")
        return ctx.approval_policy in ("on-failure", "untrusted")

    def assess_patch(self, paths: Sequence[Path], ctx: TurnContext) -> ExecAssessment:
        """Apply inside the writable roots; ask (or refuse under `never`) for anything outside them."""
        outside = [p for p in paths if not _inside(p, ctx)]
        if outside:
            if ctx.approval_policy == "never":
                return Forbidden(NEVER_PATCH_REFUSAL if ctx.sandbox_mode != "read-only" else READ_ONLY_PATCH_REFUSAL)
            if not ctx.allows_prompt("sandbox_approval"):
                return Forbidden(GRANULAR_SANDBOX_REFUSAL)
            return NeedsApproval(reason=OUTSIDE_ROOTS_REASON + ", ".join(str(p) for p in outside))
        if ctx.approval_policy == "untrusted":
            return NeedsApproval()
        return Skip()

    # -- remembered approvals -------------------------------------------------------------------

    def _covered_for_session(self, segments: Sequence[Sequence[str]]) -> bool:
        """Whether every command starts with a prefix approved for this session."""
        return bool(segments) and all(
            any(tuple(segment[: len(p)]) == p for p in self.session_prefixes) for segment in segments
        )

    def proposal_for(self, argv: Sequence[str], suggested: Sequence[str] | None = None) -> tuple[str, ...] | None:
        """The prefix to offer remembering for `argv` (the model's suggestion when it is acceptable)."""
        if suggested and not is_banned_prefix(suggested) and list(argv[: len(suggested)]) == list(suggested):
            return tuple(suggested)
        from pycodex_execpolicy import command_segments

        segments, _ = command_segments(list(argv))
        return generalized_prefix(segments[0]) if segments else None

    def rules_file(self, scope: RememberScope) -> Path | None:
        """The file a rule of `scope` is written to (None for the session)."""
        if scope == "global" and self.codex_home is not None:
            return self.codex_home / "rules" / "default.rules"
        if scope == "project" and self.project_root is not None:
            return self.project_root / ".codex" / "rules" / "default.rules"
        return None

    def remember(self, prefix: Sequence[str], scope: RememberScope) -> str:
        """Allow commands starting with `prefix` from now on; return the rule text that was kept.

        A session prefix lives only in memory and stops the prompt (the command still runs in the
        sandbox); project and global rules are appended to their `.rules` file (comments and the
        rest of the file kept, duplicates skipped) and, as in Codex, allowed commands run outside it.

        Raises:
            AmendError: when the prefix is empty or too broad, or the file cannot be written.
        """
        words = tuple(prefix)
        if not words or is_banned_prefix(words):
            raise AmendError(f"refusing to remember a prefix this broad: {list(words)!r}")
        text = format_prefix_rule(words, Decision.ALLOW)
        path = self.rules_file(scope)
        if path is None:
            self.session_prefixes.append(words)
        else:
            append_prefix_rule(path, words, Decision.ALLOW)
            self.policy.add_prefix_rule(list(words), Decision.ALLOW)
        self.remembered.append((words, scope))
        logger.info("remembered %s (%s)", text, scope)
        return text


def _policy_name(approval_policy: str) -> Literal["untrusted", "on-failure", "on-request", "never"]:
    if approval_policy in ("untrusted", "on-failure", "never"):
        return approval_policy
    return "on-request"


def _inside(path: Path, ctx: TurnContext) -> bool:
    """Whether a patch may write `path` unasked: inside a writable root and not in its `.git`, `.codex`, ..."""
    from pycodex_apply_patch import protected_subpaths

    if ctx.sandbox_mode in ("danger-full-access", "external-sandbox"):
        return True
    if ctx.sandbox_mode == "read-only":
        return False
    for root in ctx.writable_roots:
        if path == root or root in path.parents:
            protected = [Path(p) for p in protected_subpaths(root)]
            return not any(path == p or p in path.parents for p in protected)
    return False

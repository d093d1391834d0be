"""Policy and setting values: approval policy, sandbox policy, reasoning settings, review decisions.

Mirrors `codex-rs/protocol` (`AskForApproval`, `SandboxPolicy`, `ReviewDecision`, …): kebab-case
values for the approval policy and sandbox policy tags, snake_case for review decisions.
"""

from __future__ import annotations

import logging
from typing import Annotated, Literal, NotRequired, TypeAlias, TypedDict

from ._tags import BY_TYPE

logger = logging.getLogger(__name__)

AskForApproval: TypeAlias = Literal["untrusted", "on-failure", "on-request", "never"]
"""When the agent asks the user before running a command (`approval_policy`).

`untrusted` is Codex's `UnlessTrusted`; `on-failure` is deprecated but still accepted in config.
Codex's `granular` table form is `GranularAskForApproval`.
"""

SandboxMode: TypeAlias = Literal["read-only", "workspace-write", "danger-full-access"]
"""The `sandbox_mode` config/CLI value; `SandboxPolicy` is the detailed form derived from it."""

ApprovalsReviewer: TypeAlias = Literal["user", "guardian_subagent", "auto_review"]
"""Who reviews approval requests: the user, or an automatic reviewer sub-agent."""

ReasoningEffort: TypeAlias = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra"]
"""`model_reasoning_effort` (`max` and `ultra` appear in the 0.169 model catalog)."""

ReasoningSummary: TypeAlias = Literal["auto", "concise", "detailed", "none"]
"""`model_reasoning_summary`."""

Verbosity: TypeAlias = Literal["low", "medium", "high"]
"""`model_verbosity` (sent as `text.verbosity`)."""

NetworkAccess: TypeAlias = Literal["restricted", "enabled"]
"""Network setting of `ExternalSandboxPolicy`."""


class GranularApprovalSettings(TypedDict):
    """Which kinds of prompts are allowed under the `granular` approval policy (`false` = auto-reject)."""

    sandbox_approval: bool
    rules: bool
    skill_approval: bool
    request_permissions: bool
    mcp_elicitations: bool


class GranularAskForApproval(TypedDict):
    """The `{"granular": {...}}` form of the approval policy."""

    granular: GranularApprovalSettings


class DangerFullAccessPolicy(TypedDict):
    """No sandbox at all."""

    type: Literal["danger-full-access"]


class ReadOnlyPolicy(TypedDict):
    """Read the whole disk, write nothing."""

    type: Literal["read-only"]
    network_access: NotRequired[bool]


class ExternalSandboxPolicy(TypedDict):
    """Codex already runs inside an external sandbox: full disk access, network as configured."""

    type: Literal["external-sandbox"]
    network_access: NetworkAccess


class WorkspaceWritePolicy(TypedDict):
    """Write inside cwd, `writable_roots`, `$TMPDIR` and `/tmp` (unless excluded)."""

    type: Literal["workspace-write"]
    writable_roots: list[str]
    """Extra absolute paths that are writable besides cwd."""
    network_access: bool
    exclude_tmpdir_env_var: bool
    exclude_slash_tmp: bool


SandboxPolicy: TypeAlias = Annotated[
    DangerFullAccessPolicy | ReadOnlyPolicy | ExternalSandboxPolicy | WorkspaceWritePolicy, BY_TYPE
]
"""Codex's `SandboxPolicy`, tagged by `type` (kebab-case)."""


class ExecPolicyAmendment(TypedDict):
    """Payload of the `approved_execpolicy_amendment` decision."""

    proposed_execpolicy_amendment: list[str]
    """Command prefix the user allows from now on."""
    scope: NotRequired[Literal["session", "project", "global"]]
    """Where pycodex keeps the rule (an extension; Codex always writes `$CODEX_HOME/rules/default.rules`)."""


class ApprovedExecPolicyAmendmentDecision(TypedDict):
    """`{"approved_execpolicy_amendment": {"proposed_execpolicy_amendment": [...]}}`."""

    approved_execpolicy_amendment: ExecPolicyAmendment


class NetworkPolicyAmendment(TypedDict):
    """A host rule the user approved or denied."""

    host: str
    action: Literal["allow", "deny"]


class NetworkPolicyAmendmentPayload(TypedDict):
    """Payload of the `network_policy_amendment` decision."""

    network_policy_amendment: NetworkPolicyAmendment


class NetworkPolicyAmendmentDecision(TypedDict):
    """`{"network_policy_amendment": {"network_policy_amendment": {"host": ..., "action": ...}}}`."""

    network_policy_amendment: NetworkPolicyAmendmentPayload


ReviewDecisionName: TypeAlias = Literal["approved", "approved_for_session", "denied", "timed_out", "abort"]
"""The plain-string review decisions."""

ReviewDecision: TypeAlias = ReviewDecisionName | ApprovedExecPolicyAmendmentDecision | NetworkPolicyAmendmentDecision
"""The user's answer to an approval request (serde externally tagged: strings or one-key objects)."""

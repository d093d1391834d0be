"""The pycodex engine: sessions, turn loop, tools, rollouts.

```python
async with Codex.start(config) as codex:
    await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "hi", "text_elements": []}]})
    async for event in codex.events():
        ...
```
"""

from ._agents_md import discover_agents_files, load_user_instructions
from ._approval_flow import PolicyApprovalBroker, TranscriptObserver
from ._approvals import ApprovalBroker, ApprovalStore
from ._auto_review import AutoReviewer, ReviewAssessment, ReviewOutcome
from ._channel import EventChannel
from ._codex import Codex, ModelTransport
from ._context import ToolCall, TurnContext, TurnState
from ._exec_policy import PolicyApprovalRequirement, RememberScope
from ._exec_types import (
    DefaultApprovalRequirement,
    ExecApprovalRequirement,
    ExecAssessment,
    ExecRequest,
    Forbidden,
    NeedsApproval,
    NoSandbox,
    Refusal,
    SandboxDenial,
    SandboxPermissions,
    SandboxStep,
    Skip,
    SpawnPlan,
)
from ._history import user_turn_texts
from ._observers import SessionObserver
from ._orchestrator import ExecOrchestrator
from ._profiles import DEFAULT_PROFILE, SMALL_LOCAL_PROFILE, PromptProfile, select_prompt_profile
from ._prompts import BASE_INSTRUCTIONS
from ._review import REVIEW_INSTRUCTIONS, ReviewTarget, ReviewTransport, format_review, review_prompt
from ._rollout import RolloutState, find_latest_rollout, find_rollout, read_rollout
from ._services import Emitter, SessionServices
from ._tools._registry import ToolHandler, ToolInvocation, ToolOutput, ToolRegistry, ToolServices, ToolSpec
from .errors import CodexCoreError, RolloutError, SessionClosed

__all__ = [
    "ApprovalBroker",
    "ApprovalStore",
    "AutoReviewer",
    "BASE_INSTRUCTIONS",
    "Codex",
    "CodexCoreError",
    "DEFAULT_PROFILE",
    "DefaultApprovalRequirement",
    "Emitter",
    "EventChannel",
    "ExecApprovalRequirement",
    "ExecAssessment",
    "ExecOrchestrator",
    "ExecRequest",
    "Forbidden",
    "ModelTransport",
    "NeedsApproval",
    "NoSandbox",
    "PolicyApprovalBroker",
    "PolicyApprovalRequirement",
    "PromptProfile",
    "REVIEW_INSTRUCTIONS",
    "Refusal",
    "RememberScope",
    "ReviewAssessment",
    "ReviewOutcome",
    "ReviewTarget",
    "ReviewTransport",
    "RolloutError",
    "RolloutState",
    "SMALL_LOCAL_PROFILE",
    "SandboxDenial",
    "SandboxPermissions",
    "SandboxStep",
    "SessionClosed",
    "SessionObserver",
    "SessionServices",
    "Skip",
    "SpawnPlan",
    "ToolCall",
    "ToolHandler",
    "ToolInvocation",
    "ToolOutput",
    "ToolRegistry",
    "ToolServices",
    "ToolSpec",
    "TranscriptObserver",
    "TurnContext",
    "TurnState",
    "discover_agents_files",
    "find_latest_rollout",
    "find_rollout",
    "format_review",
    "load_user_instructions",
    "read_rollout",
    "review_prompt",
    "select_prompt_profile",
    "user_turn_texts",
]

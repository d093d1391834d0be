"""Submission queue types (Codex's SQ): `Submission {id, op}`, the `Op` variants and `UserInput`."""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, NotRequired, TypeAlias, TypedDict

from ._policy import (
    ApprovalsReviewer,
    AskForApproval,
    GranularAskForApproval,
    ReasoningEffort,
    ReasoningSummary,
    ReviewDecision,
    SandboxPolicy,
)
from ._tags import BY_TYPE

logger = logging.getLogger(__name__)


class TextInput(TypedDict):
    """Text typed by the user; `text_elements` marks placeholders (byte ranges) inside it."""

    type: Literal["text"]
    text: str
    text_elements: list[dict[str, Any]]


class ImageInput(TypedDict):
    """An image given as a URL or `data:` URL."""

    type: Literal["image"]
    image_url: str


class LocalImageInput(TypedDict):
    """An image file on disk; core reads and encodes it."""

    type: Literal["local_image"]
    path: str


class SkillInput(TypedDict):
    """A skill the user selected explicitly."""

    type: Literal["skill"]
    name: str
    path: str


class MentionInput(TypedDict):
    """A mentioned file or resource."""

    type: Literal["mention"]
    name: str
    path: str


UserInput: TypeAlias = Annotated[TextInput | ImageInput | LocalImageInput | SkillInput | MentionInput, BY_TYPE]
"""One part of the user's input, tagged by `type`."""


class UserInputOp(TypedDict):
    """Start a turn with the session's default settings."""

    type: Literal["user_input"]
    items: list[UserInput]
    final_output_json_schema: NotRequired[dict[str, Any] | None]


class UserTurnOp(TypedDict):
    """Start a turn with a full per-turn context (the preferred form)."""

    type: Literal["user_turn"]
    items: list[UserInput]
    cwd: str
    approval_policy: AskForApproval | GranularAskForApproval
    approvals_reviewer: NotRequired[ApprovalsReviewer | None]
    sandbox_policy: SandboxPolicy
    permission_profile: NotRequired[dict[str, Any] | None]
    model: str
    effort: NotRequired[ReasoningEffort | None]
    summary: NotRequired[ReasoningSummary | None]
    service_tier: NotRequired[str | None]
    final_output_json_schema: NotRequired[dict[str, Any] | None]
    collaboration_mode: NotRequired[dict[str, Any] | None]
    personality: NotRequired[str | None]


class OverrideTurnContextOp(TypedDict):
    """Change the defaults of later turns without starting one; `None` clears a setting."""

    type: Literal["override_turn_context"]
    cwd: NotRequired[str | None]
    approval_policy: NotRequired[AskForApproval | GranularAskForApproval | None]
    approvals_reviewer: NotRequired[ApprovalsReviewer | None]
    sandbox_policy: NotRequired[SandboxPolicy | None]
    permission_profile: NotRequired[dict[str, Any] | None]
    windows_sandbox_level: NotRequired[str | None]
    model: NotRequired[str | None]
    effort: NotRequired[ReasoningEffort | None]
    summary: NotRequired[ReasoningSummary | None]
    service_tier: NotRequired[str | None]
    collaboration_mode: NotRequired[dict[str, Any] | None]
    personality: NotRequired[str | None]


class InterruptOp(TypedDict):
    """Abort the running turn; core answers with `turn_aborted`."""

    type: Literal["interrupt"]


class ExecApprovalOp(TypedDict):
    """Answer an `exec_approval_request` (`id` is its `call_id` or `approval_id`)."""

    type: Literal["exec_approval"]
    id: str
    turn_id: NotRequired[str | None]
    decision: ReviewDecision


class PatchApprovalOp(TypedDict):
    """Answer an `apply_patch_approval_request`."""

    type: Literal["patch_approval"]
    id: str
    decision: ReviewDecision


class CompactOp(TypedDict):
    """Summarise the history now (`/compact`)."""

    type: Literal["compact"]


class UndoOp(TypedDict):
    """Undo the last turn's file changes."""

    type: Literal["undo"]


class ThreadRollbackOp(TypedDict):
    """Drop the last `num_turns` user turns from the context."""

    type: Literal["thread_rollback"]
    num_turns: int


class AddToHistoryOp(TypedDict):
    """Append a line to the global message history."""

    type: Literal["add_to_history"]
    text: str


class SetThreadNameOp(TypedDict):
    """Name the thread."""

    type: Literal["set_thread_name"]
    name: str


class RunUserShellCommandOp(TypedDict):
    """Run a command the user typed (`!cmd` in the TUI); output comes as `exec_command_*`."""

    type: Literal["run_user_shell_command"]
    command: str


class CleanBackgroundTerminalsOp(TypedDict):
    """Kill every background process started by unified exec."""

    type: Literal["clean_background_terminals"]


class ShutdownOp(TypedDict):
    """Stop the session; core answers with `shutdown_complete`."""

    type: Literal["shutdown"]


Op: TypeAlias = Annotated[
    UserInputOp
    | UserTurnOp
    | OverrideTurnContextOp
    | InterruptOp
    | ExecApprovalOp
    | PatchApprovalOp
    | CompactOp
    | UndoOp
    | ThreadRollbackOp
    | AddToHistoryOp
    | SetThreadNameOp
    | RunUserShellCommandOp
    | CleanBackgroundTerminalsOp
    | ShutdownOp,
    BY_TYPE,
]
"""Any operation a front end submits to core, tagged by `type`."""


class TraceContext(TypedDict):
    """W3C trace context propagated with a submission."""

    traceparent: NotRequired[str | None]
    tracestate: NotRequired[str | None]


class Submission(TypedDict):
    """One entry of the submission queue; events answering it carry the same `id`."""

    id: str
    op: Op
    trace: NotRequired[TraceContext | None]

"""Event queue types (Codex's EQ): `Event {id, msg}` and the `EventMsg` payloads core emits.

Each payload is named like Codex's Rust struct and tagged with its snake_case wire name in
`type`. Optional Rust fields are `NotRequired`; where Codex prints `null` rather than omitting
the key, the value type also allows `None`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, NotRequired, TypeAlias, TypedDict

from ._policy import (
    ApprovalsReviewer,
    AskForApproval,
    GranularAskForApproval,
    ReasoningEffort,
    ReviewDecision,
    SandboxPolicy,
)
from ._tags import BY_TYPE

logger = logging.getLogger(__name__)


class TokenUsage(TypedDict):
    """Token counts of one model response or of a whole thread."""

    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: NotRequired[int]
    """Added in Codex 0.169."""
    output_tokens: int
    reasoning_output_tokens: int
    total_tokens: int


class TokenUsageInfo(TypedDict):
    """Thread total and last response usage, as reported by `token_count`."""

    total_token_usage: TokenUsage
    last_token_usage: TokenUsage
    model_context_window: NotRequired[int | None]


class RateLimitWindow(TypedDict):
    """Usage of one rate-limit window."""

    used_percent: float
    window_minutes: NotRequired[int | None]
    resets_at: NotRequired[int | None]
    """Unix time in seconds."""


class RateLimitSnapshot(TypedDict):
    """Rate-limit state reported by the provider (ChatGPT plans)."""

    limit_id: NotRequired[str | None]
    limit_name: NotRequired[str | None]
    primary: NotRequired[RateLimitWindow | None]
    secondary: NotRequired[RateLimitWindow | None]
    credits: NotRequired[dict[str, Any] | None]
    plan_type: NotRequired[str | None]
    rate_limit_reached_type: NotRequired[str | None]


CodexErrorInfoName: TypeAlias = Literal[
    "context_window_exceeded",
    "usage_limit_exceeded",
    "server_overloaded",
    "cyber_policy",
    "internal_server_error",
    "unauthorized",
    "bad_request",
    "sandbox_error",
    "thread_rollback_failed",
    "other",
]
"""Error kinds without a payload."""

CodexErrorInfo: TypeAlias = CodexErrorInfoName | dict[str, dict[str, Any]]
"""Machine-readable error kind: a name, or `{"http_connection_failed": {"http_status_code": 500}}`-style objects."""


class Duration(TypedDict):
    """A Rust `std::time::Duration` as serde writes it."""

    secs: int
    nanos: int


# ---------------------------------------------------------------- lifecycle


class SessionConfiguredEvent(TypedDict):
    """First event of every session: the effective settings."""

    type: Literal["session_configured"]
    session_id: str
    forked_from_id: NotRequired[str | None]
    thread_name: NotRequired[str | None]
    model: str
    model_provider_id: str
    service_tier: NotRequired[str | None]
    approval_policy: AskForApproval | GranularAskForApproval
    approvals_reviewer: ApprovalsReviewer
    sandbox_policy: SandboxPolicy
    permission_profile: NotRequired[dict[str, Any] | None]
    cwd: str
    reasoning_effort: NotRequired[ReasoningEffort | None]
    history_log_id: int
    history_entry_count: int
    initial_messages: NotRequired[list[EventMsg] | None]
    network_proxy: NotRequired[dict[str, Any] | None]
    rollout_path: NotRequired[str | None]


class TaskStartedEvent(TypedDict):
    """A turn started (Rust `TurnStarted`)."""

    type: Literal["task_started"]
    turn_id: str
    started_at: NotRequired[int | None]
    model_context_window: NotRequired[int | None]
    collaboration_mode_kind: str


class TaskCompleteEvent(TypedDict):
    """A turn completed (Rust `TurnComplete`)."""

    type: Literal["task_complete"]
    turn_id: str
    last_agent_message: NotRequired[str | None]
    completed_at: NotRequired[int | None]
    duration_ms: NotRequired[int | None]
    time_to_first_token_ms: NotRequired[int | None]


class TurnAbortedEvent(TypedDict):
    """A turn stopped early."""

    type: Literal["turn_aborted"]
    turn_id: NotRequired[str | None]
    reason: Literal["interrupted", "replaced", "review_ended", "budget_limited"]
    completed_at: NotRequired[int | None]
    duration_ms: NotRequired[int | None]


class ShutdownCompleteEvent(TypedDict):
    """Reply to the `shutdown` op; nothing follows."""

    type: Literal["shutdown_complete"]


class ContextCompactedEvent(TypedDict):
    """History was compacted."""

    type: Literal["context_compacted"]


# ---------------------------------------------------------------- model output


class AgentMessageEvent(TypedDict):
    """A complete assistant message."""

    type: Literal["agent_message"]
    message: str
    phase: NotRequired[Literal["commentary", "final_answer"] | None]
    memory_citation: NotRequired[Any]


class AgentMessageDeltaEvent(TypedDict):
    """Streamed text of the assistant message in progress."""

    type: Literal["agent_message_delta"]
    delta: str


class AgentReasoningEvent(TypedDict):
    """A complete reasoning summary part."""

    type: Literal["agent_reasoning"]
    text: str


class AgentReasoningDeltaEvent(TypedDict):
    """Streamed reasoning summary text."""

    type: Literal["agent_reasoning_delta"]
    delta: str


class AgentReasoningRawContentEvent(TypedDict):
    """A complete raw reasoning part (only when `show_raw_agent_reasoning` is on)."""

    type: Literal["agent_reasoning_raw_content"]
    text: str


class UserMessageEvent(TypedDict):
    """The user's input, as recorded in history."""

    type: Literal["user_message"]
    message: str
    images: NotRequired[list[str] | None]
    local_images: list[str]
    text_elements: list[dict[str, Any]]


# ---------------------------------------------------------------- commands


class ReadCommand(TypedDict):
    """A command recognised as reading one file."""

    type: Literal["read"]
    cmd: str
    name: str
    path: str


class ListFilesCommand(TypedDict):
    """A command recognised as listing files."""

    type: Literal["list_files"]
    cmd: str
    path: NotRequired[str | None]


class SearchCommand(TypedDict):
    """A command recognised as a text search."""

    type: Literal["search"]
    cmd: str
    query: NotRequired[str | None]
    path: NotRequired[str | None]


class UnknownCommand(TypedDict):
    """Any other command."""

    type: Literal["unknown"]
    cmd: str


ParsedCommand: TypeAlias = Annotated[ReadCommand | ListFilesCommand | SearchCommand | UnknownCommand, BY_TYPE]
"""What a command line does, for compact display."""

ExecCommandSource: TypeAlias = Literal["agent", "user_shell", "unified_exec_startup", "unified_exec_interaction"]
"""Who started a command."""


class ExecCommandBeginEvent(TypedDict):
    """A command is about to run."""

    type: Literal["exec_command_begin"]
    call_id: str
    process_id: NotRequired[str | None]
    turn_id: str
    command: list[str]
    cwd: str
    parsed_cmd: list[ParsedCommand]
    source: ExecCommandSource
    interaction_input: NotRequired[str | None]


class ExecCommandOutputDeltaEvent(TypedDict):
    """A chunk of a running command's output."""

    type: Literal["exec_command_output_delta"]
    call_id: str
    stream: Literal["stdout", "stderr"]
    chunk: str
    """The bytes, base64-encoded."""


class TerminalInteractionEvent(TypedDict):
    """The model wrote to a running unified-exec process (`write_stdin`)."""

    type: Literal["terminal_interaction"]
    call_id: str
    """The call that started the process."""
    process_id: str
    stdin: str
    """What was written."""


class ExecCommandEndEvent(TypedDict):
    """A command finished (or was declined)."""

    type: Literal["exec_command_end"]
    call_id: str
    process_id: NotRequired[str | None]
    turn_id: str
    command: list[str]
    cwd: str
    parsed_cmd: NotRequired[list[ParsedCommand]]
    source: NotRequired[ExecCommandSource]
    interaction_input: NotRequired[str | None]
    stdout: str
    stderr: str
    aggregated_output: str
    """stdout and stderr interleaved in arrival order."""
    exit_code: int
    duration: Duration
    formatted_output: str
    """The output as the model sees it."""
    status: Literal["completed", "failed", "declined"]


class ExecApprovalRequestEvent(TypedDict):
    """Core asks whether it may run a command; answer with the `exec_approval` op."""

    type: Literal["exec_approval_request"]
    call_id: str
    approval_id: NotRequired[str | None]
    turn_id: str
    command: list[str]
    cwd: str
    reason: NotRequired[str | None]
    network_approval_context: NotRequired[dict[str, Any] | None]
    proposed_execpolicy_amendment: NotRequired[list[str] | None]
    proposed_network_policy_amendments: NotRequired[list[dict[str, Any]] | None]
    additional_permissions: NotRequired[dict[str, Any] | None]
    available_decisions: NotRequired[list[ReviewDecision] | None]
    parsed_cmd: list[ParsedCommand]


# ---------------------------------------------------------------- patches


class AddFileChange(TypedDict):
    """A new file and its content."""

    type: Literal["add"]
    content: str


class DeleteFileChange(TypedDict):
    """A deleted file and its old content."""

    type: Literal["delete"]
    content: str


class UpdateFileChange(TypedDict):
    """An edited (and maybe moved) file."""

    type: Literal["update"]
    unified_diff: str
    move_path: NotRequired[str | None]


FileChange: TypeAlias = Annotated[AddFileChange | DeleteFileChange | UpdateFileChange, BY_TYPE]
"""One file's change in a patch; the map key is the absolute path."""


class ApplyPatchApprovalRequestEvent(TypedDict):
    """Core asks whether it may apply a patch; answer with the `patch_approval` op."""

    type: Literal["apply_patch_approval_request"]
    call_id: str
    turn_id: str
    changes: dict[str, FileChange]
    reason: NotRequired[str | None]
    grant_root: NotRequired[str | None]


class PatchApplyBeginEvent(TypedDict):
    """A patch is about to be applied."""

    type: Literal["patch_apply_begin"]
    call_id: str
    turn_id: str
    auto_approved: bool
    changes: dict[str, FileChange]


class PatchApplyEndEvent(TypedDict):
    """A patch was applied (or failed, or was declined)."""

    type: Literal["patch_apply_end"]
    call_id: str
    turn_id: str
    stdout: str
    stderr: str
    success: bool
    changes: dict[str, FileChange]
    status: Literal["completed", "failed", "declined"]


class TurnDiffEvent(TypedDict):
    """The aggregate diff of every edit made in the turn so far."""

    type: Literal["turn_diff"]
    unified_diff: str


class ViewImageToolCallEvent(TypedDict):
    """The model attached a local image with `view_image`."""

    type: Literal["view_image_tool_call"]
    call_id: str
    path: str
    """Absolute path of the image."""


class PlanItem(TypedDict):
    """One step of an `update_plan` plan."""

    step: str
    status: Literal["pending", "in_progress", "completed"]


class PlanUpdateEvent(TypedDict):
    """The model called `update_plan` (payload = its arguments)."""

    type: Literal["plan_update"]
    explanation: NotRequired[str | None]
    plan: list[PlanItem]


# ---------------------------------------------------------------- MCP and web search


class McpInvocation(TypedDict):
    """Which MCP tool is called, with which arguments."""

    server: str
    tool: str
    arguments: NotRequired[Any]


class McpToolCallBeginEvent(TypedDict):
    """An MCP tool call starts."""

    type: Literal["mcp_tool_call_begin"]
    call_id: str
    invocation: McpInvocation
    mcp_app_resource_uri: NotRequired[str | None]


class McpToolCallEndEvent(TypedDict):
    """An MCP tool call ended; `result` is `{"Ok": CallToolResult}` or `{"Err": "message"}`."""

    type: Literal["mcp_tool_call_end"]
    call_id: str
    invocation: McpInvocation
    mcp_app_resource_uri: NotRequired[str | None]
    duration: Duration
    result: dict[str, Any]


class McpStartupStatus(TypedDict):
    """Where one MCP server's start-up is: `starting`, `ready`, `failed` (with `error`) or `cancelled`."""

    state: Literal["starting", "ready", "failed", "cancelled"]
    error: NotRequired[str]


class McpStartupUpdateEvent(TypedDict):
    """An MCP server's start-up moved on."""

    type: Literal["mcp_startup_update"]
    server: str
    status: McpStartupStatus


class McpStartupFailure(TypedDict):
    """A server that failed to start, and why."""

    server: str
    error: str


class McpStartupCompleteEvent(TypedDict):
    """Every configured MCP server has finished starting (ready or not)."""

    type: Literal["mcp_startup_complete"]
    ready: list[str]
    failed: list[McpStartupFailure]
    cancelled: list[str]


class WebSearchBeginEvent(TypedDict):
    """A hosted web search started."""

    type: Literal["web_search_begin"]
    call_id: str


class WebSearchEndEvent(TypedDict):
    """A hosted web search ended."""

    type: Literal["web_search_end"]
    call_id: str
    query: str
    action: dict[str, Any]


# ---------------------------------------------------------------- status


class TokenCountEvent(TypedDict):
    """Token usage after a model response; `info` and `rate_limits` may be `null`."""

    type: Literal["token_count"]
    info: NotRequired[TokenUsageInfo | None]
    rate_limits: NotRequired[RateLimitSnapshot | None]


class ErrorEvent(TypedDict):
    """A fatal error of the turn."""

    type: Literal["error"]
    message: str
    codex_error_info: NotRequired[CodexErrorInfo | None]


class StreamErrorEvent(TypedDict):
    """A retryable stream problem; `message` is like `Reconnecting... 1/5`."""

    type: Literal["stream_error"]
    message: str
    codex_error_info: NotRequired[CodexErrorInfo | None]
    additional_details: NotRequired[str | None]


class GuardianAssessmentEvent(TypedDict):
    """The automatic approval reviewer's judgement of a pending action (`approvals_reviewer = "auto_review"`)."""

    type: Literal["guardian_assessment"]
    id: str
    """The assessment (the approval's call id)."""
    turn_id: str
    status: Literal["in_progress", "approved", "denied", "timed_out", "aborted"]
    """`in_progress` when the review starts, then its result."""
    risk_level: NotRequired[Literal["low", "medium", "high", "critical"] | None]
    user_authorization: NotRequired[Literal["unknown", "low", "medium", "high"] | None]
    rationale: NotRequired[str | None]
    decision_source: NotRequired[Literal["agent", "user"] | None]
    """Who decided: the reviewer (`agent`), or the user after the reviewer escalated."""
    action: NotRequired[dict[str, Any] | None]
    """What was reviewed (`{"type": "command", "command": [...], "cwd": ...}` or a patch)."""


class ThreadRolledBackEvent(TypedDict):
    """The last `num_turns` user turns were dropped from the thread's context (`thread_rollback`)."""

    type: Literal["thread_rolled_back"]
    num_turns: int


class WarningEvent(TypedDict):
    """A non-fatal warning for the user."""

    type: Literal["warning"]
    message: str


class BackgroundEvent(TypedDict):
    """An informational notice."""

    type: Literal["background_event"]
    message: str


class DeprecationNoticeEvent(TypedDict):
    """A deprecated setting or feature was used."""

    type: Literal["deprecation_notice"]
    summary: str
    details: NotRequired[str | None]


EventMsg: TypeAlias = Annotated[
    SessionConfiguredEvent
    | TaskStartedEvent
    | TaskCompleteEvent
    | TurnAbortedEvent
    | ShutdownCompleteEvent
    | ContextCompactedEvent
    | AgentMessageEvent
    | AgentMessageDeltaEvent
    | AgentReasoningEvent
    | AgentReasoningDeltaEvent
    | AgentReasoningRawContentEvent
    | UserMessageEvent
    | ExecCommandBeginEvent
    | ExecCommandOutputDeltaEvent
    | TerminalInteractionEvent
    | ExecCommandEndEvent
    | ExecApprovalRequestEvent
    | ApplyPatchApprovalRequestEvent
    | PatchApplyBeginEvent
    | PatchApplyEndEvent
    | TurnDiffEvent
    | ViewImageToolCallEvent
    | PlanUpdateEvent
    | McpToolCallBeginEvent
    | McpToolCallEndEvent
    | McpStartupUpdateEvent
    | McpStartupCompleteEvent
    | WebSearchBeginEvent
    | WebSearchEndEvent
    | TokenCountEvent
    | ErrorEvent
    | StreamErrorEvent
    | WarningEvent
    | GuardianAssessmentEvent
    | BackgroundEvent
    | DeprecationNoticeEvent
    | ThreadRolledBackEvent,
    BY_TYPE,
]
"""Any event payload, tagged by `type`."""


class Event(TypedDict):
    """One event on the event queue; `id` is the id of the submission it answers."""

    id: str
    msg: EventMsg

"""The `codex exec --json` stream: one JSON object per stdout line.

Mirrors Codex's `exec/src/exec_events.rs`. Every line is a `ThreadEvent` tagged by `type`
(`thread.started`, `turn.started`, `turn.completed`, `turn.failed`, `item.started`,
`item.updated`, `item.completed`, `error`). `item.*` events carry a `ThreadItem`: a dict
whose first two keys are `id` (`"item_0"`, `"item_1"`, … in order of first appearance) and
`type`, followed by the type's own keys. The key order of every TypedDict here is the order
Codex prints, so `dumps_event` of a dict built in that order reproduces Codex's line byte for
byte.

## The `web_search` item quirk

Codex flattens its item details into the item, and the web search details have their own `id`
(the provider's search id), so Codex prints two `"id"` keys in one object:

    {"id":"item_1","type":"web_search","id":"ws_1","query":"weather sf","action":{...}}

Standard JSON parsers (`json.loads`, JavaScript's `JSON.parse`) keep the **last** duplicate, so
a reader of Codex's stream sees `"id": "ws_1"`, and the item id is lost. pycodex prints valid
JSON with a single `id`, the item id (`item_N`), so ids stay unique and `item.started` /
`item.completed` pairs match; the provider's search id is not printed (it is still available
to in-process consumers as `call_id` of the `web_search_end` event). `loads_event_line`
parses Codex's lines the same way (first duplicate wins), which makes the two streams
comparable.

Validation and the JSON Schema of this stream are in `pycodex_protocol.schema`
(`thread_event_adapter()`, `exec_events_json_schema()`); this module imports nothing but
`typing`.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, NotRequired, TypeAlias, TypedDict

from ._tags import BY_TYPE
from .errors import ProtocolError

logger = logging.getLogger(__name__)

__all__ = [
    "AgentMessageItem",
    "CollabAgentState",
    "CollabToolCallItem",
    "CommandExecutionItem",
    "CommandExecutionStatus",
    "ErrorItem",
    "FileChangeItem",
    "FileUpdateChange",
    "ItemCompletedEvent",
    "ItemStartedEvent",
    "ItemUpdatedEvent",
    "McpToolCallItem",
    "McpToolCallItemError",
    "McpToolCallItemResult",
    "McpToolCallStatus",
    "PatchApplyStatus",
    "PatchChangeKind",
    "ReasoningItem",
    "ThreadError",
    "ThreadErrorEvent",
    "ThreadEvent",
    "ThreadItem",
    "ThreadStartedEvent",
    "TodoItem",
    "TodoListItem",
    "TurnCompletedEvent",
    "TurnFailedEvent",
    "TurnStartedEvent",
    "Usage",
    "WebSearchAction",
    "WebSearchFindInPageAction",
    "WebSearchItem",
    "WebSearchOpenPageAction",
    "WebSearchOtherAction",
    "WebSearchSearchAction",
    "dumps_event",
    "loads_event_line",
]

CommandExecutionStatus: TypeAlias = Literal["in_progress", "completed", "failed", "declined"]
"""Status of a `CommandExecutionItem`; `failed` means a non-zero exit code."""

PatchApplyStatus: TypeAlias = Literal["in_progress", "completed", "failed"]
"""Status of a `FileChangeItem` (a declined patch is `failed`)."""

PatchChangeKind: TypeAlias = Literal["add", "delete", "update"]
"""What happened to one file."""

McpToolCallStatus: TypeAlias = Literal["in_progress", "completed", "failed"]
"""Status of a `McpToolCallItem`."""


# ---------------------------------------------------------------- items


class AgentMessageItem(TypedDict):
    """A final assistant message (printed on `item.completed` only; deltas are not printed)."""

    id: str
    """Item id, `item_N`."""
    type: Literal["agent_message"]
    text: str
    """The message; with `--output-schema`, the JSON text."""


class ReasoningItem(TypedDict):
    """A reasoning summary (printed on `item.completed` only; skipped when empty)."""

    id: str
    """Item id, `item_N`."""
    type: Literal["reasoning"]
    text: str
    """Summary parts joined with `\\n`."""


class CommandExecutionItem(TypedDict):
    """A shell command run by the agent."""

    id: str
    """Item id, `item_N`."""
    type: Literal["command_execution"]
    command: str
    """The command line as one string, e.g. `/bin/bash -lc 'echo hi'`."""
    aggregated_output: str
    """stdout and stderr in arrival order (empty while running)."""
    exit_code: int | None
    """`null` while running."""
    status: CommandExecutionStatus


class FileUpdateChange(TypedDict):
    """One file touched by a patch."""

    path: str
    """Absolute path."""
    kind: PatchChangeKind


class FileChangeItem(TypedDict):
    """One `apply_patch` call."""

    id: str
    """Item id, `item_N`."""
    type: Literal["file_change"]
    changes: list[FileUpdateChange]
    status: PatchApplyStatus


class McpToolCallItemResult(TypedDict):
    """Result of a successful MCP tool call."""

    content: list[dict[str, Any]]
    """MCP content blocks (`{"type":"text","text":...}`, …)."""
    structured_content: Any
    """The tool's structured result, or `null`."""


class McpToolCallItemError(TypedDict):
    """Why an MCP tool call failed."""

    message: str


class McpToolCallItem(TypedDict):
    """A call of a tool of an MCP server."""

    id: str
    """Item id, `item_N`."""
    type: Literal["mcp_tool_call"]
    server: str
    tool: str
    arguments: Any
    """The JSON arguments passed to the tool."""
    result: McpToolCallItemResult | None
    error: McpToolCallItemError | None
    status: McpToolCallStatus


class CollabAgentState(TypedDict):
    """State of one sub-agent in a `CollabToolCallItem`."""

    status: str
    message: str | None


class CollabToolCallItem(TypedDict):
    """A multi-agent tool call (spawn, message, wait for, or close a sub-agent)."""

    id: str
    """Item id, `item_N`."""
    type: Literal["collab_tool_call"]
    tool: Literal["spawn_agent", "send_input", "wait", "close_agent"]
    sender_thread_id: str
    receiver_thread_ids: list[str]
    prompt: str | None
    agents_states: dict[str, CollabAgentState]
    status: McpToolCallStatus


class WebSearchSearchAction(TypedDict):
    """The provider searched for `query` (or several `queries`)."""

    type: Literal["search"]
    query: NotRequired[str | None]
    queries: NotRequired[list[str] | None]


class WebSearchOpenPageAction(TypedDict):
    """The provider opened a page."""

    type: Literal["open_page"]
    url: NotRequired[str | None]


class WebSearchFindInPageAction(TypedDict):
    """The provider searched inside a page."""

    type: Literal["find_in_page"]
    url: NotRequired[str | None]
    pattern: NotRequired[str | None]


class WebSearchOtherAction(TypedDict):
    """Any other web search action."""

    type: Literal["other"]


WebSearchAction: TypeAlias = Annotated[
    WebSearchSearchAction | WebSearchOpenPageAction | WebSearchFindInPageAction | WebSearchOtherAction, BY_TYPE
]
"""What a hosted web search did, tagged by `type`."""


class WebSearchItem(TypedDict):
    """A hosted web search. Codex prints a second `id` (the provider's); see the module docstring."""

    id: str
    """Item id, `item_N`."""
    type: Literal["web_search"]
    query: str
    action: WebSearchAction


class TodoItem(TypedDict):
    """One step of the agent's plan."""

    text: str
    completed: bool


class TodoListItem(TypedDict):
    """The agent's plan: `item.started` at the first `update_plan`, `item.updated` later, completed at turn end."""

    id: str
    """Item id, `item_N`."""
    type: Literal["todo_list"]
    items: list[TodoItem]


class ErrorItem(TypedDict):
    """A non-fatal notice (config warning, unknown model metadata, …)."""

    id: str
    """Item id, `item_N`."""
    type: Literal["error"]
    message: str


ThreadItem: TypeAlias = Annotated[
    AgentMessageItem
    | ReasoningItem
    | CommandExecutionItem
    | FileChangeItem
    | McpToolCallItem
    | CollabToolCallItem
    | WebSearchItem
    | TodoListItem
    | ErrorItem,
    BY_TYPE,
]
"""Any item, tagged by `type`."""


# ---------------------------------------------------------------- events


class ThreadStartedEvent(TypedDict):
    """First line: the thread id (usable with `codex exec resume`)."""

    type: Literal["thread.started"]
    thread_id: str


class TurnStartedEvent(TypedDict):
    """A turn started."""

    type: Literal["turn.started"]


class Usage(TypedDict):
    """Token usage of the thread so far (summed over model responses; no `total_tokens`)."""

    input_tokens: int
    cached_input_tokens: int
    cache_write_input_tokens: int
    output_tokens: int
    reasoning_output_tokens: int


class TurnCompletedEvent(TypedDict):
    """The turn completed; the process exits 0 after it."""

    type: Literal["turn.completed"]
    usage: Usage


class ThreadError(TypedDict):
    """The error of a failed turn."""

    message: str


class TurnFailedEvent(TypedDict):
    """The turn failed; the process exits 1 after it."""

    type: Literal["turn.failed"]
    error: ThreadError


class ItemStartedEvent(TypedDict):
    """An item started (commands, file changes, plans)."""

    type: Literal["item.started"]
    item: ThreadItem


class ItemUpdatedEvent(TypedDict):
    """An item changed (plans)."""

    type: Literal["item.updated"]
    item: ThreadItem


class ItemCompletedEvent(TypedDict):
    """An item completed."""

    type: Literal["item.completed"]
    item: ThreadItem


class ThreadErrorEvent(TypedDict):
    """An error notice: stream retries (`Reconnecting... 1/5 (…)`) and the final error."""

    type: Literal["error"]
    message: str


ThreadEvent: TypeAlias = Annotated[
    ThreadStartedEvent
    | TurnStartedEvent
    | TurnCompletedEvent
    | TurnFailedEvent
    | ItemStartedEvent
    | ItemUpdatedEvent
    | ItemCompletedEvent
    | ThreadErrorEvent,
    BY_TYPE,
]
"""Any line of the `codex exec --json` stream, tagged by `type`."""


def dumps_event(event: ThreadEvent) -> str:
    """Serialize an event as Codex prints it: compact, non-ASCII kept as UTF-8, no newline.

    Args:
        event: The event; its keys are printed in dict order.

    Returns:
        The JSON line without the trailing newline.
    """
    import json

    return json.dumps(event, ensure_ascii=False, separators=(",", ":"))


def loads_event_line(line: str | bytes) -> dict[str, Any]:
    """Parse one line of a `codex exec --json` stream without validating it.

    Unlike `json.loads`, a duplicate key keeps its **first** value, so Codex's `web_search`
    items (which carry two `"id"` keys) keep their item id. Validate the result with
    `pycodex_protocol.schema.thread_event_adapter()` when needed.

    Args:
        line: One line, with or without its newline.

    Returns:
        The parsed object.

    Raises:
        ProtocolError: The line is not a JSON object.
    """
    import json

    def first_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj: dict[str, Any] = {}
        for key, value in pairs:
            obj.setdefault(key, value)
        return obj

    try:
        value = json.loads(line, object_pairs_hook=first_wins)
    except ValueError as exc:
        raise ProtocolError(f"not a JSON line: {exc}") from exc
    if not isinstance(value, dict):
        raise ProtocolError(f"expected a JSON object, got {type(value).__name__!r}")
    return value  # pyright: ignore[reportUnknownVariableType]

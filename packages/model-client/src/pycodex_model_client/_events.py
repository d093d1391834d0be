"""The events a model stream yields, independent of the wire API.

Each event is a small slotted dataclass; `ResponseEvent` is their union. Importing this module costs only
`dataclasses` and `typing`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from pycodex_protocol import TokenUsage

__all__ = [
    "Completed",
    "Created",
    "CustomToolCallInputDelta",
    "OutputItemAdded",
    "OutputItemDone",
    "OutputTextDelta",
    "RateLimits",
    "ReasoningContentDelta",
    "ReasoningSummaryDelta",
    "ReasoningSummaryPartAdded",
    "ResponseEvent",
]


@dataclass(slots=True)
class Created:
    """The server accepted the request (`response.created`)."""

    response_id: str | None = None
    """The response id, when the server sent one."""


@dataclass(slots=True)
class OutputItemAdded:
    """An output item started (`response.output_item.added`)."""

    item: dict[str, Any]
    """The partial item as the server sent it."""


@dataclass(slots=True)
class OutputItemDone:
    """An output item finished (`response.output_item.done`); the authoritative copy of the item."""

    item: dict[str, Any]
    """The finished Responses API item (`message`, `reasoning`, `function_call`, `custom_tool_call`, ...)."""


@dataclass(slots=True)
class OutputTextDelta:
    """A piece of assistant text (`response.output_text.delta`); display only."""

    delta: str
    """The text fragment."""


@dataclass(slots=True)
class ReasoningSummaryDelta:
    """A piece of reasoning summary text (`response.reasoning_summary_text.delta`)."""

    delta: str
    """The text fragment."""
    summary_index: int = 0
    """Which summary part the fragment belongs to."""


@dataclass(slots=True)
class ReasoningSummaryPartAdded:
    """A new reasoning summary section started (`response.reasoning_summary_part.added`)."""

    summary_index: int = 0
    """Index of the new section."""


@dataclass(slots=True)
class ReasoningContentDelta:
    """A piece of raw reasoning text (`response.reasoning_text.delta`)."""

    delta: str
    """The text fragment."""
    content_index: int = 0
    """Which content part the fragment belongs to."""


@dataclass(slots=True)
class CustomToolCallInputDelta:
    """A piece of a custom tool call's input (`response.custom_tool_call_input.delta`)."""

    delta: str
    """The input fragment."""
    call_id: str | None = None
    """The call id (or item id) the fragment belongs to."""


@dataclass(slots=True)
class Completed:
    """The response finished (`response.completed`); always the last event of a successful stream."""

    response_id: str | None = None
    """The response id."""
    usage: TokenUsage | None = None
    """Token usage mapped to the protocol shape, when the server reported it."""


@dataclass(slots=True)
class RateLimits:
    """Rate-limit information taken from the response headers (`x-codex-*`)."""

    snapshot: dict[str, Any]
    """A `RateLimitSnapshot`-shaped dict: `primary`/`secondary` windows with `used_percent`,
    `window_minutes`, `resets_at`."""


ResponseEvent: TypeAlias = (
    Created
    | OutputItemAdded
    | OutputItemDone
    | OutputTextDelta
    | ReasoningSummaryDelta
    | ReasoningSummaryPartAdded
    | ReasoningContentDelta
    | CustomToolCallInputDelta
    | Completed
    | RateLimits
)
"""Any event a model stream yields."""

"""Responses API items (`ResponseItem`): what the model returns and what is sent back as `input`.

Key order follows what Codex 0.169 sends (for example `function_call` is
`type, id, name, arguments, call_id`). Providers may add keys Codex does not model
(`annotations`, `logprobs`, …); Codex echoes them back, so the validating adapters in
`pycodex_protocol.schema` keep unknown keys of these types instead of dropping them.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal, NotRequired, TypeAlias, TypedDict

from ._tags import BY_TYPE

logger = logging.getLogger(__name__)

Role: TypeAlias = Literal["user", "assistant", "developer", "system"]
"""Author of a `Message`."""

MessagePhase: TypeAlias = Literal["commentary", "final_answer"]
"""Phase of an assistant message (progress commentary or the final answer)."""


class InputText(TypedDict):
    """Text written by the user or the harness."""

    type: Literal["input_text"]
    text: str


class InputImage(TypedDict):
    """An image, as a URL or a `data:` URL."""

    type: Literal["input_image"]
    image_url: str
    detail: NotRequired[str]
    """`auto`, `low` or `high` (newer models accept more)."""


class OutputText(TypedDict):
    """Text written by the model."""

    type: Literal["output_text"]
    text: str
    annotations: NotRequired[list[Any]]
    logprobs: NotRequired[list[Any]]


ContentItem: TypeAlias = Annotated[InputText | InputImage | OutputText, BY_TYPE]
"""One part of a message's `content`."""

FunctionCallOutputContentItem: TypeAlias = Annotated[InputText | InputImage, BY_TYPE]
"""One part of a structured tool output."""


class Message(TypedDict):
    """A chat message (`role` user, assistant, developer or system)."""

    type: Literal["message"]
    id: NotRequired[str]
    role: Role
    content: list[ContentItem]
    status: NotRequired[str]
    phase: NotRequired[MessagePhase]


class ReasoningSummaryText(TypedDict):
    """One summary part of a reasoning item."""

    type: Literal["summary_text"]
    text: str


class ReasoningText(TypedDict):
    """One raw reasoning part (only some providers send these)."""

    type: Literal["reasoning_text", "text"]
    text: str


class Reasoning(TypedDict):
    """The model's reasoning; echoed back verbatim (including `encrypted_content`)."""

    type: Literal["reasoning"]
    id: str
    summary: list[ReasoningSummaryText]
    content: NotRequired[list[ReasoningText] | None]
    encrypted_content: NotRequired[str | None]


class FunctionCall(TypedDict):
    """A call of a JSON function tool; `arguments` is the JSON text the model wrote."""

    type: Literal["function_call"]
    id: NotRequired[str]
    name: str
    namespace: NotRequired[str]
    arguments: str
    call_id: str


class FunctionCallOutput(TypedDict):
    """The result of a `FunctionCall`, matched by `call_id`."""

    type: Literal["function_call_output"]
    id: NotRequired[str]
    call_id: str
    output: str | list[FunctionCallOutputContentItem]


class CustomToolCall(TypedDict):
    """A call of a freeform (grammar) tool such as `apply_patch`; `input` is raw text."""

    type: Literal["custom_tool_call"]
    id: NotRequired[str]
    status: NotRequired[str]
    call_id: str
    name: str
    input: str


class CustomToolCallOutput(TypedDict):
    """The result of a `CustomToolCall`."""

    type: Literal["custom_tool_call_output"]
    id: NotRequired[str]
    call_id: str
    output: str | list[FunctionCallOutputContentItem]


class LocalShellExecAction(TypedDict):
    """The command of a `LocalShellCall`."""

    type: Literal["exec"]
    command: list[str]
    timeout_ms: NotRequired[int | None]
    working_directory: NotRequired[str | None]
    env: NotRequired[dict[str, str] | None]
    user: NotRequired[str | None]


class LocalShellCall(TypedDict):
    """A call of the provider-defined `local_shell` tool."""

    type: Literal["local_shell_call"]
    id: NotRequired[str | None]
    call_id: NotRequired[str | None]
    status: str
    action: LocalShellExecAction


class WebSearchCall(TypedDict):
    """A hosted web search the provider ran; `action` says what it did."""

    type: Literal["web_search_call"]
    id: NotRequired[str]
    status: NotRequired[str]
    action: NotRequired[dict[str, Any]]


class ToolSearchCall(TypedDict):
    """A client-executed `tool_search` call (loads deferred tool namespaces)."""

    type: Literal["tool_search_call"]
    id: NotRequired[str]
    call_id: NotRequired[str | None]
    status: NotRequired[str]
    execution: str
    arguments: dict[str, Any]


class ToolSearchOutput(TypedDict):
    """The tools returned for a `ToolSearchCall`."""

    type: Literal["tool_search_output"]
    id: NotRequired[str]
    call_id: NotRequired[str | None]
    status: str
    execution: str
    tools: list[dict[str, Any]]


class Compaction(TypedDict):
    """An opaque summary of earlier history made by remote compaction."""

    type: Literal["compaction"]
    id: NotRequired[str]
    encrypted_content: str


ResponseItem: TypeAlias = Annotated[
    Message
    | Reasoning
    | FunctionCall
    | FunctionCallOutput
    | CustomToolCall
    | CustomToolCallOutput
    | LocalShellCall
    | WebSearchCall
    | ToolSearchCall
    | ToolSearchOutput
    | Compaction,
    BY_TYPE,
]
"""Any item of a Responses API `input` or `output` array, tagged by `type`."""

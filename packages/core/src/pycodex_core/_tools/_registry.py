"""The tool registry: each `ToolHandler` owns its spec and its dispatch; one output item per call."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias

from .._json import as_object

if TYPE_CHECKING:
    from pycodex_model_client import ModelInfo
    from pycodex_protocol import EventMsg

    from .._approvals import ApprovalBroker
    from .._context import ToolCall, TurnContext, TurnState
    from .._orchestrator import ExecOrchestrator
    from ._exec import ProcessManager

__all__ = ["ToolHandler", "ToolInvocation", "ToolOutput", "ToolRegistry", "ToolServices", "ToolSpec"]

logger = logging.getLogger(__name__)

ToolSpec: TypeAlias = dict[str, Any]
"""One entry of the Responses API `tools` array."""
ToolOutput: TypeAlias = str | list[dict[str, Any]]
"""What a handler returns: text, or content items (`input_image`, `input_text`)."""


@dataclass
class ToolServices:
    """The session services a tool may use (never the session itself)."""

    emit: Callable[[str, EventMsg], None]
    """`emit(sub_id, msg)`: send an event to the front end (and the rollout)."""
    warn_once: Callable[[str, str, str], None]
    """`warn_once(sub_id, key, message)`: a `warning` event the first time `key` is seen."""
    exec: ExecOrchestrator
    """The exec path: approval requirement, approvals, sandbox step."""
    approvals: ApprovalBroker
    """Approval requests and the session's remembered approvals."""
    processes: ProcessManager
    """Unified-exec processes and one-shot commands still running."""
    shell: str
    """The user's shell (`/bin/bash`)."""
    command_env: Callable[[], Mapping[str, str]]
    """The environment of spawned commands."""
    spawn_argv: Callable[[list[str]], list[str]]
    """What is executed for a command shown as `argv` (the shell snapshot's wrapper)."""


@dataclass
class ToolInvocation:
    """One call of a tool, as its handler sees it."""

    ctx: TurnContext
    """The turn's settings (cwd, policies, model)."""
    turn: TurnState
    """The turn's mutable state (diff tracker)."""
    call: ToolCall
    """The call: name, call id, raw payload."""
    arguments: dict[str, Any]
    """The parsed arguments (`{"input": ...}` for freeform tools)."""
    services: ToolServices
    """What the tool may use."""


class ToolHandler(Protocol):
    """A tool: its name, its spec for a model, whether it mutates, and its dispatch."""

    @property
    def name(self) -> str:
        """The name the model calls it by (`namespace.name` for namespaced calls)."""
        ...

    @property
    def mutates(self) -> bool:
        """Whether calls may change the workspace (such calls never run in parallel)."""
        ...

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """The spec offered to `model`, or `None` when this model is not offered the tool."""
        ...

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Run the call and return its output for the model."""
        ...


class ToolRegistry:
    """The tools of a session, in the order their specs are offered; hosted specs (web search) at the end."""

    def __init__(self, handlers: Iterable[ToolHandler] = (), hosted: Sequence[ToolSpec] = ()) -> None:
        self._handlers: dict[str, ToolHandler] = {}
        self._hosted = list(hosted)
        self._resolvers: list[Callable[[str], Awaitable[ToolHandler | None]]] = []
        for handler in handlers:
            self.register(handler)

    def add_resolver(self, resolver: Callable[[str], Awaitable[ToolHandler | None]]) -> None:
        """Consult `resolver(name)` for a call that no registered handler matches.

        For tools that appear later, like those of an MCP server still starting; the first handler
        a resolver returns runs the call.
        """
        self._resolvers.append(resolver)

    def register(self, handler: ToolHandler, *, replace: bool = False, after: str | None = None) -> None:
        """Add `handler` (at the end, or right after the tool named `after` when there is one).

        Raises:
            ValueError: A handler with this name exists and `replace` is False.
        """
        if handler.name in self._handlers and not replace:
            raise ValueError(f"a tool named {handler.name!r} is already registered")
        if after is None or after not in self._handlers or handler.name in self._handlers:
            self._handlers[handler.name] = handler
            return
        items = list(self._handlers.items())
        index = next(i for i, (name, _) in enumerate(items) if name == after) + 1
        items.insert(index, (handler.name, handler))
        self._handlers = dict(items)

    def developer_updates(self, model: ModelInfo, history: Sequence[dict[str, Any]]) -> list[str]:
        """Texts handlers add when a thread continues (a `developer_update(model, history)` method)."""
        notes: list[str] = []
        for handler in self._handlers.values():
            update = getattr(handler, "developer_update", None)
            note = update(model, history) if callable(update) else None
            if isinstance(note, str) and note:
                notes.append(note)
        return notes

    def developer_notes(self, model: ModelInfo) -> list[str]:
        """Texts handlers add to the thread's developer message (a `developer_note(model)` method)."""
        notes: list[str] = []
        for handler in self._handlers.values():
            note_for = getattr(handler, "developer_note", None)
            note = note_for(model) if callable(note_for) else None
            if isinstance(note, str) and note:
                notes.append(note)
        return notes

    def get(self, name: str) -> ToolHandler | None:
        """The handler called `name`, if any."""
        return self._handlers.get(name)

    @property
    def names(self) -> list[str]:
        """Registered tool names, in order."""
        return list(self._handlers)

    def specs(self, model: ModelInfo) -> list[ToolSpec]:
        """The `tools` array for `model`."""
        specs = [spec for handler in self._handlers.values() if (spec := handler.spec(model)) is not None]
        return specs + self._hosted

    async def dispatch(self, ctx: TurnContext, turn: TurnState, call: ToolCall, services: ToolServices) -> ToolOutput:
        """Parse the call's arguments and run its handler; unknown tools get `unsupported call: NAME`."""
        try:
            arguments = parse_arguments(call)
        except (ValueError, TypeError) as exc:
            return f"failed to parse function arguments: {exc}"
        except RecursionError:
            return "failed to parse function arguments: nested too deeply"
        handler = self._handlers.get(call.name)
        for resolver in self._resolvers if handler is None else []:
            handler = await resolver(call.name)
            if handler is not None:
                break
        if handler is None:
            logger.error("error=unsupported call: %s", call.name)
            return f"unsupported call: {call.name}"
        started = time.monotonic()
        try:
            return await handler.handle(ToolInvocation(ctx, turn, call, arguments, services))
        finally:
            logger.debug("tool %s (%s) took %.1f ms", call.name, call.call_id, (time.monotonic() - started) * 1000)


def parse_arguments(call: ToolCall) -> dict[str, Any]:
    """The call's arguments as a dict (a `local_shell` action is mapped onto `shell`'s arguments).

    Raises:
        ValueError: The arguments are not a JSON object.
    """
    if call.kind == "local_shell":
        action = as_object(call.payload) or {}
        return {
            "command": action.get("command") or [],
            "workdir": action.get("working_directory"),
            "timeout_ms": action.get("timeout_ms"),
        }
    if call.kind == "custom":
        return {"input": call.payload}
    if call.kind == "tool_search":
        return as_object(call.payload) or {}
    parsed = as_object(json.loads(call.payload) if isinstance(call.payload, str) else call.payload)
    if parsed is None:
        raise ValueError("arguments must be a JSON object")
    return parsed

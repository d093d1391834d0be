"""Validation and JSON Schema for the wire types, built with pydantic `TypeAdapter`s.

This is the only module of `pycodex_protocol` that imports pydantic (about 75 ms), so only
code paths that validate import it. Each function returns a cached adapter:

```python
from pycodex_protocol.schema import thread_event_adapter

event = thread_event_adapter().validate_json('{"type":"turn.started"}')
assert event == {"type": "turn.started"}
```

Validated values are the same plain dicts the TypedDicts describe; dump them back with
`adapter.dump_json(value)` or `dump_python(value, mode="json")`. Unions are discriminated on
`type`, validation is strict (no `"1"` → `1` coercion), and unknown keys are handled per family:

* `codex exec --json` events (`pycodex_protocol.exec_events`) are **closed**: pycodex owns that
  output, so an unknown key is an error (it catches typos in emitters) and the published schema
  says `additionalProperties: false`.
* Response items, events, ops and policies are **open**: providers add keys Codex echoes back
  (`annotations`, `logprobs`, …) and newer Codex versions add fields, so unknown keys are kept
  as they are, never dropped.

Importing this module sets `__pydantic_config__` on every TypedDict of the package.

Python 3.11 note: pydantic refuses `typing.TypedDict` before Python 3.12 and asks for
`typing_extensions.TypedDict`, because it needs `__orig_bases__` (3.12+) to find generic
parameters and decorators of TypedDict bases. The wire types are not generic, have no
decorators and do not inherit from each other, so nothing depends on `__orig_bases__`; this
module lifts that version check (pydantic's private `_SUPPORTS_TYPEDDICT` flag) rather than make
every `import pycodex_protocol` pay about 10 ms for `typing_extensions`. Tests cover the result.
"""

from __future__ import annotations

import functools
import importlib
import logging
import sys
import typing
from types import ModuleType
from typing import Any

from pydantic import TypeAdapter

import pycodex_protocol

from . import exec_events
from ._events import Event, EventMsg
from ._items import ResponseItem
from ._ops import Op, Submission
from ._permissions import PermissionProfile, ResolvedSandboxPolicy
from ._policy import AskForApproval, SandboxPolicy
from .exec_events import ThreadEvent, ThreadItem

logger = logging.getLogger(__name__)

__all__ = [
    "EXEC_EVENTS_SCHEMA_ID",
    "ask_for_approval_adapter",
    "event_adapter",
    "event_msg_adapter",
    "exec_events_json_schema",
    "op_adapter",
    "permission_profile_adapter",
    "resolved_sandbox_policy_adapter",
    "response_item_adapter",
    "sandbox_policy_adapter",
    "submission_adapter",
    "thread_event_adapter",
    "thread_item_adapter",
]

EXEC_EVENTS_SCHEMA_ID = "https://github.com/openai/codex/exec-events.schema.json"
"""`$id` of the generated schema (names the stream, not a URL that serves it)."""

_CONFIG_ATTR = "__pydantic_config__"
_OPEN: dict[str, Any] = {"extra": "allow", "strict": True}
# Field docstrings become `description`s of the published schema; reading them costs about 50 ms per adapter.
_CLOSED: dict[str, Any] = {"extra": "forbid", "strict": True, "use_attribute_docstrings": True}


def _allow_stdlib_typeddict() -> None:
    if sys.version_info >= (3, 12):
        return
    generate_schema = importlib.import_module("pydantic._internal._generate_schema")
    if hasattr(generate_schema, "_SUPPORTS_TYPEDDICT"):
        setattr(generate_schema, "_SUPPORTS_TYPEDDICT", True)  # noqa: B010 - see the module docstring


def _configure(module: ModuleType, config: dict[str, Any]) -> None:
    # Every TypedDict of the package is public, so the public namespaces reach all of them.
    for value in vars(module).values():
        if isinstance(value, type) and typing.is_typeddict(value):
            setattr(value, _CONFIG_ATTR, config)


_allow_stdlib_typeddict()
_configure(pycodex_protocol, _OPEN)
_configure(exec_events, _CLOSED)


@functools.cache
def response_item_adapter() -> TypeAdapter[ResponseItem]:
    """Adapter for one Responses API item (`message`, `function_call`, …)."""
    return TypeAdapter(ResponseItem)


@functools.cache
def event_adapter() -> TypeAdapter[Event]:
    """Adapter for an event-queue entry `{id, msg}`."""
    return TypeAdapter(Event)


@functools.cache
def event_msg_adapter() -> TypeAdapter[EventMsg]:
    """Adapter for an event payload alone (as in rollout `event_msg` lines)."""
    return TypeAdapter(EventMsg)


@functools.cache
def op_adapter() -> TypeAdapter[Op]:
    """Adapter for an operation (`user_input`, `interrupt`, …)."""
    return TypeAdapter(Op)


@functools.cache
def submission_adapter() -> TypeAdapter[Submission]:
    """Adapter for a submission-queue entry `{id, op}`."""
    return TypeAdapter(Submission)


@functools.cache
def sandbox_policy_adapter() -> TypeAdapter[SandboxPolicy]:
    """Adapter for a `SandboxPolicy` value."""
    return TypeAdapter(SandboxPolicy)


@functools.cache
def permission_profile_adapter() -> TypeAdapter[PermissionProfile]:
    """Adapter for a `PermissionProfile` value (`managed`, `disabled`, `external`)."""
    return TypeAdapter(PermissionProfile)


@functools.cache
def resolved_sandbox_policy_adapter() -> TypeAdapter[ResolvedSandboxPolicy]:
    """Adapter for a `ResolvedSandboxPolicy` (as `codex sandbox --sandbox-state-json` may pass it)."""
    return TypeAdapter(ResolvedSandboxPolicy)


@functools.cache
def ask_for_approval_adapter() -> TypeAdapter[AskForApproval]:
    """Adapter for an `AskForApproval` value."""
    return TypeAdapter(AskForApproval)


@functools.cache
def thread_event_adapter() -> TypeAdapter[ThreadEvent]:
    """Adapter for one line of the `codex exec --json` stream."""
    return TypeAdapter(ThreadEvent)


@functools.cache
def thread_item_adapter() -> TypeAdapter[ThreadItem]:
    """Adapter for one item of the `codex exec --json` stream."""
    return TypeAdapter(ThreadItem)


def exec_events_json_schema() -> dict[str, Any]:
    """JSON Schema (draft 2020-12) of one line of the `codex exec --json` stream.

    Returns:
        A fresh dict; `tools/gen_schema.py` writes it to `docs/exec-events.schema.json`.
    """
    schema = thread_event_adapter().json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": EXEC_EVENTS_SCHEMA_ID,
        "title": "ThreadEvent",
        "description": (
            "One line of `codex exec --json` output (Codex 0.169 compatible). "
            "Note: Codex itself prints web_search items with a second, duplicate `id` key "
            "holding the provider's search id; this schema describes the single-`id` form."
        ),
        **schema,
    }

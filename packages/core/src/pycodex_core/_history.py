"""The history as the model must see it: every tool call answered, no answer without its call."""

from __future__ import annotations

import logging
from typing import Any

from ._json import objects
from ._prompts import SUMMARY_PREFIX

__all__ = [
    "CONTEXT_PREFIXES",
    "aborted_outputs",
    "call_id_of",
    "drop_last_user_turns",
    "drop_orphan_outputs",
    "is_contextual_user_message",
    "is_user_turn_boundary",
    "normalize_for_request",
    "user_turn_texts",
]

logger = logging.getLogger(__name__)

_OUTPUT_FOR_CALL = {
    "function_call": "function_call_output",
    "custom_tool_call": "custom_tool_call_output",
    "local_shell_call": "function_call_output",
    "tool_search_call": "tool_search_output",
}
_OUTPUT_TYPES = frozenset(_OUTPUT_FOR_CALL.values())
ABORTED_OUTPUT = "aborted"


def _aborted(kind: str, call_id: str) -> dict[str, Any]:
    if kind == "tool_search_output":
        return {"type": kind, "call_id": call_id, "status": "completed", "execution": "client", "tools": []}
    return {"type": kind, "call_id": call_id, "output": ABORTED_OUTPUT}


def call_id_of(item: dict[str, Any]) -> str:
    """The call id a call or output item carries (a `local_shell_call` without one uses its `id`)."""
    value = item.get("call_id")
    if not value and item.get("type") == "local_shell_call":
        value = item.get("id")
    return str(value or "")


_call_id = call_id_of


def aborted_outputs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An `aborted` output for every call in `items` that has none (an interrupted turn)."""
    answered = {(str(i.get("type")), call_id_of(i)) for i in items if i.get("type") in _OUTPUT_TYPES}
    outputs: list[dict[str, Any]] = []
    for item in items:
        kind = _OUTPUT_FOR_CALL.get(str(item.get("type")))
        if kind is not None and (kind, call_id_of(item)) not in answered:
            outputs.append(_aborted(kind, call_id_of(item)))
            answered.add((kind, call_id_of(item)))
    return outputs


def drop_orphan_outputs(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`items` without the tool outputs whose call is not among them."""
    calls = {call_id_of(i) for i in items if i.get("type") in _OUTPUT_FOR_CALL}
    return [i for i in items if i.get("type") not in _OUTPUT_TYPES or call_id_of(i) in calls]


def normalize_for_request(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A copy of `items` the Responses API accepts.

    A history can hold a call without its output (the process died while the tool ran, and the
    thread was resumed) or an output without its call (compaction or a hand-edited rollout).
    The API rejects both, so a call without output gets an `aborted` output right after it and an
    output without call is left out. The recorded history itself stays as written.
    """
    expected: dict[str, str] = {}
    answered: set[tuple[str, str]] = set()
    for item in items:
        kind = item.get("type")
        if kind in _OUTPUT_FOR_CALL:
            expected[_call_id(item)] = _OUTPUT_FOR_CALL[str(kind)]
        elif kind in _OUTPUT_TYPES:
            answered.add((str(kind), _call_id(item)))
    result: list[dict[str, Any]] = []
    for item in items:
        kind = item.get("type")
        if kind in _OUTPUT_TYPES:
            if expected.get(_call_id(item)) != kind:
                logger.debug("dropping %s without a call: %s", kind, _call_id(item))
                continue
            result.append(item)
            continue
        result.append(item)
        if kind in _OUTPUT_FOR_CALL:
            call_id = _call_id(item)
            output_kind = _OUTPUT_FOR_CALL[str(kind)]
            if (output_kind, call_id) not in answered:
                result.append(_aborted(output_kind, call_id))
                answered.add((output_kind, call_id))
    return result


CONTEXT_PREFIXES = (
    "# AGENTS.md instructions for ",
    "<environment_context>",
    "<user_instructions>",
    "<user_shell_command>",
    "<turn_aborted>",
    "<skill>",
)
"""How the user-role messages core injects start (context, not something the user typed)."""
_INJECTED = (*CONTEXT_PREFIXES, SUMMARY_PREFIX[:40])


def _texts(item: dict[str, Any]) -> list[str]:
    return [str(part.get("text", "")) for part in objects(item.get("content"))]


def is_contextual_user_message(item: dict[str, Any]) -> bool:
    """Whether `item` is a user-role message core injected (AGENTS.md, environment, `!cmd` output, markers)."""
    if item.get("type") != "message" or item.get("role") != "user":
        return False
    return any(text.lstrip().startswith(_INJECTED) for text in _texts(item))


def is_user_turn_boundary(item: dict[str, Any]) -> bool:
    """Whether `item` starts a user turn: a user message the user wrote (not injected context)."""
    return item.get("type") == "message" and item.get("role") == "user" and not is_contextual_user_message(item)


def drop_last_user_turns(items: list[dict[str, Any]], num_turns: int) -> list[dict[str, Any]]:
    """`items` without its last `num_turns` user turns, as Codex's `thread_rollback` drops them.

    A turn runs from one user message to the next. Context injected just before a dropped turn
    (a permissions update, a `!cmd` record) goes with it, but nothing before the first user turn
    is ever dropped: asking for more turns than there are keeps only what preceded the first one.
    """
    positions = [i for i, item in enumerate(items) if is_user_turn_boundary(item)]
    if num_turns <= 0 or not positions:
        return list(items)
    first = positions[0]
    cut = first if num_turns >= len(positions) else positions[-num_turns]
    while cut > first:
        previous = items[cut - 1]
        if previous.get("type") != "message" or not (
            previous.get("role") == "developer" or is_contextual_user_message(previous)
        ):
            break
        cut -= 1
    return items[:cut]


def user_turn_texts(items: list[dict[str, Any]]) -> list[str]:
    """The text of each user turn in `items`, oldest first (what `thread_rollback` counts as turns)."""
    return ["".join(_texts(item)) for item in items if is_user_turn_boundary(item)]

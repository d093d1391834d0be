"""The history as the model must see it: every tool call answered, no answer without its call."""

from __future__ import annotations

import logging
from typing import Any

__all__ = ["aborted_outputs", "call_id_of", "drop_orphan_outputs", "normalize_for_request"]

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

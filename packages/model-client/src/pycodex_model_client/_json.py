r"""Hostile-proof JSON for stream payloads: bounded nesting, no lone surrogates, field types checked.

A model server can send valid JSON that Python code downstream cannot handle: strings holding lone UTF-16
surrogates (`"\ud800"`, which no UTF-8 writer accepts), nesting deep enough to hit the recursion limit,
numbers such as `1e400`, or a string where an object belongs. Everything a stream yields passes through here
first, so the rest of the program sees only objects it can print, store and send back.
"""

from __future__ import annotations

import json
import logging
import math
import re
from typing import Any, cast

__all__ = ["MAX_DEPTH", "as_dict", "as_int", "as_str", "clean_arguments", "clean_item", "loads_event"]

logger = logging.getLogger(__name__)

MAX_DEPTH = 128
"""The deepest nesting accepted in one event (serde_json's default recursion limit, which Codex uses)."""
_MAX_COUNT = 2**63 - 1
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _TooDeep(ValueError):
    pass


def _fix_str(value: str) -> str:
    if value.isascii():  # constant time in CPython
        return value
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _clean_tree(root: Any) -> Any:
    """Replace lone surrogates in every string and key of `root` (in place), refusing nesting over `MAX_DEPTH`.

    Iterative, so a deep tree cannot exhaust the interpreter stack.
    """
    if isinstance(root, str):
        return _fix_str(root)
    stack: list[tuple[Any, int]] = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise _TooDeep
        if isinstance(node, dict):
            mapping = cast(dict[str, Any], node)
            if not all(key.isascii() for key in mapping) and any(_SURROGATE.search(key) for key in mapping):
                fixed = {_fix_str(key): value for key, value in mapping.items()}
                mapping.clear()
                mapping.update(fixed)
            for key, value in mapping.items():
                if isinstance(value, str):
                    mapping[key] = _fix_str(value)
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
        elif isinstance(node, list):
            items = cast(list[Any], node)
            for index, value in enumerate(items):
                if isinstance(value, str):
                    items[index] = _fix_str(value)
                elif isinstance(value, dict | list):
                    stack.append((value, depth + 1))
    return root


def _suspicious(text: str) -> bool:
    if text.count("[") + text.count("{") > MAX_DEPTH:
        return True
    return "\\u" in text and _SURROGATE_ESCAPE.search(text) is not None


def loads_event(data: str) -> Any | None:
    """Parse one SSE `data` payload; `None` (logged) when it is not JSON, nests too deep or cannot be parsed.

    Lone surrogates in strings become U+FFFD. The check walks the parsed tree once (visiting each container
    and testing only non-ASCII strings), so a typical event costs next to nothing beyond the parse.
    """
    try:
        obj = json.loads(data)
    except (ValueError, RecursionError):
        logger.warning("skipping unparsable SSE data: %.200r", data)
        return None
    try:
        return _clean_tree(obj)
    except _TooDeep:
        logger.warning("skipping SSE data nested deeper than %d levels", MAX_DEPTH)
        return None


def as_dict(value: Any) -> dict[str, Any]:
    """`value` when it is a JSON object, else an empty dict."""
    return cast(dict[str, Any], value) if isinstance(value, dict) else {}


def as_str(value: Any, default: str = "") -> str:
    """`value` when it is a string, else `default`."""
    return value if isinstance(value, str) else default


def as_int(value: Any) -> int:
    """A non-negative count from `value`: ints and finite floats (clamped), anything else 0."""
    if isinstance(value, bool):
        return 0
    if isinstance(value, float):
        if not math.isfinite(value):
            return 0
        value = int(value)
    if isinstance(value, int):
        return max(0, min(value, _MAX_COUNT))
    return 0


def clean_arguments(arguments: Any) -> str:
    """Function-call arguments as a JSON text the tool router can parse safely.

    An object or array (some servers send it unencoded) is encoded; a string whose JSON holds lone surrogate
    escapes is re-encoded with them replaced; any other non-string becomes `""`.
    """
    if isinstance(arguments, dict | list):
        return json.dumps(_clean_tree(arguments), ensure_ascii=False)
    if not isinstance(arguments, str):
        return ""
    if not _suspicious(arguments):
        return arguments
    try:
        parsed = json.loads(arguments)
        return json.dumps(_clean_tree(parsed), ensure_ascii=False)
    except (ValueError, RecursionError):
        return arguments  # not JSON or too deep: the router reports it to the model


_STR_FIELDS = ("id", "call_id", "name", "namespace", "role", "phase", "status", "input")


def clean_item(item: Any) -> dict[str, Any] | None:
    """An output item fit for the session, or `None` when it is not an object with a string `type`.

    String fields the session reads (`call_id`, `name`, `role`, `input`, ...) that hold another type are
    dropped; `arguments` goes through `clean_arguments`; `content` and `summary` must be lists.
    """
    if not isinstance(item, dict) or not isinstance(item.get("type"), str):
        return None
    out = cast(dict[str, Any], item)
    for key in _STR_FIELDS:
        if key in out and not isinstance(out[key], str):
            del out[key]
    if out["type"] == "tool_search_call":  # an object on the wire (already cleaned with the event), kept one
        if not isinstance(out.get("arguments"), dict):
            out["arguments"] = {}
    elif "arguments" in out:
        out["arguments"] = clean_arguments(out["arguments"])
    for key in ("content", "summary"):
        if key in out and not isinstance(out[key], list):
            out[key] = []
    if "action" in out and not isinstance(out["action"], dict):
        del out["action"]
    return out

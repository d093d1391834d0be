"""Map core protocol events onto the `codex exec --json` stream (Codex 0.169's `exec_events`).

`JsonlMapper` is pure: feed it every protocol `Event` in order with `map()`, print what it
returns. It keeps only what the mapping needs: item ids by call id, the running plan, the
thread's token usage and the last fatal error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, cast

from ._shape import elements, mapping
from ._shlex import shlex_join

if TYPE_CHECKING:
    from pycodex_protocol import Event
    from pycodex_protocol.exec_events import ThreadEvent, ThreadItem, TodoItem, Usage

logger = logging.getLogger(__name__)

__all__ = ["JsonlMapper", "command_string", "usage_from_total"]


def command_string(command: object) -> str:
    """Return the `command` string Codex prints for an argv (or pass a string through)."""
    if isinstance(command, str):
        return command
    if isinstance(command, list | tuple):
        return shlex_join([str(word) for word in cast("list[object] | tuple[object, ...]", command)])
    return ""


def usage_from_total(total: Mapping[str, Any] | None) -> Usage:
    """Turn a protocol `TokenUsage` (thread total) into the `usage` of `turn.completed`."""
    total = total or {}
    return {
        "input_tokens": int(total.get("input_tokens", 0)),
        "cached_input_tokens": int(total.get("cached_input_tokens", 0)),
        "cache_write_input_tokens": int(total.get("cache_write_input_tokens", 0) or 0),
        "output_tokens": int(total.get("output_tokens", 0)),
        "reasoning_output_tokens": int(total.get("reasoning_output_tokens", 0)),
    }


def _todo_items(plan: object) -> list[TodoItem]:
    items: list[TodoItem] = []
    for value in elements(plan):
        step = mapping(value)
        if step is not None:
            items.append({"text": str(step.get("step", "")), "completed": step.get("status") == "completed"})
    return items


def _file_changes(changes: object) -> list[dict[str, str]]:
    out: list[dict[str, str]] = []
    for path, value in (mapping(changes) or {}).items():
        change = mapping(value)
        kind = change.get("type", "update") if change is not None else "update"
        out.append({"path": str(path), "kind": str(kind)})
    return out


class JsonlMapper:
    r"""Turns protocol events into `ThreadEvent` dicts, in Codex 0.169's order and shapes.

    Item ids are `item_0`, `item_1`, … in order of first appearance. Reasoning summaries that
    arrive as several consecutive `agent_reasoning` events become one `reasoning` item whose
    text joins them with `\\n`; it is emitted when the next other event arrives.
    """

    def __init__(self) -> None:
        self._next_id = 0
        self._calls: dict[str, tuple[str, Any]] = {}
        """call id -> (item id, begin payload)."""
        self._todo_id: str | None = None
        self._todo_items: list[TodoItem] = []
        self._reasoning: list[str] = []
        self._usage: Mapping[str, Any] | None = None
        self._critical_error: str | None = None

    def _item_id(self) -> str:
        item_id = f"item_{self._next_id}"
        self._next_id += 1
        return item_id

    def map(self, event: Event | Mapping[str, Any]) -> list[ThreadEvent]:
        """Map one protocol event; returns the JSONL events to print (often none)."""
        msg: Mapping[str, Any] = event["msg"]
        kind = msg.get("type")
        if kind in ("agent_reasoning", "agent_reasoning_section_break"):
            if kind == "agent_reasoning":
                self._reasoning.append(str(msg.get("text", "")))
            return []
        out = self.flush()
        handler = self._HANDLERS.get(str(kind))
        if handler is not None:
            out.extend(handler(self, msg))
        return out

    def flush(self) -> list[ThreadEvent]:
        """Emit a pending reasoning item, if any (call at the end of the stream too)."""
        if not self._reasoning:
            return []
        text = "\n".join(self._reasoning)
        self._reasoning = []
        if not text.strip():
            return []
        return [{"type": "item.completed", "item": {"id": self._item_id(), "type": "reasoning", "text": text}}]

    def finish(self) -> list[ThreadEvent]:
        """Close the stream when core stopped without ending the turn (it crashed or closed)."""
        out = self.flush()
        if self._critical_error is not None:
            out.append({"type": "turn.failed", "error": {"message": self._critical_error}})
            self._critical_error = None
        return out

    # ---------------------------------------------------------------- handlers

    def _session_configured(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        return [{"type": "thread.started", "thread_id": str(msg.get("session_id", ""))}]

    def _task_started(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        self._critical_error = None
        return [{"type": "turn.started"}]

    def _task_complete(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        out: list[ThreadEvent] = []
        if self._todo_id is not None:
            item: ThreadItem = {"id": self._todo_id, "type": "todo_list", "items": self._todo_items}
            out.append({"type": "item.completed", "item": item})
            self._todo_id, self._todo_items = None, []
        if self._critical_error is not None:
            out.append({"type": "turn.failed", "error": {"message": self._critical_error}})
            self._critical_error = None
        else:
            out.append({"type": "turn.completed", "usage": usage_from_total(self._usage)})
        return out

    def _agent_message(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        text = str(msg.get("message", ""))
        return [{"type": "item.completed", "item": {"id": self._item_id(), "type": "agent_message", "text": text}}]

    def _exec_begin(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        item_id = self._item_id()
        command = command_string(msg.get("command"))
        self._calls[str(msg.get("call_id"))] = (item_id, command)
        item: ThreadItem = {
            "id": item_id,
            "type": "command_execution",
            "command": command,
            "aggregated_output": "",
            "exit_code": None,
            "status": "in_progress",
        }
        return [{"type": "item.started", "item": item}]

    def _exec_end(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        known = self._calls.pop(str(msg.get("call_id")), None)
        item_id, command = known if known is not None else (self._item_id(), command_string(msg.get("command")))
        exit_code = msg.get("exit_code")
        if msg.get("status") == "declined":
            status = "declined"
        else:
            status = "completed" if exit_code == 0 else "failed"
        item: ThreadItem = {
            "id": item_id,
            "type": "command_execution",
            "command": command,
            "aggregated_output": str(msg.get("aggregated_output", "")),
            "exit_code": exit_code if isinstance(exit_code, int) else None,
            "status": status,
        }
        return [{"type": "item.completed", "item": item}]

    def _patch_begin(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        item_id = self._item_id()
        changes = _file_changes(msg.get("changes"))
        self._calls[str(msg.get("call_id"))] = (item_id, changes)
        item: Any = {"id": item_id, "type": "file_change", "changes": changes, "status": "in_progress"}
        return [{"type": "item.started", "item": item}]

    def _patch_end(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        known = self._calls.pop(str(msg.get("call_id")), None)
        item_id, changes = known if known is not None else (self._item_id(), _file_changes(msg.get("changes")))
        status = "completed" if msg.get("success") and msg.get("status", "completed") == "completed" else "failed"
        item: Any = {"id": item_id, "type": "file_change", "changes": changes, "status": status}
        return [{"type": "item.completed", "item": item}]

    def _mcp_begin(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        item_id = self._item_id()
        inv: Mapping[str, Any] = msg.get("invocation") or {}
        self._calls[str(msg.get("call_id"))] = (item_id, inv)
        item: ThreadItem = {
            "id": item_id,
            "type": "mcp_tool_call",
            "server": str(inv.get("server", "")),
            "tool": str(inv.get("tool", "")),
            "arguments": inv.get("arguments"),
            "result": None,
            "error": None,
            "status": "in_progress",
        }
        return [{"type": "item.started", "item": item}]

    def _mcp_end(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        known = self._calls.pop(str(msg.get("call_id")), None)
        inv: Mapping[str, Any] = msg.get("invocation") or {}
        item_id = known[0] if known is not None else self._item_id()
        result: Mapping[str, Any] = msg.get("result") or {}
        ok = result.get("Ok")
        failed = ok is None or bool(ok.get("isError") or ok.get("is_error"))
        item: ThreadItem = {
            "id": item_id,
            "type": "mcp_tool_call",
            "server": str(inv.get("server", "")),
            "tool": str(inv.get("tool", "")),
            "arguments": inv.get("arguments"),
            "result": None
            if ok is None
            else {
                "content": list(ok.get("content") or []),
                "structured_content": ok.get("structuredContent", ok.get("structured_content")),
            },
            "error": {"message": str(result.get("Err", ""))} if ok is None else None,
            "status": "failed" if failed else "completed",
        }
        return [{"type": "item.completed", "item": item}]

    def _web_search_end(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        action: Any = msg.get("action") or {"type": "other"}
        item: ThreadItem = {
            "id": self._item_id(),
            "type": "web_search",
            "query": str(msg.get("query", "")),
            "action": action,
        }
        return [{"type": "item.completed", "item": item}]

    def _plan_update(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        self._todo_items = _todo_items(msg.get("plan"))
        if self._todo_id is None:
            self._todo_id = self._item_id()
            item: ThreadItem = {"id": self._todo_id, "type": "todo_list", "items": self._todo_items}
            return [{"type": "item.started", "item": item}]
        item = {"id": self._todo_id, "type": "todo_list", "items": self._todo_items}
        return [{"type": "item.updated", "item": item}]

    def _token_count(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        info = mapping(msg.get("info"))
        total = mapping(info.get("total_token_usage")) if info is not None else None
        if total is not None:
            self._usage = total
        return []

    def _error(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        message = str(msg.get("message", ""))
        self._critical_error = message
        return [{"type": "error", "message": message}]

    def _stream_error(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        message = str(msg.get("message", ""))
        details = msg.get("additional_details")
        if isinstance(details, str) and details.strip():
            message = f"{message} ({details})"
        return [{"type": "error", "message": message}]

    def _warning(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        item: ThreadItem = {"id": self._item_id(), "type": "error", "message": str(msg.get("message", ""))}
        return [{"type": "item.completed", "item": item}]

    def _deprecation(self, msg: Mapping[str, Any]) -> list[ThreadEvent]:
        text = str(msg.get("summary", ""))
        details = msg.get("details")
        if details:
            text = f"{text}\n{details}"
        item: ThreadItem = {"id": self._item_id(), "type": "error", "message": text}
        return [{"type": "item.completed", "item": item}]

    _HANDLERS: ClassVar[dict[str, Callable[[JsonlMapper, Mapping[str, Any]], list[ThreadEvent]]]] = {
        "session_configured": _session_configured,
        "task_started": _task_started,
        "task_complete": _task_complete,
        "agent_message": _agent_message,
        "exec_command_begin": _exec_begin,
        "exec_command_end": _exec_end,
        "patch_apply_begin": _patch_begin,
        "patch_apply_end": _patch_end,
        "mcp_tool_call_begin": _mcp_begin,
        "mcp_tool_call_end": _mcp_end,
        "web_search_end": _web_search_end,
        "plan_update": _plan_update,
        "token_count": _token_count,
        "error": _error,
        "stream_error": _stream_error,
        "warning": _warning,
        "deprecation_notice": _deprecation,
    }
    """What each event type does."""

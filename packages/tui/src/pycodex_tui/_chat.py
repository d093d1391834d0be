"""The chat's state, driven by core events: what is committed to the scrollback, what is live."""

from __future__ import annotations

import json
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ._cells import (
    DIM,
    ExecCell,
    agent_lines,
    command_text,
    error_cell,
    info_cell,
    patch_cell,
    plan_cell,
    reasoning_lines,
    user_cell,
    warning_cell,
)
from ._json import as_list, as_map
from ._markdown import MarkdownStream, render_inline, render_markdown
from ._text import Line

__all__ = ["INTERRUPTED", "ChatState", "Pending", "Usage"]

INTERRUPTED = "Conversation interrupted - tell the model what to do differently."
_TITLE = re.compile(r"\*\*(.+?)\*\*")


@dataclass
class Usage:
    """Token usage of the thread, from `token_count`."""

    input: int = 0
    cached: int = 0
    output: int = 0
    total: int = 0
    last_total: int = 0
    context_window: int | None = None

    def context_left_percent(self) -> int | None:
        """Percent of the context window left, as Codex estimates it (baseline of 12k tokens)."""
        if not self.context_window:
            return None
        baseline = 12_000
        if self.context_window <= baseline:
            return 0
        used = max(self.last_total - baseline, 0)
        return max(0, min(100, round(100 - used * 100 / (self.context_window - baseline))))


@dataclass
class Pending:
    """An approval the user has to answer."""

    kind: str
    """`exec` or `patch`."""
    msg: Mapping[str, Any]


@dataclass
class _Stream:
    md: MarkdownStream = field(default_factory=MarkdownStream)
    committed: int = 0


class ChatState:
    """Consumes event payloads; calls `commit(lines)` for what goes to the scrollback."""

    def __init__(self, commit: Callable[[list[Line]], None], *, show_reasoning: bool = True) -> None:
        self._commit = commit
        self.show_reasoning = show_reasoning
        self.running = False
        self.turn_started = 0.0
        self.header = "Working"
        self.usage = Usage()
        self.approvals: deque[Pending] = deque()
        self.execs: dict[str, ExecCell] = {}
        self.patches: dict[str, Mapping[str, Any]] = {}
        self.session: dict[str, Any] = {}
        self.last_agent_message: str | None = None
        self.turn_diff = ""
        self.cwd = ""
        self._agent: _Stream | None = None
        self._reasoning: _Stream | None = None
        self.on_turn_end: Callable[[str, str | None], None] | None = None
        """Called with (`completed` | `interrupted`, last agent message) when a turn ends."""

    def commit(self, lines: list[Line]) -> None:
        """Commit a finished cell, followed by a blank line."""
        self._commit([*lines, []])

    # -- streams ---------------------------------------------------------------------------

    def _stream_push(self, which: str, delta: str) -> None:
        stream = getattr(self, which)
        if stream is None:
            stream = _Stream()
            setattr(self, which, stream)
        lines = stream.md.push(delta)
        self._emit_stream(which, stream, lines)

    def _emit_stream(self, which: str, stream: _Stream, lines: list[Line]) -> None:
        if not lines:
            return
        if stream.committed == 0:
            while lines and not "".join(t for _, t in lines[0]).strip():
                lines = lines[1:]
            if not lines:
                return
        shape = agent_lines if which == "_agent" else reasoning_lines
        if which == "_reasoning" and not self.show_reasoning:
            stream.committed += len(lines)
            return
        self._commit(shape(lines, first=stream.committed == 0))
        stream.committed += len(lines)

    def _stream_finish(self, which: str, full_text: str | None = None) -> None:
        stream: _Stream | None = getattr(self, which)
        setattr(self, which, None)
        if stream is None or not stream.md.received:
            if full_text and full_text.strip():
                stream = _Stream()
                self._emit_stream(which, stream, render_markdown(full_text.strip("\n")))
                if stream.committed and (which == "_agent" or self.show_reasoning):
                    self._commit([[]])
            return
        lines = stream.md.finish()
        while lines and not "".join(t for _, t in lines[-1]).strip():
            lines.pop()
        self._emit_stream(which, stream, lines)
        if stream.committed and (which == "_agent" or self.show_reasoning):
            self._commit([[]])

    def flush_streams(self) -> None:
        """Commit whatever is still streaming (at turn end, interrupt or quit)."""
        self._stream_finish("_reasoning")
        self._stream_finish("_agent")

    def pending_line(self) -> Line | None:
        """The incomplete line of the agent message being streamed (not committed yet)."""
        if self._agent is None or not self._agent.md.pending:
            return None
        shown = self._agent.md.pending[-2000:]  # the live line is redrawn on every key: keep it short
        return [("", "• " if self._agent.committed == 0 else "  "), *render_inline(shown)]

    # -- events ----------------------------------------------------------------------------

    def handle(self, msg: Mapping[str, Any]) -> None:
        """Apply one event payload."""
        kind = str(msg.get("type", ""))
        handler = getattr(self, f"_on_{kind}", None)
        if handler is not None:
            handler(msg)

    def replay(self, messages: list[Any]) -> None:
        """Render a resumed session's `initial_messages` (turns rolled back since are left out)."""
        for m in _without_rolled_back(messages):
            if m.get("type") == "user_message":
                self.commit(user_cell(str(m.get("message", ""))))
            elif m.get("type") in ("agent_message", "agent_reasoning", "exec_command_end", "patch_apply_end", "error"):
                self.handle(m)
        self.running = False

    def _on_session_configured(self, msg: Mapping[str, Any]) -> None:
        self.session = dict(msg)
        self.cwd = str(msg.get("cwd", ""))
        initial = as_list(msg.get("initial_messages"))
        if initial:
            self.replay(initial)

    def _on_task_started(self, msg: Mapping[str, Any]) -> None:
        self.running = True
        self.turn_started = time.monotonic()
        self.header = "Working"
        window = msg.get("model_context_window")
        if isinstance(window, int):
            self.usage.context_window = window

    def _on_agent_message_delta(self, msg: Mapping[str, Any]) -> None:
        if self._reasoning is not None:
            self._stream_finish("_reasoning")
        self._stream_push("_agent", str(msg.get("delta", "")))

    def _on_agent_message(self, msg: Mapping[str, Any]) -> None:
        text = str(msg.get("message", ""))
        self._stream_finish("_reasoning")
        self._stream_finish("_agent", text)
        self.last_agent_message = text

    def _on_agent_reasoning_delta(self, msg: Mapping[str, Any]) -> None:
        self._stream_push("_reasoning", str(msg.get("delta", "")))
        assert self._reasoning is not None
        found = _TITLE.search(self._reasoning.md.head)
        if found:
            self.header = found.group(1).strip()

    def _on_agent_reasoning(self, msg: Mapping[str, Any]) -> None:
        text = str(msg.get("text", ""))
        found = _TITLE.search(text)
        if found:
            self.header = found.group(1).strip()
        self._stream_finish("_reasoning", text)

    def _on_agent_reasoning_section_break(self, msg: Mapping[str, Any]) -> None:
        self._stream_finish("_reasoning")

    def _on_exec_command_begin(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        call_id = str(msg.get("call_id", ""))
        cell = ExecCell(call_id, command_text(msg.get("command", [])), user_shell=msg.get("source") == "user_shell")
        self.execs[call_id] = cell

    def _on_exec_command_output_delta(self, msg: Mapping[str, Any]) -> None:
        cell = self.execs.get(str(msg.get("call_id", "")))
        if cell is not None:
            cell.add_output(msg.get("chunk"))

    def _on_exec_command_end(self, msg: Mapping[str, Any]) -> None:
        call_id = str(msg.get("call_id", ""))
        cell = self.execs.pop(call_id, None) or ExecCell(call_id, command_text(msg.get("command", [])))
        cell.finish(msg)
        self.commit(cell.lines())

    def _on_exec_approval_request(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        self.approvals.append(Pending("exec", msg))

    def _on_apply_patch_approval_request(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        self.approvals.append(Pending("patch", msg))

    def _on_patch_apply_begin(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        changes = as_map(msg.get("changes"))
        if changes:
            self.patches[str(msg.get("call_id", ""))] = changes

    def _on_patch_apply_end(self, msg: Mapping[str, Any]) -> None:
        changes = self.patches.pop(str(msg.get("call_id", "")), None) or as_map(msg.get("changes"))
        status = msg.get("status")
        if status == "declined":
            self.commit([[("fg:ansired bold", "• "), ("bold", "Patch rejected"), (DIM, f" {msg.get('stderr') or ''}")]])
            return
        if changes:
            self.commit(patch_cell(changes, cwd=self.cwd))
        if not msg.get("success", status == "completed"):
            self.commit(error_cell(f"Patch failed: {str(msg.get('stderr') or '').strip()}"))

    def _on_turn_diff(self, msg: Mapping[str, Any]) -> None:
        self.turn_diff = str(msg.get("unified_diff", ""))

    def _on_plan_update(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        self.commit(plan_cell(msg))

    def _on_token_count(self, msg: Mapping[str, Any]) -> None:
        inf = as_map(msg.get("info"))
        if not inf:
            return
        t, lt = as_map(inf.get("total_token_usage")), as_map(inf.get("last_token_usage"))
        if t:
            self.usage.input = int(t.get("input_tokens", 0) or 0)
            self.usage.cached = int(t.get("cached_input_tokens", 0) or 0)
            self.usage.output = int(t.get("output_tokens", 0) or 0)
            self.usage.total = int(t.get("total_tokens", 0) or 0)
        if lt:
            self.usage.last_total = int(lt.get("total_tokens", 0) or 0)
        window = inf.get("model_context_window")
        if isinstance(window, int):
            self.usage.context_window = window

    def _on_error(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        self.commit(error_cell(str(msg.get("message", ""))))

    def _on_stream_error(self, msg: Mapping[str, Any]) -> None:
        self.commit(warning_cell(str(msg.get("message", ""))))

    def _on_warning(self, msg: Mapping[str, Any]) -> None:
        self.commit(warning_cell(str(msg.get("message", ""))))

    def _on_thread_rolled_back(self, msg: Mapping[str, Any]) -> None:
        n = msg.get("num_turns")
        turns = "1 turn" if n == 1 else f"{n} turns"
        self.commit(info_cell(f"↶ Rolled back {turns}: the model no longer sees them; the chat continues from here."))

    def _on_background_event(self, msg: Mapping[str, Any]) -> None:
        self.commit(info_cell(str(msg.get("message", ""))))

    def _on_guardian_assessment(self, msg: Mapping[str, Any]) -> None:
        status = str(msg.get("status", ""))
        if status == "in_progress":
            return
        text = f"Auto review: {status} ({msg.get('risk_level') or 'unknown'} risk)"
        if msg.get("rationale"):
            text += f": {msg['rationale']}"
        self.commit(info_cell(text) if status == "approved" else warning_cell(text))

    def _on_context_compacted(self, msg: Mapping[str, Any]) -> None:
        self.commit(info_cell("Context compacted"))

    def _on_web_search_end(self, msg: Mapping[str, Any]) -> None:
        self.commit([[("bold", "• "), ("bold", "Searched "), ("", str(msg.get("query", "")))]])

    def _on_view_image_tool_call(self, msg: Mapping[str, Any]) -> None:
        self.commit([[("bold", "• "), ("bold", "Viewed Image "), ("", str(msg.get("path", "")))]])

    def _on_mcp_tool_call_end(self, msg: Mapping[str, Any]) -> None:
        inv = as_map(msg.get("invocation"))
        args = json.dumps(inv.get("arguments") or {}, ensure_ascii=False)
        result = msg.get("result")
        ok = isinstance(result, Mapping) and "Ok" in result
        bullet = ("fg:ansigreen bold" if ok else "fg:ansired bold", "• ")
        name = f"{inv.get('server', '?')}.{inv.get('tool', '?')}"
        self.commit([[bullet, ("bold", "Called "), ("", f"{name}({args})")]])

    def _on_task_complete(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        self.running = False
        last = msg.get("last_agent_message")
        if isinstance(last, str):
            self.last_agent_message = last
        if self.on_turn_end is not None:
            self.on_turn_end("completed", self.last_agent_message)

    def _on_turn_aborted(self, msg: Mapping[str, Any]) -> None:
        self.flush_streams()
        for cell in list(self.execs.values()):
            cell.status = "interrupted"
            self.commit(cell.lines())
        self.execs.clear()
        self.approvals.clear()
        self.running = False
        self.commit(error_cell(INTERRUPTED))
        if self.on_turn_end is not None:
            self.on_turn_end("interrupted", None)


def _without_rolled_back(messages: list[Any]) -> list[Mapping[str, Any]]:
    """`messages` without the turns a later `thread_rolled_back` dropped (a turn starts at a `user_message`)."""
    kept: list[Mapping[str, Any]] = []
    for m in map(as_map, messages):
        n = m.get("num_turns")
        if m.get("type") != "thread_rolled_back" or not isinstance(n, int) or isinstance(n, bool) or n < 1:
            kept.append(m)
            continue
        starts = [i for i, k in enumerate(kept) if k.get("type") == "user_message"]
        if starts:
            del kept[starts[-min(n, len(starts))] :]
    return kept

"""Codex threads kept alive between tool calls, and one turn driven to its end.

Every `codex` call starts a `pycodex_core.Codex` session in the server's task group; the
session lives until the server stops, so `codex-reply` can continue it. A turn forwards every
event to the client, turns approval requests into elicitations, and returns the last message.
"""

from __future__ import annotations

import logging
import shlex
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from anyio.abc import TaskGroup, TaskStatus

from .errors import McpServerError

logger = logging.getLogger(__name__)

__all__ = ["Elicit", "Notify", "Thread", "Threads", "approval_request", "decision_from_reply"]

Notify = Callable[[dict[str, Any]], Awaitable[None]]
"""Sends one core event to the client (as a `codex/event` notification)."""
Elicit = Callable[[dict[str, Any]], Awaitable[dict[str, Any]]]
"""Sends `elicitation/create` with these params and returns the client's raw result."""

_DECISIONS = ("approved", "approved_for_session", "denied", "abort", "timed_out")


@dataclass
class Thread:
    """One live session."""

    codex: Any
    """The `pycodex_core.Codex` handle."""
    thread_id: str
    lock: anyio.Lock = field(default_factory=anyio.Lock)
    """One turn at a time."""
    stop: anyio.Event = field(default_factory=anyio.Event)


class Threads:
    """The live threads of one server connection."""

    def __init__(self, tg: TaskGroup, start_codex: Callable[[Any], Any]) -> None:
        self._tg = tg
        self._start_codex = start_codex
        self._threads: dict[str, Thread] = {}

    async def start(self, config: Any) -> Thread:
        """Start a session for `config` and return it once it runs.

        Raises:
            McpServerError: the session could not start.
        """
        try:
            thread: Thread = await self._tg.start(self._hold, config)
        except Exception as exc:  # core raises several kinds; the client gets one line
            raise McpServerError(f"Failed to start Codex session: {exc}") from exc
        self._threads[thread.thread_id] = thread
        return thread

    async def _hold(self, config: Any, *, task_status: TaskStatus[Thread]) -> None:
        async with self._start_codex(config) as codex:
            thread = Thread(codex, codex.thread_id)
            task_status.started(thread)
            await thread.stop.wait()

    def get(self, thread_id: str) -> Thread | None:
        """The live thread with this id."""
        return self._threads.get(thread_id)

    def close_all(self) -> None:
        """Let every session shut down."""
        for thread in self._threads.values():
            thread.stop.set()


def approval_request(msg: Mapping[str, Any], thread_id: str, event_id: str, tool_call_id: object) -> dict[str, Any]:
    """The `elicitation/create` params for an `exec_approval_request` or `apply_patch_approval_request`."""
    base: dict[str, Any] = {
        "requestedSchema": {"type": "object", "properties": {}},
        "threadId": thread_id,
        "codex_mcp_tool_call_id": tool_call_id,
        "codex_event_id": event_id,
        "codex_call_id": msg.get("call_id"),
    }
    if msg.get("type") == "exec_approval_request":
        command = [str(a) for a in msg.get("command") or []]
        cwd = str(msg.get("cwd", ""))
        return base | {
            "message": f"Allow Codex to run `{shlex.join(command)}` in `{cwd}`?",
            "codex_elicitation": "exec-approval",
            "codex_command": command,
            "codex_cwd": cwd,
            "codex_parsed_cmd": msg.get("parsed_cmd") or [],
        }
    changes = msg.get("changes") or {}
    return base | {
        "message": f"Allow Codex to apply the proposed changes to {len(changes)} file(s)?",
        "codex_elicitation": "patch-approval",
        "codex_reason": msg.get("reason"),
        "codex_grant_root": msg.get("grant_root"),
        "codex_changes": changes,
    }


def decision_from_reply(reply: Mapping[str, Any]) -> str:
    """A `ReviewDecision` from the client's answer.

    Accepts Codex's own `{"decision": "approved"}` as well as a standard MCP `ElicitResult`
    (`action` accept / decline / cancel, optionally `content.decision`). Anything else is a denial.
    """
    decision = reply.get("decision")
    content = reply.get("content")
    if decision is None and isinstance(content, Mapping):
        decision = content.get("decision")
    if isinstance(decision, str) and decision in _DECISIONS:
        return decision
    action = reply.get("action")
    return {"accept": "approved", "decline": "denied", "cancel": "abort"}.get(str(action), "denied")


INTERRUPT_DRAIN_S = 10.0
"""How long a cancelled call waits for its interrupted turn to end before the call is let go."""


async def run_turn(thread: Thread, prompt: str, *, notify: Notify, elicit: Elicit, tool_call_id: object) -> str:
    """Submit `prompt`, forward events until the turn ends, and return the last agent message.

    When the call is cancelled (the client sent `notifications/cancelled` for it), the turn is
    interrupted and its remaining events are read up to `turn_aborted`, so the thread is idle and
    ready for `codex-reply`.

    Raises:
        McpServerError: the turn failed or was aborted (the text says why).
    """
    async with thread.lock:
        codex = thread.codex
        sub_id = await codex.submit(
            {"type": "user_input", "items": [{"type": "text", "text": prompt, "text_elements": []}]}
        )
        try:
            return await _follow(thread, sub_id, notify, elicit, tool_call_id)
        except anyio.get_cancelled_exc_class():
            with anyio.CancelScope(shield=True):
                await _interrupt(thread, sub_id, notify)
            raise


async def _follow(thread: Thread, sub_id: str, notify: Notify, elicit: Elicit, tool_call_id: object) -> str:
    codex = thread.codex
    last: str | None = None
    error: str | None = None
    while True:
        event = await codex.next_event()
        await notify(event)
        msg: dict[str, Any] = event["msg"]
        kind = msg.get("type")
        if kind in ("exec_approval_request", "apply_patch_approval_request"):
            reply = await elicit(approval_request(msg, thread.thread_id, str(event.get("id")), tool_call_id))
            op = "exec_approval" if kind == "exec_approval_request" else "patch_approval"
            await codex.submit({"type": op, "id": msg.get("call_id"), "decision": decision_from_reply(reply)})
        elif kind == "agent_message":
            last = str(msg.get("message", ""))
        elif kind == "error":
            error = str(msg.get("message", ""))
        elif kind == "task_complete" and event.get("id") == sub_id:
            final = msg.get("last_agent_message")
            if error is not None and final is None and last is None:
                raise McpServerError(error)
            return str(final if isinstance(final, str) else last or "")
        elif kind == "turn_aborted":
            raise McpServerError(f"the turn was aborted ({msg.get('reason', 'interrupted')})")


async def _interrupt(thread: Thread, sub_id: str, notify: Notify) -> None:
    """Interrupt the running turn and read its events until it has ended (bounded)."""
    from pycodex_core import SessionClosed

    codex = thread.codex
    logger.info("MCP call cancelled: interrupting the turn of thread %s", thread.thread_id)
    try:
        await codex.submit({"type": "interrupt"})
        with anyio.move_on_after(INTERRUPT_DRAIN_S):
            while True:
                event = await codex.next_event()
                await notify(event)
                kind = event["msg"].get("type")
                if kind == "turn_aborted" or (kind == "task_complete" and event.get("id") == sub_id):
                    return
        logger.warning(
            "thread %s did not end its turn within %.0f s of an interrupt", thread.thread_id, INTERRUPT_DRAIN_S
        )
    except SessionClosed:
        logger.debug("thread %s closed while being interrupted", thread.thread_id)


def resolve_cwd(value: object, base: Path) -> Path:
    """`cwd` of a `codex` call: relative paths are taken from the server's working directory."""
    path = Path(str(value)).expanduser()
    return (path if path.is_absolute() else base / path).resolve()

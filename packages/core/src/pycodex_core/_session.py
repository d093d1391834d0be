"""Session state and the submission loop (Codex's SQ/EQ pair)."""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio
from anyio.abc import ObjectReceiveStream
from anyio.streams.memory import MemoryObjectSendStream

from ._context import TurnContext, base_instructions_item, default_shell, initial_context_items, user_message
from ._ids import uuid7
from ._images import local_image_parts
from ._prompts import TURN_ABORTED_MARKER
from ._tools._exec import ProcessManager
from ._tools._patch import TurnDiffTracker
from ._tools._specs import build_tools
from ._truncate import truncate_middle_bytes

if TYPE_CHECKING:
    from ._rollout import RolloutRecorder
    from ._shell_snapshot import ShellSnapshot

__all__ = ["Session"]

logger = logging.getLogger(__name__)

_OUTPUT_TYPES = ("function_call_output", "custom_tool_call_output")
_CALL_TYPES = ("function_call", "custom_tool_call", "local_shell_call")


class _ActiveTurn:
    def __init__(self, sub_id: str, ctx: TurnContext | None) -> None:
        self.sub_id = sub_id
        self.ctx = ctx
        self.scope = anyio.CancelScope()
        self.done = anyio.Event()


class Session:
    """One thread: its history, settings, processes and rollout; runs turns for submitted ops."""

    def __init__(
        self,
        config: Any,
        *,
        transport: Any,
        thread_id: str,
        events: MemoryObjectSendStream[dict[str, Any]],
        rollout: RolloutRecorder | None,
        model_info: Any,
        history: list[dict[str, Any]] | None = None,
    ) -> None:
        from ._agents_md import load_user_instructions

        self.config = config
        self.transport = transport
        self.thread_id = thread_id
        self.model_info = model_info
        self.rollout = rollout
        self.history: list[dict[str, Any]] = list(history or [])
        self.initial_context_len = 2 if self.history else 0
        self.last_permissions: tuple[str, str] | None = None
        """Sandbox mode and approval policy of the last turn (from the rollout when resuming)."""
        self.base_instructions = base_instructions_item(config)
        """The first `developer` message of every request (not part of the history)."""
        self.shell = default_shell()
        self.processes = ProcessManager()
        self.plan_tool_enabled = bool(getattr(config, "tools_update_plan", False))
        self.show_raw_reasoning = bool(getattr(config, "show_raw_agent_reasoning", False))
        self.user_instructions = load_user_instructions(config)
        self.total_usage: dict[str, int] = {}
        self.last_usage: dict[str, Any] | None = None
        self.rate_limits: dict[str, Any] | None = None
        self._events = events
        self._env: dict[str, str] | None = None
        self._warned: set[str] = set()
        self._approvals: dict[str, tuple[anyio.Event, list[Any]]] = {}
        self._active: _ActiveTurn | None = None
        self._pending_input: list[dict[str, Any]] = []
        self._diff_trackers: dict[str, TurnDiffTracker] = {}
        self._turn_started = 0.0
        self.turn_started_unix_ms = 0
        """Wall-clock start of the current turn (sent in the turn metadata)."""
        self._first_token: float | None = None
        self._overrides: dict[str, Any] = {}
        self._closed = False
        self.shell_snapshot: ShellSnapshot | None = None
        """The login-shell snapshot (created by `run` when the `shell_snapshot` feature is on)."""

    # -- events and history -----------------------------------------------------------------

    def emit(self, sub_id: str, msg: dict[str, Any]) -> None:
        """Send `Event{id: sub_id, msg}` to the front end and record it in the rollout if it persists."""
        if self.rollout is not None:
            self.rollout.record_event(msg)
        if not self._closed:
            try:
                self._events.send_nowait({"id": sub_id, "msg": msg})
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                self._closed = True

    def record_item(self, item: dict[str, Any]) -> None:
        """Append a response item to history and the rollout."""
        self.history.append(item)
        if self.rollout is not None:
            self.rollout.record_item(item)

    def replace_history(self, items: list[dict[str, Any]], message: str, *, initial_len: int) -> None:
        """Install a compacted history (written as a `compacted` rollout line)."""
        self.history = items
        self.initial_context_len = initial_len
        self.last_usage = None
        if self.rollout is not None:
            self.rollout.record("compacted", {"message": message, "replacement_history": items})

    def warn_once(self, sub_id: str, key: str, message: str) -> None:
        """Emit a `warning` event the first time `key` is seen in this session."""
        if key not in self._warned:
            self._warned.add(key)
            self.emit(sub_id, {"type": "warning", "message": message})

    # -- settings ---------------------------------------------------------------------------

    def command_env(self) -> dict[str, str]:
        """The environment of spawned commands: `shell_environment_policy` applied, plus `CODEX_THREAD_ID`."""
        if self._env is None:
            from pycodex_config import create_env

            self._env = create_env(self.config.shell_environment_policy, os.environ, thread_id=self.thread_id)
        return self._env

    def spawn_argv(self, argv: list[str]) -> list[str]:
        """The argv actually spawned for a command shown as `argv` (`-lc` replaced by the shell snapshot)."""
        snapshot = self.shell_snapshot
        return snapshot.wrap(argv) if snapshot is not None else argv

    def _start_shell_snapshot(self, tg: anyio.abc.TaskGroup) -> None:
        features = getattr(self.config, "feature_enabled", None)
        if callable(features) and not features("shell_snapshot"):
            return
        from ._shell_snapshot import ShellSnapshot, shell_kind

        if shell_kind(self.shell) is None:
            return
        home = getattr(self.config, "codex_home", None)
        if home is None:
            return
        path = Path(home) / "shell_snapshots" / f"{self.thread_id}.sh"
        policy = getattr(self.config, "shell_environment_policy", None)
        cwd = getattr(self.config, "cwd", None)
        self.shell_snapshot = ShellSnapshot(self.shell, path, policy=policy, cwd=Path(cwd) if cwd is not None else None)
        tg.start_soon(self.shell_snapshot.build, self.command_env())

    def close_shell_snapshot(self) -> None:
        """Delete the session's snapshot file (idempotent)."""
        if self.shell_snapshot is not None:
            self.shell_snapshot.remove()

    def context_window(self) -> int | None:
        """The model's context window in tokens (config override first)."""
        value = getattr(self.config, "model_context_window", None) or getattr(self.model_info, "context_window", None)
        return int(value) if value else None

    def effective_context_window(self) -> int | None:
        """95% of the context window, as Codex reports it."""
        window = self.context_window()
        return window * 95 // 100 if window else None

    def auto_compact_limit(self) -> int | None:
        """Token count that triggers automatic compaction."""
        candidates = [
            int(v)
            for v in (
                getattr(self.config, "model_auto_compact_token_limit", None),
                getattr(self.model_info, "auto_compact_token_limit", None),
            )
            if v
        ]
        window = self.context_window()
        if window:
            candidates.append(window * 9 // 10)
        return min(candidates) if candidates else None

    def truncate_for_history(self, text: str) -> str:
        """Cut a tool output to the model's `truncation_bytes` before it enters history."""
        limit = getattr(self.model_info, "truncation_bytes", None)
        return truncate_middle_bytes(text, int(limit) * 6 // 5) if limit else text  # Codex's 20 % header budget

    def make_turn_context(self, sub_id: str, op: dict[str, Any]) -> TurnContext:
        """Settings for a new turn: session defaults, `override_turn_context`, then the op's own fields."""
        from pycodex_model_client import model_info as lookup_model_info

        settings = {
            "cwd": Path(self.config.cwd),
            "model": self.config.model,
            "approval_policy": self.config.approval_policy,
            "sandbox_policy": dict(self.config.sandbox_policy),
            "effort": None,
            "summary": None,
        }
        settings.update(self._overrides)
        for key in ("cwd", "model", "approval_policy", "sandbox_policy", "effort", "summary"):
            if op.get(key) is not None:
                settings[key] = Path(op[key]) if key == "cwd" else op[key]
        model = str(settings["model"])
        info = self.model_info if model == self.config.model else lookup_model_info(model)
        ctx = TurnContext(
            sub_id=sub_id,
            turn_id=uuid7(),
            cwd=settings["cwd"],
            model=model,
            model_info=info,
            approval_policy=str(settings["approval_policy"]),
            sandbox_policy=settings["sandbox_policy"],
            effort=settings["effort"],
            summary=settings["summary"],
            final_output_json_schema=op.get("final_output_json_schema"),
        )
        ctx.tools = build_tools(info, self.config)
        return ctx

    # -- turn bookkeeping -------------------------------------------------------------------

    def begin_turn(self, ctx: TurnContext) -> None:
        """Reset per-turn timers."""
        self._turn_started = time.monotonic()
        self.turn_started_unix_ms = int(time.time() * 1000)
        self._first_token = None

    def note_first_token(self) -> None:
        """Remember when the first stream event of the turn arrived."""
        if self._first_token is None:
            self._first_token = time.monotonic()

    def time_to_first_token_ms(self) -> int | None:
        """Milliseconds from turn start to the first stream event."""
        if self._first_token is None:
            return None
        return int((self._first_token - self._turn_started) * 1000)

    def turn_diff_tracker(self, ctx: TurnContext) -> TurnDiffTracker:
        """The turn's diff tracker (created on first use)."""
        tracker = self._diff_trackers.get(ctx.turn_id)
        if tracker is None:
            tracker = self._diff_trackers[ctx.turn_id] = TurnDiffTracker(ctx.cwd)
        return tracker

    def add_usage(self, usage: dict[str, Any]) -> None:
        """Add one response's usage to the running total."""
        from ._turn import add_usage

        add_usage(self.total_usage, usage)
        self.last_usage = usage

    def emit_token_count(self, ctx: TurnContext) -> None:
        """Emit `token_count` with total and last usage."""
        info = None
        if self.last_usage is not None:
            info = {
                "total_token_usage": dict(self.total_usage),
                "last_token_usage": dict(self.last_usage),
                "model_context_window": self.effective_context_window(),
            }
        self.emit(ctx.sub_id, {"type": "token_count", "info": info, "rate_limits": self.rate_limits})

    def record_turn_context(self, ctx: TurnContext) -> None:
        """Write the `turn_context` rollout line."""
        if self.rollout is None:
            return
        from datetime import datetime

        payload: dict[str, Any] = {
            "turn_id": ctx.turn_id,
            "cwd": str(ctx.cwd),
            "current_date": datetime.now().astimezone().date().isoformat(),
            "approval_policy": ctx.approval_policy,
            "sandbox_policy": ctx.sandbox_policy,
            "model": ctx.model,
            "effort": ctx.effort or getattr(self.config, "model_reasoning_effort", None),
            "summary": ctx.summary or getattr(self.config, "model_reasoning_summary", None) or "auto",
        }
        if self.user_instructions:
            payload["user_instructions"] = self.user_instructions
        if ctx.final_output_json_schema is not None:
            payload["final_output_json_schema"] = ctx.final_output_json_schema
        self.rollout.record("turn_context", payload)

    def ensure_initial_context(self, ctx: TurnContext) -> None:
        """Record permissions and environment context at the start of a new thread.

        A later turn (or a resumed thread) whose sandbox mode or approval policy differs from the last
        turn's gets a new permissions message, as in Codex.
        """
        from ._prompts import permissions_text
        from ._rollout import turn_permissions

        current = turn_permissions(ctx.sandbox_policy, ctx.approval_policy)
        previous, self.last_permissions = self.last_permissions, current
        if self.initial_context_len:
            if previous is not None and current != previous:
                roots = ctx.writable_roots if ctx.sandbox_mode == "workspace-write" else []
                text = permissions_text(ctx.sandbox_policy, ctx.approval_policy, roots)
                self.record_item(
                    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": text}]}
                )
            return
        items = initial_context_items(self.config, ctx, self.user_instructions, self.shell)
        for item in items:
            self.record_item(item)
        self.initial_context_len = len(items)

    def record_user_input(self, ctx: TurnContext, inputs: list[dict[str, Any]]) -> None:
        """Record the user's input as one user message and emit `user_message`."""
        content: list[dict[str, Any]] = []
        texts: list[str] = []
        images: list[str] = []
        local_images: list[str] = []
        for index, entry in enumerate(inputs, start=1):
            kind = entry.get("type")
            if kind == "text":
                texts.append(str(entry.get("text", "")))
                content.append({"type": "input_text", "text": str(entry.get("text", ""))})
            elif kind == "image":
                images.append(str(entry.get("image_url", "")))
                content.append({"type": "input_image", "image_url": str(entry.get("image_url", ""))})
            elif kind == "local_image":
                path = Path(str(entry.get("path", "")))
                local_images.append(str(path))
                content += local_image_parts(path, index)
        if not content:
            return
        self.record_item({"type": "message", "role": "user", "content": content})
        self.emit(
            ctx.sub_id,
            {
                "type": "user_message",
                "message": "\n".join(texts),
                "images": images or None,
                "local_images": local_images,
                "text_elements": [],
            },
        )

    def take_pending_input(self) -> list[dict[str, Any]]:
        """User input submitted while the turn was running (consumed)."""
        pending, self._pending_input = self._pending_input, []
        return pending

    # -- approvals --------------------------------------------------------------------------

    async def _wait_decision(self, key: str) -> str:
        event = anyio.Event()
        slot: list[Any] = []
        self._approvals[key] = (event, slot)
        try:
            await event.wait()
        finally:
            self._approvals.pop(key, None)
        decision = slot[0] if slot else "denied"
        if isinstance(decision, dict):
            return "approved" if any(str(k).startswith("approved") for k in decision) else "denied"
        return str(decision)

    async def request_exec_approval(self, ctx: TurnContext, call_id: str, command: list[str]) -> str:
        """Ask the front end to approve a command (`exec_approval_request`) and wait for `exec_approval`."""
        self.emit(
            ctx.sub_id,
            {
                "type": "exec_approval_request",
                "call_id": call_id,
                "turn_id": ctx.turn_id,
                "command": command,
                "cwd": str(ctx.cwd),
                "parsed_cmd": [{"type": "unknown", "cmd": command[-1] if command else ""}],
            },
        )
        return await self._wait_decision(call_id)

    async def request_patch_approval(self, ctx: TurnContext, call_id: str, changes: dict[str, Any]) -> str:
        """Ask the front end to approve a patch (`apply_patch_approval_request`) and wait for `patch_approval`."""
        self.emit(
            ctx.sub_id,
            {"type": "apply_patch_approval_request", "call_id": call_id, "turn_id": ctx.turn_id, "changes": changes},
        )
        return await self._wait_decision(call_id)

    # -- submission loop --------------------------------------------------------------------

    async def run(self, submissions: ObjectReceiveStream[dict[str, Any]]) -> None:
        """Handle submissions until `shutdown` (or the stream closes), then emit `shutdown_complete`."""
        shutdown_id = ""
        async with submissions, self._events:
            async with anyio.create_task_group() as tg:
                self._start_shell_snapshot(tg)
                async for submission in submissions:
                    sub_id = str(submission.get("id", ""))
                    op = submission.get("op") or {}
                    if op.get("type") == "shutdown":
                        shutdown_id = sub_id
                        break
                    self._handle_op(tg, sub_id, op)
                if self._active is not None:
                    self._active.scope.cancel()
                    await self._active.done.wait()
                tg.cancel_scope.cancel()
            await self.processes.kill_all()
            self.close_shell_snapshot()
            self.emit(shutdown_id, {"type": "shutdown_complete"})
            self._closed = True

    def _handle_op(self, tg: anyio.abc.TaskGroup, sub_id: str, op: dict[str, Any]) -> None:
        kind = op.get("type")
        if kind in ("user_input", "user_turn"):
            items = list(op.get("items") or [])
            if self._active is not None:
                self._pending_input += items
                return
            tg.start_soon(self._turn_task, sub_id, op, items)
        elif kind == "compact":
            if self._active is None:
                tg.start_soon(self._turn_task, sub_id, op, None)
        elif kind == "interrupt":
            if self._active is not None:
                self._active.scope.cancel()
        elif kind in ("exec_approval", "patch_approval"):
            waiter = self._approvals.get(str(op.get("id", "")))
            if waiter is not None:
                waiter[1].append(op.get("decision", "denied"))
                waiter[0].set()
        elif kind == "override_turn_context":
            for key in ("cwd", "model", "approval_policy", "sandbox_policy", "effort", "summary"):
                if op.get(key) is not None:
                    self._overrides[key] = op[key]
        else:
            logger.warning("ignoring unsupported op %r", kind)

    async def _turn_task(self, sub_id: str, op: dict[str, Any], items: list[dict[str, Any]] | None) -> None:
        from ._turn import run_turn

        active = self._active = _ActiveTurn(sub_id, None)
        try:
            with active.scope:
                ctx = active.ctx = self.make_turn_context(sub_id, op)
                if items is None:
                    await self._compact_task(ctx)
                else:
                    await run_turn(self, ctx, items)
            if active.scope.cancelled_caught and active.ctx is not None:
                self._abort_turn(active.ctx)
        finally:
            self._active = None
            active.done.set()
        pending = self.take_pending_input()
        if pending and not active.scope.cancelled_caught:
            await self._turn_task(sub_id, {"type": "user_input"}, pending)

    async def _compact_task(self, ctx: TurnContext) -> None:
        from ._compact import compact_history
        from ._turn import TurnFailed

        self.emit(
            ctx.sub_id,
            {
                "type": "task_started",
                "turn_id": ctx.turn_id,
                "started_at": int(time.time()),
                "model_context_window": self.effective_context_window(),
                "collaboration_mode_kind": "default",
            },
        )
        try:
            await compact_history(self, ctx)
        except TurnFailed as exc:
            self.emit(ctx.sub_id, {"type": "error", "message": exc.message})
        self.emit(ctx.sub_id, {"type": "task_complete", "turn_id": ctx.turn_id, "last_agent_message": None})

    def _abort_turn(self, ctx: TurnContext) -> None:
        # The command being waited on was stopped when its tool call was cancelled; background
        # terminals whose session id the model has seen keep running (Codex does the same).
        answered = {str(i.get("call_id")) for i in self.history if i.get("type") in _OUTPUT_TYPES}
        for item in list(self.history):
            if item.get("type") in _CALL_TYPES and str(item.get("call_id")) not in answered:
                kind = "custom_tool_call_output" if item["type"] == "custom_tool_call" else "function_call_output"
                self.record_item({"type": kind, "call_id": item.get("call_id"), "output": "aborted"})
        self.record_item(user_message(TURN_ABORTED_MARKER))
        self.emit(ctx.sub_id, {"type": "turn_aborted", "turn_id": ctx.turn_id, "reason": "interrupted"})

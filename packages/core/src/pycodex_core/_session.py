"""Session state: history, settings, usage, and the bookkeeping of turns (the op loop is in `_ops`)."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._context import TurnContext, TurnState, base_instructions_item, initial_context_items, split_approval_policy
from ._ids import uuid7
from ._images import local_image_parts
from ._truncate import truncate_middle_bytes

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo
    from pycodex_protocol import EventMsg, RateLimitSnapshot

    from ._services import SessionServices
    from ._tools._registry import ToolServices

__all__ = ["Session"]

logger = logging.getLogger(__name__)

SETTINGS = ("cwd", "model", "approval_policy", "sandbox_policy", "effort", "summary")


class Session:
    """One thread: its history, settings and usage; what it runs on is in `services`."""

    def __init__(
        self,
        config: Config,
        *,
        services: SessionServices,
        thread_id: str,
        model_info: ModelInfo,
        history: list[dict[str, Any]] | None = None,
    ) -> None:
        from ._agents_md import load_user_instructions

        self.config = config
        self.services = services
        self.tool_services: ToolServices = services.tool_services()
        """What tools may use (built once)."""
        self.thread_id = thread_id
        self.model_info = model_info
        self.history: list[dict[str, Any]] = list(history or [])
        self.initial_context_len = 2 if self.history else 0
        self.last_permissions: tuple[str, str] | None = None
        """Sandbox mode and approval policy of the last turn (from the rollout when resuming)."""
        self.base_instructions = base_instructions_item(config)
        """The first `developer` message of every request (not part of the history)."""
        self.shell = services.shell
        self.show_raw_reasoning = config.show_raw_agent_reasoning
        self.user_instructions = load_user_instructions(config)
        self.total_usage: dict[str, int] = {}
        self.last_usage: dict[str, Any] | None = None
        self.rate_limits: RateLimitSnapshot | None = None
        self.overrides: dict[str, Any] = {}
        """`override_turn_context` values, applied to every later turn."""
        self._pending_input: list[dict[str, Any]] = []
        self._pending_items: list[dict[str, Any]] = []

    # -- events and history -----------------------------------------------------------------

    def emit(self, sub_id: str, msg: EventMsg) -> None:
        """Send `Event{id: sub_id, msg}` to the front end and record it in the rollout if it persists."""
        self.services.emitter.emit(sub_id, msg)

    def emit_task_started(self, ctx: TurnContext) -> float:
        """Emit `task_started` for the task of `ctx`; returns its start time (for `task_complete`)."""
        started = time.time()
        self.emit(
            ctx.sub_id,
            {
                "type": "task_started",
                "turn_id": ctx.turn_id,
                "started_at": int(started),
                "model_context_window": self.effective_context_window(),
                "collaboration_mode_kind": "default",
            },
        )
        return started

    async def events_writable(self) -> None:
        """Wait while the front end lags behind the event channel's bounds (backpressure)."""
        await self.services.emitter.channel.wait_writable()

    def record_item(self, item: dict[str, Any]) -> None:
        """Append a response item to history and the rollout."""
        self.history.append(item)
        if self.services.rollout is not None:
            self.services.rollout.record_item(item)

    def inject_item(self, item: dict[str, Any]) -> None:
        """Keep a history item produced while a turn runs (a `!cmd` result) for that turn's next request."""
        self._pending_items.append(item)

    def record_pending_items(self) -> bool:
        """Record the items injected since the last call; whether there were any."""
        pending, self._pending_items = self._pending_items, []
        for item in pending:
            self.record_item(item)
        return bool(pending)

    def rollback(self, sub_id: str, num_turns: int) -> None:
        """Drop the last `num_turns` user turns from history and emit (and persist) `thread_rolled_back`."""
        from ._history import drop_last_user_turns

        kept = drop_last_user_turns(self.history, num_turns)
        if any(item.get("role") == "developer" for item in self.history[len(kept) :]):
            # A permissions update went with the dropped turns: the next turn states them again.
            self.last_permissions = ("", "")
        self.history = kept
        self.initial_context_len = min(self.initial_context_len, len(self.history))
        self.last_usage = None
        self.emit(sub_id, {"type": "thread_rolled_back", "num_turns": num_turns})

    def replace_history(self, items: list[dict[str, Any]], message: str, *, initial_len: int) -> None:
        """Install a compacted history (written as a `compacted` rollout line)."""
        self.history = items
        self.initial_context_len = initial_len
        self.last_usage = None
        if self.services.rollout is not None:
            self.services.rollout.record("compacted", {"message": message, "replacement_history": items})

    def warn_once(self, sub_id: str, key: str, message: str) -> None:
        """Emit a `warning` event the first time `key` is seen in this session."""
        self.services.emitter.warn_once(sub_id, key, message)

    # -- settings ---------------------------------------------------------------------------

    def context_window(self) -> int | None:
        """The model's context window in tokens (config override first)."""
        return self.config.model_context_window or self.model_info.context_window or None

    def effective_context_window(self) -> int | None:
        """95% of the context window, as Codex reports it."""
        window = self.context_window()
        return window * 95 // 100 if window else None

    def auto_compact_limit(self) -> int | None:
        """Token count that triggers automatic compaction."""
        configured = (self.config.model_auto_compact_token_limit, self.model_info.auto_compact_token_limit)
        candidates = [int(v) for v in configured if v]
        window = self.context_window()
        if window:
            candidates.append(window * 9 // 10)
        return min(candidates) if candidates else None

    def truncate_for_history(self, text: str) -> str:
        """Cut a tool output to the model's `truncation_bytes` before it enters history."""
        limit = self.model_info.truncation_bytes
        return truncate_middle_bytes(text, int(limit) * 6 // 5) if limit else text  # Codex's 20 % header budget

    def make_turn_context(self, sub_id: str, op: dict[str, Any]) -> TurnContext:
        """Settings for a new turn: session defaults, `override_turn_context`, then the op's own fields."""
        from pycodex_model_client import model_info as lookup_model_info

        settings: dict[str, Any] = {
            "cwd": Path(self.config.cwd),
            "model": self.config.model,
            "approval_policy": (
                {"granular": self.config.granular_approval}
                if self.config.granular_approval is not None
                else self.config.approval_policy
            ),
            "sandbox_policy": dict(self.config.sandbox_policy),
            "effort": None,
            "summary": None,
        }
        settings.update(self.overrides)
        for key in SETTINGS:
            if op.get(key) is not None:
                settings[key] = Path(op[key]) if key == "cwd" else op[key]
        approval, granular = split_approval_policy(settings["approval_policy"])
        model = str(settings["model"])
        info = self.model_info if model == self.config.model else lookup_model_info(model)
        ctx = TurnContext(
            sub_id=sub_id,
            turn_id=uuid7(),
            cwd=Path(settings["cwd"]),
            model=model,
            model_info=info,
            approval_policy=approval,
            sandbox_policy=settings["sandbox_policy"],
            granular=granular,
            effort=settings["effort"],
            summary=settings["summary"],
            final_output_json_schema=op.get("final_output_json_schema"),
        )
        ctx.tools = self.services.tools.specs(info)
        return ctx

    # -- turn bookkeeping -------------------------------------------------------------------

    def begin_turn(self, ctx: TurnContext) -> TurnState:
        """The state of a new turn (timers, diff tracker); it is dropped when the turn ends."""
        return TurnState(ctx)

    def add_usage(self, usage: dict[str, Any]) -> None:
        """Add one response's usage to the running total."""
        from ._sampling import add_usage

        add_usage(self.total_usage, usage)
        self.last_usage = usage

    def emit_token_count(self, ctx: TurnContext) -> None:
        """Emit `token_count` with total and last usage."""
        info: Any = None
        if self.last_usage is not None:
            info = {
                "total_token_usage": dict(self.total_usage),
                "last_token_usage": dict(self.last_usage),
                "model_context_window": self.effective_context_window(),
            }
        self.emit(ctx.sub_id, {"type": "token_count", "info": info, "rate_limits": self.rate_limits})

    def record_turn_context(self, ctx: TurnContext) -> None:
        """Write the `turn_context` rollout line."""
        if self.services.rollout is None:
            return
        from datetime import datetime

        payload: dict[str, Any] = {
            "turn_id": ctx.turn_id,
            "cwd": str(ctx.cwd),
            "current_date": datetime.now().astimezone().date().isoformat(),
            "approval_policy": ctx.wire_approval_policy,
            "sandbox_policy": ctx.sandbox_policy,
            "model": ctx.model,
            "effort": ctx.effort or self.config.model_reasoning_effort,
            "summary": ctx.summary or self.config.model_reasoning_summary or "auto",
        }
        if self.user_instructions:
            payload["user_instructions"] = self.user_instructions
        if ctx.final_output_json_schema is not None:
            payload["final_output_json_schema"] = ctx.final_output_json_schema
        self.services.rollout.record("turn_context", payload)

    def ensure_initial_context(self, ctx: TurnContext) -> None:
        """Record permissions and environment context at the start of a new thread.

        A later turn (or a resumed thread) whose sandbox mode or approval policy differs from the last
        turn's gets a new permissions message, as in Codex; one whose deferred MCP namespaces differ
        from those the history names gets an `Added` / `Removed deferred tool namespaces` message.
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
            for note in self.services.tools.developer_updates(ctx.model_info, self.history):  # MCP namespaces
                self.record_item(
                    {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": note}]}
                )
            return
        notes = self.services.tools.developer_notes(ctx.model_info)
        items = initial_context_items(self.config, ctx, self.user_instructions, self.shell, notes)
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

    def queue_input(self, items: list[dict[str, Any]]) -> None:
        """Keep input submitted while a turn runs, for that turn's next request."""
        self._pending_input += items

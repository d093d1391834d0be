"""`Codex`: the public handle on a running session (submit ops, receive events)."""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import anyio
from anyio.streams.memory import MemoryObjectReceiveStream, MemoryObjectSendStream

from ._ids import uuid7
from .errors import SessionClosed

__all__ = ["Codex", "ModelTransport"]

logger = logging.getLogger(__name__)

CORE_VERSION = "0.1.0"


class ModelTransport(Protocol):
    """What core needs from a model client: one streaming attempt per call (`ModelClient` fits)."""

    def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        """Send `request` (with extra HTTP `headers`) and yield `ResponseEvent`s until `Completed`."""
        ...


def _unknown_model_warning(slug: str) -> str:
    return (
        f"Model metadata for `{slug}` not found. Defaulting to fallback metadata; this can degrade performance "
        "and cause issues."
    )


class Codex:
    """A running session. Create one with `async with Codex.start(config) as codex:`.

    Submit `Op` dicts with `submit`; read `Event` dicts with `next_event` or `events()`. The first
    event is always `session_configured`.
    """

    def __init__(
        self,
        *,
        thread_id: str,
        rollout_path: Path | None,
        submissions: MemoryObjectSendStream[dict[str, Any]],
        events: MemoryObjectReceiveStream[dict[str, Any]],
    ) -> None:
        self.thread_id = thread_id
        """The thread (session) id, a UUID v7 string."""
        self.rollout_path = rollout_path
        """Where the rollout is written (`None` for ephemeral sessions)."""
        self._submissions = submissions
        self._events = events
        self._ids = itertools.count(1)

    @classmethod
    @asynccontextmanager
    async def start(
        cls,
        config: Any,
        *,
        originator: str = "codex_exec",
        ephemeral: bool = False,
        resume_from: Path | None = None,
        fork_from: Path | None = None,
        transport: ModelTransport | None = None,
        wrap_transport: Callable[[ModelTransport], ModelTransport] | None = None,
    ) -> AsyncIterator[Codex]:
        """Start a session for `config` and yield its handle; on exit, shut it down and kill its processes.

        Args:
            config: A `pycodex_config.Config`.
            originator: Recorded in the rollout and sent by the model client (`codex_exec`, `codex_cli_rs`, ...).
            ephemeral: Write no rollout.
            resume_from: Continue the thread in this rollout file (same thread id, same file).
            fork_from: Copy this rollout's history into a new thread (new id, new file).
            transport: The model transport; default: a `pycodex_model_client.ModelClient` for the configured
                provider. Tests pass `pycodex_core.testing.ScriptedTransport`.
            wrap_transport: Wraps the transport (e.g. `ReviewTransport` for review mode).

        Raises:
            RolloutError: `resume_from` / `fork_from` cannot be read.
        """
        from pycodex_model_client import model_info as lookup_model_info

        from ._rollout import RolloutRecorder, read_rollout
        from ._session import Session

        source = resume_from or fork_from
        state = read_rollout(Path(source)) if source is not None else None
        thread_id = state.thread_id if (state is not None and resume_from is not None and state.thread_id) else uuid7()
        info = lookup_model_info(config.model)
        own_transport = transport is None
        if transport is None:
            from pycodex_model_client import ModelClient

            transport = ModelClient(
                config.model_provider, codex_home=config.codex_home, originator=originator, thread_id=thread_id
            )
        if wrap_transport is not None:
            transport = wrap_transport(transport)
        rollout: RolloutRecorder | None = None
        if not ephemeral:
            if resume_from is not None and state is not None:
                rollout = RolloutRecorder(Path(resume_from), next_ordinal=state.next_ordinal)
            else:
                rollout = RolloutRecorder(RolloutRecorder.new_path(Path(config.codex_home), thread_id))
                rollout.record("session_meta", _session_meta(config, thread_id, originator, state, fork_from))
                if state is not None:
                    for item in state.history:
                        rollout.record_item(item)
        sub_send, sub_recv = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        ev_send, ev_recv = anyio.create_memory_object_stream[dict[str, Any]](math.inf)
        session = Session(
            config,
            transport=transport,
            thread_id=thread_id,
            events=ev_send,
            rollout=rollout,
            model_info=info,
            history=state.history if state is not None else None,
        )
        if resume_from is not None and state is not None:
            # Token usage is reported for the whole thread, so a resumed thread keeps counting.
            session.total_usage.update(_last_total_usage(state.events))
        codex = cls(
            thread_id=thread_id, rollout_path=rollout.path if rollout else None, submissions=sub_send, events=ev_recv
        )
        session.emit("", _session_configured(config, thread_id, state, fork_from, rollout, info))
        if not getattr(info, "known", True):
            session.emit("", {"type": "warning", "message": _unknown_model_warning(config.model)})
        if state is not None and state.skipped_lines:
            session.emit(
                "", {"type": "warning", "message": f"Skipped {state.skipped_lines} unreadable line(s) of {state.path}"}
            )
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(session.run, sub_recv)
                try:
                    yield codex
                finally:
                    with anyio.CancelScope(shield=True):
                        await codex._shutdown(tg)
        finally:
            ev_recv.close()
            sub_send.close()
            await session.processes.kill_all()  # shielded inside
            session.close_shell_snapshot()
            if rollout is not None:
                rollout.close()
            if own_transport:
                close = getattr(transport, "aclose", None)
                if close is not None:
                    with anyio.CancelScope(shield=True):
                        await close()

    async def _shutdown(self, tg: anyio.abc.TaskGroup) -> None:
        try:
            self._submissions.send_nowait({"id": f"shutdown-{next(self._ids)}", "op": {"type": "shutdown"}})
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass
        with anyio.move_on_after(5):
            async for _ in self._events:
                pass
        tg.cancel_scope.cancel()
        await self._submissions.aclose()

    async def submit(self, op: dict[str, Any]) -> str:
        """Queue an `Op` (`user_input`, `user_turn`, `interrupt`, `compact`, `exec_approval`, `shutdown`, ...).

        Returns:
            The submission id; events caused by this op carry it as their `id`.

        Raises:
            SessionClosed: The session has shut down.
        """
        sub_id = str(next(self._ids))
        try:
            self._submissions.send_nowait({"id": sub_id, "op": op})
        except (anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            raise SessionClosed("the session has shut down") from exc
        return sub_id

    async def next_event(self) -> dict[str, Any]:
        """The next `Event` dict `{id, msg}`.

        Raises:
            SessionClosed: No more events will come (after `shutdown_complete`).
        """
        try:
            return await self._events.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError) as exc:
            raise SessionClosed("the session has shut down") from exc

    async def events(self) -> AsyncIterator[dict[str, Any]]:
        """Iterate over events until the session shuts down."""
        while True:
            try:
                yield await self.next_event()
            except SessionClosed:
                return


def _session_meta(config: Any, thread_id: str, originator: str, state: Any, fork_from: Path | None) -> dict[str, Any]:
    from ._prompts import BASE_INSTRUCTIONS

    meta: dict[str, Any] = {"session_id": thread_id, "id": thread_id}
    if fork_from is not None and state is not None and state.thread_id:
        meta["forked_from_id"] = state.thread_id
    meta.update(
        {
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z",
            "cwd": str(config.cwd),
            "originator": originator,
            "cli_version": CORE_VERSION,
            "source": "exec" if originator == "codex_exec" else "cli",
            **({"thread_source": config.thread_source} if getattr(config, "thread_source", None) else {}),
            "model_provider": config.model_provider_id,
            "base_instructions": {"text": getattr(config, "base_instructions", None) or BASE_INSTRUCTIONS},
        }
    )
    return meta


def _session_configured(
    config: Any, thread_id: str, state: Any, fork_from: Path | None, rollout: Any, info: Any
) -> dict[str, Any]:
    msg: dict[str, Any] = {"type": "session_configured", "session_id": thread_id}
    if fork_from is not None and state is not None and state.thread_id:
        msg["forked_from_id"] = state.thread_id
    msg.update(
        {
            "model": config.model,
            "model_provider_id": config.model_provider_id,
            "approval_policy": config.approval_policy,
            "approvals_reviewer": "user",
            "sandbox_policy": config.sandbox_policy,
            "cwd": str(config.cwd),
            "reasoning_effort": getattr(config, "model_reasoning_effort", None)
            or getattr(info, "default_reasoning_effort", None),
            "history_log_id": 0,
            "history_entry_count": 0,
        }
    )
    if state is not None and state.events:
        msg["initial_messages"] = state.events
    if rollout is not None:
        msg["rollout_path"] = str(rollout.path)
    return msg


def _last_total_usage(events: list[dict[str, Any]]) -> dict[str, int]:
    """The thread's total token usage from the last `token_count` event of a rollout."""
    for msg in reversed(events):
        info = msg.get("info") if msg.get("type") == "token_count" else None
        total = info.get("total_token_usage") if isinstance(info, dict) else None
        if isinstance(total, dict):
            return {k: v for k, v in total.items() if isinstance(v, int)}
    return {}

"""`Codex`: the public handle on a running session (submit ops, receive events)."""

from __future__ import annotations

import itertools
import logging
import math
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import anyio
from anyio.streams.memory import MemoryObjectSendStream

from ._channel import EventChannel
from ._history_file import history_metadata
from ._ids import uuid7
from ._json import as_object
from .errors import SessionClosed

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo, ResponseEvent
    from pycodex_protocol import Event, Op, SessionConfiguredEvent, Submission

    from ._exec_types import ExecApprovalRequirement, SandboxStep
    from ._observers import SessionObserver
    from ._profiles import PromptProfile
    from ._rollout import RolloutRecorder, RolloutState
    from ._session import Session
    from ._tools._registry import ToolHandler

__all__ = ["Codex", "ModelTransport"]

logger = logging.getLogger(__name__)

CORE_VERSION = "0.1.0"


class ModelTransport(Protocol):
    """What core needs from a model client: one streaming attempt per call (`ModelClient` fits)."""

    def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[ResponseEvent]:
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
        submissions: MemoryObjectSendStream[Submission],
        events: EventChannel,
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
        config: Config,
        *,
        originator: str = "codex_exec",
        ephemeral: bool = False,
        resume_from: Path | None = None,
        fork_from: Path | None = None,
        transport: ModelTransport | None = None,
        sandbox: SandboxStep | None = None,
        approval_requirement: ExecApprovalRequirement | None = None,
        extra_tools: Iterable[ToolHandler] = (),
        observers: Iterable[SessionObserver] = (),
        prompt_profile: PromptProfile | None = None,
        wrap_transport: Callable[[ModelTransport], ModelTransport] | None = None,
    ) -> AsyncGenerator[Codex]:
        """Start a session for `config` and yield its handle; on exit, shut it down and kill its processes.

        Args:
            config: The effective configuration.
            originator: Recorded in the rollout and sent by the model client (`codex_exec`, `codex_cli_rs`, ...).
            ephemeral: Write no rollout.
            resume_from: Continue the thread in this rollout file (same thread id, same file).
            fork_from: Copy this rollout's history into a new thread (new id, new file).
            transport: The model transport; default: a `pycodex_model_client.ModelClient` for the configured
                provider. Tests pass `pycodex_core.testing.ScriptedTransport`.
            sandbox: The sandbox step; default `NoSandbox` (commands run only under `danger-full-access`).
            approval_requirement: Decides which commands and patches need approval; default
                `PolicyApprovalRequirement` (the `.rules` files, the heuristics and the approval policy).
            extra_tools: More tools for the model (after the built-in ones).
            observers: Hooks that see every event, approval decision and tool result.
            prompt_profile: How to prompt this model (`select_prompt_profile`); default: the full prompt.
            wrap_transport: Wraps the transport (e.g. `ReviewTransport` for review mode).

        Raises:
            RolloutError: `resume_from` / `fork_from` cannot be read.
            ValueError: An extra tool has the name of another tool.
        """
        from pycodex_model_client import model_info as lookup_model_info

        from ._context import default_shell
        from ._ops import SubmissionLoop
        from ._rollout import read_rollout, turn_permissions
        from ._services import Emitter, SessionServices
        from ._session import Session
        from ._telemetry import session_telemetry
        from ._tools._router import default_registry

        tools = default_registry(config, extra_tools)
        source = resume_from or fork_from
        state = read_rollout(Path(source)) if source is not None else None
        thread_id = state.thread_id if (state is not None and resume_from is not None and state.thread_id) else uuid7()
        info = lookup_model_info(config.model)
        if prompt_profile is not None:
            config, info, tools = prompt_profile.apply(config, info, tools)
        own_transport = transport is None
        if transport is None:
            from pycodex_model_client import ModelClient

            transport = ModelClient(
                config.model_provider,
                codex_home=config.codex_home,
                originator=originator,
                thread_id=thread_id,
                auth=_auth_source(config, originator),
            )
        if wrap_transport is not None:
            transport = wrap_transport(transport)
        rollout = None if ephemeral else _open_rollout(config, thread_id, originator, state, resume_from, fork_from)
        sub_send, sub_recv = anyio.create_memory_object_stream["Submission"](math.inf)
        channel = EventChannel()
        emitter = Emitter(channel, rollout, list(observers))
        telemetry = session_telemetry(
            config, thread_id=thread_id, originator=originator, model=info, app_version=CORE_VERSION
        )
        if telemetry is not None:
            from ._telemetry import TelemetryObserver, TelemetryTransport, conversation_attributes

            emitter.observers.append(TelemetryObserver(telemetry))
            endpoint = "/chat/completions" if config.model_provider.wire_api == "chat" else "/responses"
            transport = TelemetryTransport(transport, telemetry, endpoint=endpoint)
            telemetry.conversation_starts(**conversation_attributes(config, info))
        if prompt_profile is not None and prompt_profile.guard_repetition:
            from ._repetition import GuardedTransport

            def note(message: str) -> None:
                emitter.emit("", {"type": "warning", "message": message})

            transport = GuardedTransport(transport, on_note=note, max_output_tokens=prompt_profile.max_output_tokens)
        services = SessionServices.create(
            config,
            transport=transport,
            emitter=emitter,
            thread_id=thread_id,
            shell=default_shell(),
            sandbox=sandbox,
            approval_requirement=approval_requirement,
            tools=tools,
            own_transport=own_transport,
        )
        session = Session(
            config,
            services=services,
            thread_id=thread_id,
            model_info=info,
            history=state.history if state is not None else None,
        )
        if resume_from is not None and state is not None:
            # Token usage is reported for the whole thread, so a resumed thread keeps counting.
            session.total_usage.update(_last_total_usage(state.events))
            last = state.last_turn_context or {}
            session.last_permissions = turn_permissions(last.get("sandbox_policy"), last.get("approval_policy"))
            if state.restate_permissions:
                session.last_permissions = ("", "")  # a rollback dropped the last permissions message
        codex = cls(
            thread_id=thread_id, rollout_path=rollout.path if rollout else None, submissions=sub_send, events=channel
        )
        session.emit("", _session_configured(config, thread_id, state, fork_from, rollout, info))
        _start_warnings(session, config, state, info)
        from ._tools._mcp_start import start_mcp

        try:
            async with (
                start_mcp(
                    config,
                    tools,
                    session.emit,
                    thread_id=thread_id,
                    version=CORE_VERSION,
                    observers=emitter.observers,
                ),
                anyio.create_task_group() as tg,
            ):
                from ._notify import notify_client

                tg.start_soon(SubmissionLoop(session, client=notify_client(originator)).run, sub_recv)
                try:
                    yield codex
                finally:
                    with anyio.CancelScope(shield=True):
                        await codex._shutdown(tg)
        finally:
            channel.close_receiver()
            sub_send.close()
            sub_recv.close()  # never read when start-up failed (a required MCP server)
            await services.aclose()

    async def _shutdown(self, tg: anyio.abc.TaskGroup) -> None:
        try:
            self._submissions.send_nowait({"id": f"shutdown-{next(self._ids)}", "op": {"type": "shutdown"}})
        except (anyio.ClosedResourceError, anyio.BrokenResourceError):
            pass
        with anyio.move_on_after(5):
            async for _ in self.events():
                pass
        tg.cancel_scope.cancel()
        await self._submissions.aclose()

    async def submit(self, op: Op) -> str:
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

    async def next_event(self) -> Event:
        """The next `Event` dict `{id, msg}`.

        Raises:
            SessionClosed: No more events will come (after `shutdown_complete`).
        """
        try:
            return await self._events.receive()
        except (anyio.EndOfStream, anyio.ClosedResourceError) as exc:
            raise SessionClosed("the session has shut down") from exc

    async def events(self) -> AsyncIterator[Event]:
        """Iterate over events until the session shuts down."""
        while True:
            try:
                yield await self.next_event()
            except SessionClosed:
                return


def _open_rollout(
    config: Config,
    thread_id: str,
    originator: str,
    state: RolloutState | None,
    resume_from: Path | None,
    fork_from: Path | None,
) -> RolloutRecorder:
    from ._rollout import RolloutRecorder

    if resume_from is not None and state is not None:
        return RolloutRecorder(Path(resume_from), next_ordinal=state.next_ordinal)
    rollout = RolloutRecorder(RolloutRecorder.new_path(Path(config.codex_home), thread_id))
    rollout.record("session_meta", _session_meta(config, thread_id, originator, state, fork_from))
    if state is not None:
        for item in state.history:
            rollout.record_item(item)
    return rollout


def _reviewer(config: Config) -> str:
    reviewer = str(config.raw.get("approvals_reviewer", "user"))
    return reviewer if reviewer in ("user", "auto_review", "guardian_subagent") else "user"


def _start_warnings(session: Session, config: Config, state: RolloutState | None, info: ModelInfo) -> None:
    for warning in getattr(session.services.exec.requirement, "warnings", ()):
        session.emit("", {"type": "warning", "message": f"Ignoring a rule file: {warning}"})
    if not info.known:
        session.emit("", {"type": "warning", "message": _unknown_model_warning(config.model)})
    if state is not None and state.skipped_lines:
        session.emit(
            "", {"type": "warning", "message": f"Skipped {state.skipped_lines} unreadable line(s) of {state.path}"}
        )


def _session_meta(
    config: Config, thread_id: str, originator: str, state: RolloutState | None, fork_from: Path | None
) -> dict[str, Any]:
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
            **({"thread_source": config.thread_source} if config.thread_source else {}),
            "model_provider": config.model_provider_id,
            "base_instructions": {"text": config.base_instructions or BASE_INSTRUCTIONS},
        }
    )
    return meta


def _session_configured(
    config: Config,
    thread_id: str,
    state: RolloutState | None,
    fork_from: Path | None,
    rollout: RolloutRecorder | None,
    info: ModelInfo,
) -> SessionConfiguredEvent:
    msg: dict[str, Any] = {"type": "session_configured", "session_id": thread_id}
    if fork_from is not None and state is not None and state.thread_id:
        msg["forked_from_id"] = state.thread_id
    msg.update(
        {
            "model": config.model,
            "model_provider_id": config.model_provider_id,
            "approval_policy": (
                {"granular": config.granular_approval}
                if config.granular_approval is not None
                else config.approval_policy
            ),
            "approvals_reviewer": _reviewer(config),
            "sandbox_policy": config.sandbox_policy,
            "cwd": str(config.cwd),
            "reasoning_effort": config.model_reasoning_effort or info.default_reasoning_effort,
        }
    )
    msg["history_log_id"], msg["history_entry_count"] = history_metadata(Path(config.codex_home) / "history.jsonl")
    if state is not None and state.events:
        msg["initial_messages"] = state.events
    if rollout is not None:
        msg["rollout_path"] = str(rollout.path)
    return msg  # pyright: ignore[reportReturnType]


def _last_total_usage(events: list[dict[str, Any]]) -> dict[str, int]:
    """The thread's total token usage from the last `token_count` event of a rollout."""
    for msg in reversed(events):
        info = as_object(msg.get("info")) if msg.get("type") == "token_count" else None
        total = as_object(info.get("total_token_usage")) if info is not None else None
        if total is not None:
            return {k: v for k, v in total.items() if isinstance(v, int)}
    return {}


def _auth_source(config: Config, originator: str) -> Any:
    """The stored credentials the model client uses (`cli_auth_credentials_store`), or `None` when unreadable.

    A provider with its own key (`env_key`, a bearer token) or none never reads them, so the login
    package is not even imported for it.
    """
    if not config.model_provider.requires_openai_auth:
        return None
    from pycodex_login import AuthManager, LoginError

    store = config.raw.get("cli_auth_credentials_store")
    try:
        return AuthManager(
            config.codex_home,
            store_mode=store if isinstance(store, str) else None,
            allow_env_api_key=originator == "codex_exec",
        )
    except LoginError as exc:
        logger.warning("stored credentials are not used: %s", exc)
        return None

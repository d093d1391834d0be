"""`SessionServices`: what a session runs on, assembled once in `Codex.start`, each part replaceable."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import anyio

from ._approvals import ApprovalBroker
from ._exec_types import ExecApprovalRequirement, NoSandbox, SandboxStep
from ._observers import SessionObserver, notify
from ._orchestrator import ExecOrchestrator
from ._tools._exec import ProcessManager
from ._tools._registry import ToolRegistry, ToolServices

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_protocol import Event, EventMsg

    from ._channel import EventChannel
    from ._codex import ModelTransport
    from ._rollout import RolloutRecorder
    from ._shell_snapshot import ShellSnapshot

__all__ = ["Emitter", "SessionServices"]

logger = logging.getLogger(__name__)


class Emitter:
    """Sends events to the front end's channel, the rollout and the observers.

    Args:
        channel: The bounded channel read by `Codex.next_event`.
        rollout: Where persisted events are recorded (`None`: ephemeral).
        observers: Hooks that see every event.
    """

    def __init__(
        self, channel: EventChannel, rollout: RolloutRecorder | None, observers: Sequence[SessionObserver] = ()
    ) -> None:
        self.channel = channel
        self.rollout = rollout
        self.observers = list(observers)
        self.closed = False
        self._warned: set[str] = set()

    def emit(self, sub_id: str, msg: EventMsg) -> None:
        """Send `Event{id: sub_id, msg}` (recorded in the rollout when its type persists)."""
        if self.rollout is not None:
            self.rollout.record_event(msg)  # pyright: ignore[reportArgumentType]
        event: Event = {"id": sub_id, "msg": msg}
        if self.observers:
            notify(self.observers, "on_event", event)
        if not self.closed:
            try:
                self.channel.send_nowait(event)
            except (anyio.ClosedResourceError, anyio.BrokenResourceError):
                self.closed = True

    def warn_once(self, sub_id: str, key: str, message: str) -> None:
        """Emit a `warning` the first time `key` is seen in this session."""
        if key not in self._warned:
            self._warned.add(key)
            self.emit(sub_id, {"type": "warning", "message": message})


@dataclass
class SessionServices:
    """Everything a session runs on. `Codex.start` builds it with `SessionServices.create`."""

    transport: ModelTransport
    """The model transport (`pycodex_model_client.ModelClient` by default)."""
    emitter: Emitter
    """Events out: the front end's channel, the rollout, the observers."""
    rollout: RolloutRecorder | None
    """The rollout file (`None` for ephemeral sessions)."""
    processes: ProcessManager
    """Running commands."""
    approvals: ApprovalBroker
    """Approval requests and the session's remembered approvals."""
    exec: ExecOrchestrator
    """The exec path (approval requirement + sandbox step)."""
    tools: ToolRegistry
    """The session's tools."""
    shell: str
    """The user's shell."""
    command_env: Mapping[str, str]
    """The environment of spawned commands."""
    observers: list[SessionObserver] = field(default_factory=lambda: [])
    """Telemetry and other hooks."""
    shell_snapshot: ShellSnapshot | None = None
    """The login-shell snapshot, when the feature is on."""
    own_transport: bool = False
    """Whether `aclose` closes the transport (core created it)."""

    @classmethod
    def create(
        cls,
        config: Config,
        *,
        transport: ModelTransport,
        emitter: Emitter,
        thread_id: str,
        shell: str,
        sandbox: SandboxStep | None = None,
        approval_requirement: ExecApprovalRequirement | None = None,
        tools: ToolRegistry | None = None,
        own_transport: bool = False,
    ) -> SessionServices:
        """Assemble the services, with the defaults for whatever is not given (`tools`: the built-in ones)."""
        from pycodex_config import create_env

        from ._approval_flow import approval_parts
        from ._tools._router import default_registry

        requirement, broker = approval_parts(config, emitter, transport, thread_id, approval_requirement)
        orchestrator = ExecOrchestrator(
            requirement=requirement,
            sandbox=sandbox or _default_sandbox(config, requirement),
            broker=broker,
            emit=emitter.emit,
            warn_once=emitter.warn_once,
            observers=emitter.observers,
        )
        return cls(
            transport=transport,
            emitter=emitter,
            rollout=emitter.rollout,
            processes=ProcessManager(emitter.emit),
            approvals=broker,
            exec=orchestrator,
            tools=tools if tools is not None else default_registry(config),
            shell=shell,
            command_env=create_env(config.shell_environment_policy, os.environ, thread_id=thread_id),
            observers=emitter.observers,
            shell_snapshot=_shell_snapshot(config, shell, thread_id),
            own_transport=own_transport,
        )

    def tool_services(self) -> ToolServices:
        """The part of the services tools may use."""
        return ToolServices(
            emit=self.emitter.emit,
            warn_once=self.emitter.warn_once,
            exec=self.exec,
            approvals=self.approvals,
            processes=self.processes,
            shell=self.shell,
            command_env=lambda: self.command_env,
            spawn_argv=self.spawn_argv,
        )

    def spawn_argv(self, argv: list[str]) -> list[str]:
        """The argv actually spawned for a command shown as `argv` (`-lc` replaced by the shell snapshot)."""
        return self.shell_snapshot.wrap(argv) if self.shell_snapshot is not None else argv

    async def aclose(self) -> None:
        """Stop processes, delete the snapshot, close the rollout, the transport and the observers (once)."""
        with anyio.CancelScope(shield=True):
            await self.processes.kill_all()
            close_sandbox = getattr(self.exec.sandbox, "close", None)  # the session's network proxy
            if close_sandbox is not None:
                close_sandbox()
            if self.shell_snapshot is not None:
                self.shell_snapshot.remove()
            if self.rollout is not None:
                self.rollout.close()
            if self.own_transport:
                close = getattr(self.transport, "aclose", None)
                if close is not None:
                    await close()
            for observer in self.observers:
                try:
                    await observer.aclose()
                except Exception:
                    logger.exception("session observer %r failed to close", observer)


def _shell_snapshot(config: Config, shell: str, thread_id: str) -> ShellSnapshot | None:
    from ._shell_snapshot import ShellSnapshot, shell_kind

    if not config.feature_enabled("shell_snapshot") or shell_kind(shell) is None:
        return None
    path = Path(config.codex_home) / "shell_snapshots" / f"{thread_id}.sh"
    return ShellSnapshot(shell, path, policy=config.shell_environment_policy, cwd=Path(config.cwd))


def _default_sandbox(config: Config, requirement: ExecApprovalRequirement) -> SandboxStep:
    """The platform sandbox (bubblewrap / Landlock, Seatbelt); `NoSandbox` where there is none.

    The network rules of the loaded `.rules` files go to its policy proxy.
    """
    import sys

    if sys.platform not in ("linux", "darwin"):
        return NoSandbox()
    from ._exec_policy import PolicyApprovalRequirement
    from ._platform_sandbox import PlatformSandbox

    sandbox = PlatformSandbox(config)
    if isinstance(requirement, PolicyApprovalRequirement):
        sandbox.add_network_rules(requirement.policy.network_rules)
    return sandbox

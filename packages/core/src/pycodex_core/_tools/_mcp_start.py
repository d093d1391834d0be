"""Starting a session's MCP servers: `start_mcp` keeps the tool registry in step with them.

The servers start once the first model request has been answered (importing the SDK takes seconds
of CPU), or as soon as a call or a search needs one; `required = true` servers are waited for.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._observers import SessionObserver
from ._mcp import McpToolset

if TYPE_CHECKING:
    from ..errors import CodexCoreError

logger = logging.getLogger(__name__)

__all__ = ["start_mcp"]


_BEFORE_RESPONSE = frozenset(
    {"session_configured", "task_started", "user_message", "warning", "mcp_startup_update", "mcp_startup_complete"}
)


class _FirstResponse(SessionObserver):
    """Sets `gate` at the first event that comes from a model response.

    Importing the MCP SDK takes seconds of CPU and holds import locks the first request needs, so
    the servers start once that request has been answered (or a call names a server, or a few
    seconds have passed): a configured server never delays the first model request.
    """

    def __init__(self, gate: Any) -> None:
        self._gate = gate

    def on_event(self, event: Any) -> None:
        if not self._gate.is_set() and event["msg"].get("type") not in _BEFORE_RESPONSE:
            self._gate.set()


@asynccontextmanager
async def start_mcp(
    config: Any,
    registry: Any,
    emit: Callable[[str, Any], None],
    *,
    thread_id: str,
    version: str,
    observers: list[Any] | None = None,
) -> AsyncGenerator[McpToolset | None, None]:
    """Start the configured MCP servers in the background and keep `registry` in step with them.

    Yields `None` when no server is enabled. `required = true` servers are waited for (within their
    `startup_timeout_sec`): one that fails ends the start-up with a `CodexCoreError`. `observers`
    (the session's list) gets the hook that starts the servers after the first model response.
    """
    servers = {n: s for n, s in config.mcp_servers.items() if s.enabled}
    if not servers:
        yield None
        return
    from pycodex_mcp_client import McpConnectionManager

    toolset: McpToolset | None = None

    def changed() -> None:
        if toolset is not None:
            toolset.sync()

    import anyio

    def report(event: dict[str, Any]) -> None:
        emit("", event)

    home = Path(config.codex_home)
    requested = anyio.Event()
    if observers is not None:
        observers.append(_FirstResponse(requested))
    async with McpConnectionManager.start(
        servers,
        report=report,
        codex_home=home,
        log_dir=home / "log",
        client_version=version,
        on_tools_changed=changed,
        start_gate=requested,
        oauth_store_mode=_store_mode(config),
        elicitation=_Elicitations(emit).answer,
    ) as manager:
        # Chat Completions has no `tool_search`: there every model gets the namespaces directly.
        searchable = getattr(config.model_provider, "wire_api", "responses") != "chat"
        toolset = McpToolset(manager, registry, thread_id, requested, searchable=searchable)
        toolset.sync()
        required = [n for n, s in servers.items() if s.required]
        failures: list[tuple[str, str]] = []
        if required:
            requested.set()  # nothing may run before the required servers are up
            await manager.wait_settled(required)
            failures = manager.required_failures()
        if not failures:
            yield toolset
            return
    # Raised once the servers are stopped, outside their task group, so the caller gets the error itself.
    raise _required_error(failures)


class _Elicitations:
    """Answers servers' `elicitation/create`: declined, as Codex 0.169's `codex exec` does, said once per server.

    Nothing asks the user yet; declining (rather than failing the request) lets the server go on.
    """

    def __init__(self, emit: Callable[[str, Any], None]) -> None:
        self._emit = emit
        self._told: set[str] = set()

    async def answer(self, server: str, params: Any) -> Any:
        from mcp.types import ElicitResult

        if server not in self._told:
            self._told.add(server)
            message = str(getattr(params, "message", "") or "")[:200]
            self._emit(
                "",
                {
                    "type": "background_event",
                    "message": f"MCP server `{server}` asked for input ({message!r}); it was declined, since "
                    "pycodex does not answer MCP elicitations yet.",
                },
            )
        logger.info("declined an elicitation from MCP server %r", server)
        return ElicitResult(action="decline")


def _store_mode(config: Any) -> str | None:
    mode = config.raw.get("mcp_oauth_credentials_store")
    return mode if isinstance(mode, str) else None


def _required_error(failures: list[tuple[str, str]]) -> CodexCoreError:
    from ..errors import CodexCoreError

    text = "; ".join(f"{name!r}: {reason}" for name, reason in failures)
    return CodexCoreError(f"required MCP servers failed to start: {text}")

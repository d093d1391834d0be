"""`McpConnectionManager`: every configured server, started in the background when a session starts."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio

from pycodex_config import McpServerConfig

from ._naming import ToolName, assign_tool_names
from ._server import ServerConnection
from ._tool_cache import read_cache
from .errors import McpServerUnavailable, McpToolNotOffered

logger = logging.getLogger(__name__)

__all__ = ["CLIENT_NAME", "McpConnectionManager", "McpTool"]

CLIENT_NAME = "codex-mcp-client"
"""`clientInfo.name` in the handshake, as Codex sends it."""


@dataclass(frozen=True)
class McpTool:
    """One tool offered by a ready server, with the names the model sees."""

    name: ToolName
    """Server, raw tool name, and the model-visible names."""
    description: str
    """The tool's description (may be empty)."""
    input_schema: dict[str, Any]
    """Its JSON schema for the arguments, as the server gave it."""
    annotations: dict[str, Any] = field(default_factory=lambda: {})
    """`readOnlyHint`, `destructiveHint`, ... as the server gave them."""


def _import_sdk() -> None:
    """Import the SDK's client side (seconds of CPU on a busy machine), in a worker thread."""
    import importlib

    for module in ("mcp.client.stdio", "mcp.client.streamable_http"):
        importlib.import_module(module)


def client_info(version: str) -> Any:
    """The `clientInfo` of the handshake (the SDK must be imported)."""
    from mcp import types

    return types.Implementation(name=CLIENT_NAME, title="Codex", version=version)


class McpConnectionManager:
    """Owns the connections to the configured MCP servers of one session.

    Use `McpConnectionManager.start(...)` as an async context manager: servers start in the
    background at once, and nothing here waits for one unless a request names it.

    Args:
        servers: The configured servers (`Config.mcp_servers`); disabled ones are never started.
        report: Receives the events to show: `mcp_startup_update`, `mcp_startup_complete` and one
            `warning` per failed or crashed server.
        on_tools_changed: Called (synchronously) whenever a server's tool list changes: it became
            ready, crashed, came back, or sent `list_changed`; `tools()` then has the new list.
        oauth_store_mode: `mcp_oauth_credentials_store` (`auto`, `file`, `keyring`): where logins are read.
        elicitation: `await elicitation(server_name, params)` answers a server's `elicitation/create`
            (an `mcp.types.ElicitResult`); with it the client advertises the elicitation capability.
        start_gate: When given, the SDK import (seconds of CPU that would compete with the caller's
            own start-up) and the servers wait until it is set, or `gate_timeout_s` has passed.
    """

    def __init__(
        self,
        servers: Mapping[str, McpServerConfig],
        *,
        report: Callable[[dict[str, Any]], None] | None = None,
        environ: Mapping[str, str] | None = None,
        log_dir: Path | None = None,
        codex_home: Path | None = None,
        client_version: str = "0.1.0",
        elicitation: Any = None,
        on_tools_changed: Callable[[], None] | None = None,
        start_gate: anyio.Event | None = None,
        gate_timeout_s: float = 3.0,
        oauth_store_mode: str | None = None,
    ) -> None:
        self._report = report or (lambda event: None)
        env = dict(os.environ if environ is None else environ)
        self.servers: dict[str, ServerConnection] = {
            name: ServerConnection(
                cfg,
                report=self._report,
                environ=env,
                log_dir=log_dir,
                codex_home=codex_home,
                client_version=client_version,
                elicitation=elicitation,
                on_change=on_tools_changed,
                oauth_store_mode=oauth_store_mode,
            )
            for name, cfg in servers.items()
            if cfg.enabled
        }
        """The enabled servers by configured name."""
        self._tools: list[McpTool] | None = None
        self._gate, self._gate_timeout_s = start_gate, gate_timeout_s
        self._codex_home = codex_home

    @classmethod
    @asynccontextmanager
    async def start(cls, servers: Mapping[str, McpServerConfig], **kwargs: Any) -> AsyncIterator[McpConnectionManager]:
        """Start every enabled server in the background; stop them all on exit (bounded)."""
        manager = cls(servers, **kwargs)
        await manager.load_cached_tools()
        async with anyio.create_task_group() as tg:
            for server in manager.servers.values():
                manager._report(
                    {"type": "mcp_startup_update", "server": server.config.name, "status": {"state": "starting"}}
                )
            if manager.servers:
                tg.start_soon(manager._run_all, tg)
            try:
                yield manager
            finally:
                tg.cancel_scope.cancel()

    async def _run_all(self, tg: anyio.abc.TaskGroup) -> None:
        # The SDK is imported off the event loop, and after the caller's gate (its first model request
        # is on the wire), so that request is not held up by an import that hogs the interpreter.
        if self._gate is not None:
            with anyio.move_on_after(self._gate_timeout_s):
                await self._gate.wait()
            await anyio.sleep(0.05)
        await anyio.to_thread.run_sync(_import_sdk)
        for server in self.servers.values():
            tg.start_soon(server.run)
        await self._report_complete()

    async def _report_complete(self) -> None:
        for server in self.servers.values():
            await server.settled.wait()
        ready = [n for n, s in self.servers.items() if s.state == "ready"]
        failed = [{"server": n, "error": s.error or ""} for n, s in self.servers.items() if s.state == "failed"]
        self._report({"type": "mcp_startup_complete", "ready": ready, "failed": failed, "cancelled": []})

    async def load_cached_tools(self) -> None:
        """Read each server's last known tools from `$CODEX_HOME/cache` (offered until it answers)."""
        home = self._codex_home
        if home is None or not self.servers:
            return
        configs = [s.config for s in self.servers.values()]
        found = await anyio.to_thread.run_sync(lambda: [read_cache(home, c) for c in configs])
        for server, cached in zip(self.servers.values(), found, strict=True):
            if server.state == "starting" and server.cached is None:
                server.cached = cached
        self._tools = None

    # -- state -----------------------------------------------------------------------------

    def required_failures(self) -> list[tuple[str, str]]:
        """`(name, reason)` of each `required = true` server that failed to start."""
        return [(n, s.error or "") for n, s in self.servers.items() if s.config.required and s.state == "failed"]

    async def wait_settled(self, names: list[str] | None = None, within_s: float | None = None) -> None:
        """Wait until the named servers (default: all) have finished starting, ready or failed."""
        with anyio.move_on_after(within_s if within_s is not None else float("inf")):
            for name in names if names is not None else list(self.servers):
                server = self.servers.get(name)
                if server is not None:
                    await server.settled.wait()

    def tools(self) -> list[McpTool]:
        """The tools to offer, named as the model sees them (recomputed after a change).

        A ready server's live list; for a server still starting, the list it gave last time (the
        on-disk cache), so the first request already carries it.
        """
        changed = [s.take_changed() for s in self.servers.values()]
        if self._tools is None or any(changed):
            pairs = [(n, t) for n, s in self.servers.items() for t in s.known_tools()]
            names = assign_tool_names((n, t.name) for n, t in pairs)
            by_pair = {(tn.server, tn.tool): tn for tn in names}
            self._tools = [
                McpTool(by_pair[(n, t.name)], t.description, dict(t.input_schema), dict(t.annotations))
                for n, t in pairs
            ]
        return list(self._tools)

    def server_instructions(self) -> dict[str, str]:
        """`instructions` of each server that sent some (or sent some last time, while it starts)."""
        return {n: text for n, s in self.servers.items() if (text := s.known_instructions())}

    def _server(self, name: str) -> ServerConnection:
        server = self.servers.get(name)
        if server is None:
            raise McpServerUnavailable(name, "no such server is configured (or it is disabled)")
        return server

    # -- requests --------------------------------------------------------------------------

    async def call_tool(
        self,
        server: str,
        tool: str,
        arguments: dict[str, Any] | None,
        *,
        limit_s: float | None = None,
        meta: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """Call `tool` on `server`; returns the result's wire JSON (`content`, `structuredContent`, `isError`).

        Waits for a server still starting (within its `startup_timeout_sec`); the call itself gets
        `limit_s` or the server's `tool_timeout_sec`.

        Raises:
            McpServerUnavailable: unknown, disabled, failed or restarting server.
            McpToolNotOffered: the server is up but no longer lists `tool` (or a filter hides it).
            McpCallError: timeout, crash or protocol error during the call.
        """

        async def send(session: Any) -> Any:
            return await session.call_tool(tool, arguments, meta=meta)

        started = time.monotonic()
        connection = self._server(server)
        await connection.wait_ready()
        if not connection.offers(tool):
            raise McpToolNotOffered(server, tool)
        result = await connection.request(f"tools/call {tool!r}", send, limit_s)
        logger.debug("MCP %s/%s took %.1f ms", server, tool, (time.monotonic() - started) * 1000)
        from ._results import call_result_json

        return call_result_json(result)

    async def list_resources(self, server: str, cursor: str | None = None) -> dict[str, Any]:
        """One page of `resources/list` of a server (wire JSON: `resources`, `nextCursor`)."""
        return await self._paged(server, "resources/list", "list_resources", cursor)

    async def list_resource_templates(self, server: str, cursor: str | None = None) -> dict[str, Any]:
        """One page of `resources/templates/list` (wire JSON: `resourceTemplates`, `nextCursor`)."""
        return await self._paged(server, "resources/templates/list", "list_resource_templates", cursor)

    async def _paged(self, server: str, what: str, method: str, cursor: str | None) -> dict[str, Any]:
        from mcp import types

        async def send(session: Any) -> Any:
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            return await getattr(session, method)(params=params)

        result = await self._server(server).request(what, send, None)
        return _wire(result)

    async def read_resource(self, server: str, uri: str) -> dict[str, Any]:
        """`resources/read` of one URI (wire JSON: `contents`)."""

        async def send(session: Any) -> Any:
            return await session.read_resource(uri)

        return _wire(await self._server(server).request(f"resources/read {uri!r}", send, None))

    def servers_with_resources(self) -> list[str]:
        """Ready servers, in configuration order (the ones a listing across servers asks)."""
        return [n for n, s in self.servers.items() if s.state == "ready"]


def _wire(result: Any) -> dict[str, Any]:
    data: dict[str, Any] = result.model_dump(by_alias=True, exclude_none=True, mode="json")
    for key in ("resultType", "ttlMs", "cacheScope"):  # fields of later protocol revisions Codex never shows
        data.pop(key, None)
    return data

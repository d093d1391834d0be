"""One configured server: its connection, state, cached tool list, and restarts after a crash."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from contextlib import AsyncExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import anyio

from pycodex_config import McpServerConfig

from ._describe import describe_error
from ._tool_cache import CachedTools, ToolInfo, write_cache
from .errors import McpCallError, McpServerUnavailable, McpStartupError

logger = logging.getLogger(__name__)

__all__ = ["ServerConnection", "ServerState"]

ServerState = Literal["starting", "ready", "failed", "restarting"]
"""`starting` until the first handshake ends; `restarting` after a crash, while a new process comes up."""

RESTART_DELAYS_S = (0.5, 1.0, 2.0, 4.0, 8.0)
"""Back-off between restarts after a crash; after the last one the server stays failed."""
MAX_PAGES = 100
"""Listing pages read at most, so a server that always returns a cursor cannot loop us."""

Report = Callable[[dict[str, Any]], None]


@dataclass
class _Live:
    session: Any
    lost: anyio.Event
    calls: set[anyio.CancelScope]


class ServerConnection:
    """The connection to one server, run by `ServerConnection.run` in the manager's task group."""

    def __init__(
        self,
        config: McpServerConfig,
        *,
        report: Report,
        environ: Mapping[str, str],
        log_dir: Path | None,
        codex_home: Path | None,
        client_version: str,
        elicitation: Any,
        on_change: Callable[[], None] | None = None,
        oauth_store_mode: str | None = None,
    ) -> None:
        self.config = config
        """What config.toml says about the server."""
        self.state: ServerState = "starting"
        """Where the server is in its life."""
        self.error: str | None = None
        """Why it failed, when it has."""
        self.tools: list[ToolInfo] = []
        """The tools the live server lists, after `enabled_tools` / `disabled_tools`."""
        self.cached: CachedTools | None = None
        """What the server listed the last time it was ready (from the on-disk cache), until it answers."""
        self.instructions: str | None = None
        """The server's `instructions` from its handshake."""
        self.settled = anyio.Event()
        """Set when the first start-up has ended, whether the server is ready or failed."""
        self._report = report
        self._environ, self._log_dir, self._codex_home = environ, log_dir, codex_home
        self._client_version, self._elicitation = client_version, elicitation
        self._oauth_store_mode = oauth_store_mode
        self._live: _Live | None = None
        self._protocol_error: str | None = None
        self._refresh = anyio.Event()
        self._changed = anyio.Event()
        self._crash_reported = False
        self._on_change = on_change
        self._http_status: int | None = None
        self._startup_scope: anyio.CancelScope | None = None

    # -- lifecycle -------------------------------------------------------------------------

    async def run(self) -> None:
        """Start the server, serve it, restart it after a crash with back-off; return when it is given up."""
        crashes = 0
        while True:
            try:
                await self._serve_once()
            except Exception as exc:  # any failure of a server is reported, never raised
                reason = describe_error(exc, self.config, self._http_status)
            else:
                reason = self._protocol_error or self._closed_text()
            if self.state == "failed":  # already reported (start-up timeout or a malformed handshake)
                return
            if not self.settled.is_set():
                self._fail(reason)
                return
            if crashes >= len(RESTART_DELAYS_S):
                self._give_up(f"{reason}; gave up after {crashes} restarts")
                return
            if self.state == "ready" and not self._crash_reported:
                self._report_crash(reason)
            else:
                logger.info("MCP server %r is down again: %s", self.config.name, reason)
            self.state, self.tools = "restarting", []
            self._mark_changed()
            await anyio.sleep(RESTART_DELAYS_S[crashes])
            crashes += 1

    def _fail(self, reason: str) -> None:
        self.state, self.error, self.tools = "failed", reason, []
        self.settled.set()
        self._mark_changed()
        self._report({"type": "mcp_startup_update", "server": self.config.name, "status": _failed(reason)})
        self._report({"type": "warning", "message": f"MCP client for `{self.config.name}` failed to start: {reason}"})

    def _give_up(self, reason: str) -> None:
        self.state, self.error, self.tools = "failed", reason, []
        self._mark_changed()
        logger.warning("MCP server %r: %s", self.config.name, reason)

    def _report_crash(self, reason: str) -> None:
        self._crash_reported = True
        self._report(
            {
                "type": "warning",
                "message": f"MCP server `{self.config.name}` stopped ({reason}); restarting it in the background",
            }
        )

    async def _serve_once(self) -> None:
        with anyio.CancelScope() as scope:
            self._startup_scope = scope
            async with anyio.create_task_group() as guard:
                guard.start_soon(self._watchdog, scope)
                try:
                    await self._connect_and_serve(scope)
                finally:
                    guard.cancel_scope.cancel()
        self._live = None
        if scope.cancelled_caught and self.state != "failed":
            raise McpStartupError(self.config.name, self._protocol_error or self._timeout_text())

    async def _watchdog(self, scope: anyio.CancelScope) -> None:
        """Fail a start-up that takes too long, and report it before the process is torn down."""
        await anyio.sleep(self.config.startup_timeout_sec)
        if self._startup_scope is scope:
            self._startup_scope = None
            if not self.settled.is_set():
                self._fail(self._timeout_text())
            scope.cancel()

    async def _connect_and_serve(self, scope: anyio.CancelScope) -> None:
        from ._transport import open_transport  # the transports (and credential stores) load when first needed

        lost = anyio.Event()
        self._protocol_error, self._http_status = None, None
        async with AsyncExitStack() as stack:
            read, write = await stack.enter_async_context(
                open_transport(
                    self.config,
                    environ=self._environ,
                    log_dir=self._log_dir,
                    codex_home=self._codex_home,
                    on_http_error=self._on_http_error,
                    oauth_store_mode=self._oauth_store_mode,
                )
            )
            tg = await stack.enter_async_context(anyio.create_task_group())
            stack.callback(tg.cancel_scope.cancel)
            relay_send, relay_recv = anyio.create_memory_object_stream[Any](0)
            tg.start_soon(self._relay, read, relay_send, lost)
            session = await stack.enter_async_context(self._session(relay_recv, write))
            init = await session.initialize()
            self.instructions = getattr(init, "instructions", None)
            listed = await self._list_tools(session)
            if self._startup_scope is not scope:
                return
            self._startup_scope = None
            self._live = _Live(session, lost, set())
            self._became_ready(listed)
            tg.start_soon(self._store, listed)
            tg.start_soon(self._refresh_loop, session)
            await lost.wait()

    def _on_http_error(self, status: int) -> None:
        self._http_status = status

    def _closed_text(self) -> str:
        return "the server process exited" if self.config.transport == "stdio" else "the server closed the connection"

    def _timeout_text(self) -> str:
        return f"request timed out after {self.config.startup_timeout_sec:g} s (startup_timeout_sec)"

    def _session(self, read: Any, write: Any) -> Any:
        from mcp import ClientSession

        from ._manager import client_info

        return ClientSession(
            read,
            write,
            client_info=client_info(self._client_version),
            message_handler=self._on_message,
            elicitation_callback=self._elicit if self._elicitation is not None else None,
        )

    async def _elicit(self, context: Any, params: Any) -> Any:
        """The SDK's elicitation callback: the session's handler, told which server asks."""
        return await self._elicitation(self.config.name, params)

    async def _relay(self, read: Any, send: Any, lost: anyio.Event) -> None:
        """Forward the transport's messages to the session; notice malformed ones and the end of the stream."""
        try:
            async with send:
                async for item in read:
                    if isinstance(item, Exception):
                        self._on_protocol_error(item)
                    await send.send(item)
        except (anyio.BrokenResourceError, anyio.ClosedResourceError):
            pass
        finally:
            lost.set()

    def _on_protocol_error(self, exc: Exception) -> None:
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        self._protocol_error = "the server sent a malformed message (not JSON-RPC)"
        logger.debug("MCP server %r sent: %s", self.config.name, text[:200])
        logger.warning("MCP server %r: %s", self.config.name, self._protocol_error)
        scope = self._startup_scope
        if scope is not None:  # still starting: fail the handshake now, not at the timeout
            self._startup_scope = None
            if not self.settled.is_set():
                self._fail(self._protocol_error)
            scope.cancel()
        live = self._live
        for call in list(live.calls) if live is not None else []:
            call.cancel()

    def _became_ready(self, listed: list[ToolInfo]) -> None:
        first = not self.settled.is_set()
        self.state, self.error, self.tools = "ready", None, self._filtered(listed)
        self.cached = None
        self.settled.set()
        self._mark_changed()
        if first:
            self._report({"type": "mcp_startup_update", "server": self.config.name, "status": {"state": "ready"}})
        else:
            logger.info("MCP server %r is back", self.config.name)

    # -- tools -----------------------------------------------------------------------------

    def _allowed(self, name: str) -> bool:
        enabled = self.config.enabled_tools
        return (enabled is None or name in enabled) and name not in self.config.disabled_tools

    def _filtered(self, tools: list[ToolInfo] | tuple[ToolInfo, ...]) -> list[ToolInfo]:
        return [t for t in tools if self._allowed(t.name)]

    def known_tools(self) -> list[ToolInfo]:
        """The tools to offer now: the live list when ready, the cached one while still starting."""
        if self.state == "ready":
            return list(self.tools)
        if self.state == "starting" and self.cached is not None:
            return self._filtered(self.cached.tools)
        return []

    def known_instructions(self) -> str | None:
        """The server's `instructions`: from its handshake, or from the cache while it starts."""
        if self.state == "ready":
            return self.instructions
        return self.cached.instructions if self.state == "starting" and self.cached is not None else None

    def offers(self, tool: str) -> bool:
        """Whether the live server lists `tool` (after the filters)."""
        return any(t.name == tool for t in self.tools)

    async def _list_tools(self, session: Any) -> list[ToolInfo]:
        """Every tool the server lists (before the filters), as plain data."""
        from mcp import types

        tools: list[ToolInfo] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            params = types.PaginatedRequestParams(cursor=cursor) if cursor else None
            page = await session.list_tools(params=params)
            tools += [_tool_info(t) for t in page.tools]
            cursor = page.next_cursor
            if not cursor:
                break
        return tools

    async def _store(self, listed: list[ToolInfo]) -> None:
        """Write the listed tools to the on-disk cache (off the event loop)."""
        if self._codex_home is not None:
            home, instructions = self._codex_home, self.instructions
            await anyio.to_thread.run_sync(lambda: write_cache(home, self.config, listed, instructions))

    async def _on_message(self, message: Any) -> None:
        from mcp import types

        root = getattr(message, "root", message)
        if isinstance(root, types.ToolListChangedNotification):
            self._refresh.set()

    async def _refresh_loop(self, session: Any) -> None:
        while True:
            await self._refresh.wait()
            self._refresh = anyio.Event()
            try:
                with anyio.fail_after(self.config.startup_timeout_sec):
                    listed = await self._list_tools(session)
                self.tools = self._filtered(listed)
                self._mark_changed()
                await self._store(listed)
            except Exception as exc:  # keep the old list when a refresh fails
                logger.warning("MCP server %r: refreshing tools failed: %s", self.config.name, exc)

    def _mark_changed(self) -> None:
        self._changed.set()
        if self._on_change is not None:
            try:
                self._on_change()
            except Exception:
                logger.exception("MCP tool-change callback failed")

    def take_changed(self) -> bool:
        """Whether the tool list changed since the last call (and clear the flag)."""
        changed = self._changed.is_set()
        self._changed = anyio.Event()
        return changed

    # -- requests --------------------------------------------------------------------------

    async def wait_ready(self) -> Any:
        """The live session; waits for a server still starting, within its start-up timeout.

        Raises:
            McpServerUnavailable: it failed, or is restarting after a crash.
        """
        if self.state == "starting":  # the watchdog settles it; the cap only guards against a stuck import
            with anyio.move_on_after(self.config.startup_timeout_sec + 60):
                await self.settled.wait()
        live = self._live
        if self.state != "ready" or live is None:
            raise McpServerUnavailable(self.config.name, self.error or self.state)
        return live

    async def request(self, what: str, send: Callable[[Any], Awaitable[Any]], limit_s: float | None) -> Any:
        """Run `send(session)` with a timeout; a crash or a malformed reply fails it at once.

        Raises:
            McpServerUnavailable: the server is not ready.
            McpCallError: timeout, crash or protocol error.
        """
        from mcp import MCPError

        live: _Live = await self.wait_ready()
        limit = self.config.tool_timeout_sec if limit_s is None else limit_s
        with anyio.CancelScope() as scope:
            live.calls.add(scope)
            try:
                with anyio.fail_after(limit):
                    return await send(live.session)
            except TimeoutError:
                raise McpCallError(self.config.name, what, f"timed out after {limit:g} s") from None
            except MCPError as exc:
                if live.lost.is_set():
                    raise McpCallError(self.config.name, what, self._protocol_error or "the server exited") from None
                raise McpCallError(self.config.name, what, str(exc)) from None
            finally:
                live.calls.discard(scope)
        raise McpCallError(self.config.name, what, self._protocol_error or "the connection was lost")


def _tool_info(tool: Any) -> ToolInfo:
    annotations = tool.annotations.model_dump(by_alias=True, exclude_none=True) if tool.annotations else {}
    return ToolInfo(tool.name, tool.description or "", dict(tool.input_schema), annotations)


def _failed(reason: str) -> dict[str, Any]:
    return {"state": "failed", "error": reason}

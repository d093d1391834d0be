"""MCP tools in the tool registry: a namespace per server, its tools, the resource tools and `tool_search`.

Servers start in the background (`pycodex_mcp_client.McpConnectionManager`), so a turn never waits
for a slow server, and a call waits only for the server it names. What the first request offers
does not wait either: a model that supports `tool_search` gets the configured namespaces listed
at once and searches their tools when it needs them; any other model gets each server's tools as
a `namespace` tool, from the live server or, while it starts, from the list it gave last time
(`$CODEX_HOME/cache/mcp-tools`). Every call emits `mcp_tool_call_begin` / `mcp_tool_call_end` as
Codex 0.169 does and goes through the approval step first.
"""

from __future__ import annotations

import json
import logging
import time
from typing import TYPE_CHECKING, Any

from ._mcp_specs import namespace_spec
from ._tool_search import ToolSearchHandler, uses_tool_search

if TYPE_CHECKING:
    from pycodex_mcp_client import McpConnectionManager, McpTool

logger = logging.getLogger(__name__)

__all__ = ["McpToolset", "mcp_duration"]

_APPROVED = ("approved", "approved_for_session")
_RESOURCE_TOOLS = ("list_mcp_resources", "list_mcp_resource_templates", "read_mcp_resource")


def mcp_duration(seconds: float) -> dict[str, int]:
    """`{secs, nanos}` as Codex serializes a `Duration`."""
    nanos = max(0, int(seconds * 1_000_000_000))
    return {"secs": nanos // 1_000_000_000, "nanos": nanos % 1_000_000_000}


class _ToolHandler:
    """The registry entry of one MCP tool, under its flat name or its `namespace.function` alias."""

    def __init__(self, toolset: McpToolset, qualified: str, name: str) -> None:
        self._toolset, self._qualified, self._name = toolset, qualified, name

    @property
    def name(self) -> str:
        return self._name

    @property
    def mutates(self) -> bool:
        tool = self._toolset.tool(self._qualified)
        return not (tool is not None and tool.annotations.get("readOnlyHint") is True)

    def spec(self, model: Any) -> dict[str, Any] | None:
        return None  # offered inside its server's namespace (or found with tool_search)

    async def handle(self, invocation: Any) -> str | list[dict[str, Any]]:
        return await self._toolset.call(invocation, self._qualified)


class _NamespaceHandler:
    """Offers one server's tools as a `namespace` tool to models that get MCP tools directly."""

    mutates = False

    def __init__(self, toolset: McpToolset, server: str, namespace: str) -> None:
        self._toolset, self._server, self.name = toolset, server, namespace

    def spec(self, model: Any) -> dict[str, Any] | None:
        if self._toolset.defers(model):
            return None
        tools = [t for t in self._toolset.tools() if t.name.server == self._server]
        if not tools:
            return None
        functions = [(t.name.function, t.description, t.input_schema) for t in tools]
        instructions = self._toolset.instructions().get(self._server)
        return namespace_spec(self.name, instructions, functions, deferred=False)

    async def handle(self, invocation: Any) -> str | list[dict[str, Any]]:
        return f"unsupported call: {invocation.call.name}"


class _ResourceHandler:
    """`list_mcp_resources`, `list_mcp_resource_templates` or `read_mcp_resource`."""

    mutates = False

    def __init__(self, toolset: McpToolset, name: str) -> None:
        self._toolset, self.name = toolset, name

    def spec(self, model: Any) -> dict[str, Any] | None:
        from ._mcp_specs import RESOURCE_TOOL_SPECS

        return RESOURCE_TOOL_SPECS[self.name]

    async def handle(self, invocation: Any) -> str | list[dict[str, Any]]:
        return await self._toolset.resource_call(self.name, invocation.arguments)


class _UnavailableHandler:
    """A call to a tool of a server that failed to start: one failed `mcp_tool_call`, a clear reason."""

    mutates = False

    def __init__(self, toolset: McpToolset, server: str, tool: str, reason: str) -> None:
        self._toolset, self.name = toolset, f"{server}/{tool}"
        self._server, self._tool, self._reason = server, tool, reason

    def spec(self, model: Any) -> dict[str, Any] | None:
        return None

    async def handle(self, invocation: Any) -> str | list[dict[str, Any]]:
        message = f"tool call error: MCP server `{self._server}` is not available: {self._reason}"
        self._toolset.emit_failed(invocation, self._server, self._tool, message)
        return message


class McpToolset:
    """Keeps a registry in step with the ready servers of a `McpConnectionManager`.

    Args:
        manager: The session's MCP connections.
        registry: The session's `ToolRegistry` (needs `register(handler, replace=True)`).
    """

    def __init__(
        self,
        manager: McpConnectionManager,
        registry: Any,
        thread_id: str | None = None,
        requested: Any = None,
        *,
        searchable: bool = True,
    ) -> None:
        import anyio

        self.manager = manager
        self.requested: anyio.Event = requested or anyio.Event()
        """Set once the first model request is answered (or a call needs a server): the servers start then."""
        self.thread_id = thread_id
        self._searchable = searchable
        self._registry = registry
        self._tools: dict[str, McpTool] = {}
        self._known: dict[str, McpTool] = {}
        """Every tool ever registered: a call to one whose server is restarting gets a clear error."""
        if manager.servers:
            from pycodex_mcp_client import namespace_for

            after = "local_shell"  # where Codex offers them: right after the shell tools
            for name in _RESOURCE_TOOLS:
                registry.register(_ResourceHandler(self, name), replace=True, after=after)
                after = name
            for server in sorted(manager.servers, key=namespace_for):
                registry.register(_NamespaceHandler(self, server, namespace_for(server)), replace=True)
            registry.register(ToolSearchHandler(self), replace=True)
            registry.add_resolver(self.resolve)

    async def resolve(self, name: str) -> Any:
        """The handler for a call into the namespace of a server that is not ready yet.

        Waits for that server only (within its `startup_timeout_sec`), then answers with its tool, or
        with a clear failure if it did not start.
        """
        from pycodex_mcp_client import namespace_for

        self.requested.set()
        for server, connection in self.manager.servers.items():
            prefix = namespace_for(server)
            function = next(
                (name[len(prefix) + len(sep) :] for sep in (".", "__") if name.startswith(prefix + sep)), None
            )
            if not function:
                continue
            await self.manager.wait_settled([server])
            self.sync()
            handler = self._registry.get(name)
            if handler is not None:
                return handler
            if connection.state != "ready":
                return _UnavailableHandler(self, server, function, connection.error or connection.state)
        return None

    def emit_failed(self, invocation: Any, server: str, tool: str, message: str) -> None:
        """Begin and end events of a call that failed before reaching its server."""
        ctx, call = invocation.ctx, invocation.call
        inv = {"server": server, "tool": tool, "arguments": invocation.arguments}
        invocation.services.emit(
            ctx.sub_id, {"type": "mcp_tool_call_begin", "call_id": call.call_id, "invocation": inv}
        )
        end = {"type": "mcp_tool_call_end", "call_id": call.call_id, "invocation": inv, "duration": mcp_duration(0)}
        invocation.services.emit(ctx.sub_id, {**end, "result": {"Err": message}})

    def sync(self) -> None:
        """Register the tools of every ready server (called whenever a server's tool list changes)."""
        tools = {t.name.qualified: t for t in self.manager.tools()}
        for qualified, tool in tools.items():
            if qualified not in self._tools:
                self._registry.register(_ToolHandler(self, qualified, qualified), replace=True)
                alias = f"{tool.name.namespace}.{tool.name.function}"
                if alias != qualified:
                    self._registry.register(_ToolHandler(self, qualified, alias), replace=True)
        self._tools = tools
        self._known.update(tools)

    def defers(self, model: Any) -> bool:
        """Whether `model` finds these tools with `tool_search` (its catalog says so, and the wire has it)."""
        return self._searchable and uses_tool_search(model)

    def tool(self, qualified: str) -> McpTool | None:
        """The offered tool with this flat name."""
        return self._tools.get(qualified)

    def tools(self) -> list[McpTool]:
        """The tools offered now (live, or cached while a server starts)."""
        return list(self._tools.values())

    def instructions(self) -> dict[str, str]:
        """Each server's instructions, when known."""
        return self.manager.server_instructions()

    def namespaces(self) -> dict[str, str | None]:
        """`mcp__server -> instructions` for every enabled server, up or not."""
        from pycodex_mcp_client import namespace_for

        known = self.manager.server_instructions()
        return {namespace_for(name): known.get(name) for name in self.manager.servers}

    async def searchable_tools(self) -> list[McpTool]:
        """The tools a search ranks: a server still starting with no cached list is waited for.

        Each such server gets at most its `startup_timeout_sec` (its start-up watchdog ends the
        wait sooner when the server fails).
        """
        self.requested.set()
        pending = [n for n, s in self.manager.servers.items() if s.state == "starting" and not s.known_tools()]
        if pending:
            limit = max(self.manager.servers[n].config.startup_timeout_sec for n in pending)
            await self.manager.wait_settled(pending, within_s=limit)
            self.sync()
        return self.tools()

    async def call(self, invocation: Any, qualified: str) -> str | list[dict[str, Any]]:
        """Run one MCP tool call: approval, begin event, the call, end event, the model's output."""
        tool = self._tools.get(qualified) or self._known.get(qualified)
        if tool is None:
            return f"unsupported call: {invocation.call.name}"
        self.requested.set()  # a call to a cached tool starts the servers now
        ctx, services, call = invocation.ctx, invocation.services, invocation.call
        server, name, arguments = tool.name.server, tool.name.tool, invocation.arguments
        refusal = await self._approve(invocation, tool)
        invocation_json = {"server": server, "tool": name, "arguments": arguments}
        services.emit(
            ctx.sub_id, {"type": "mcp_tool_call_begin", "call_id": call.call_id, "invocation": invocation_json}
        )
        started = time.monotonic()
        if refusal is not None:
            result: dict[str, Any] = {"Err": refusal}
            output: str | list[dict[str, Any]] = refusal
        else:
            result, output = await self._run(server, name, arguments, call, ctx, started)
        end = {
            "type": "mcp_tool_call_end",
            "call_id": call.call_id,
            "invocation": invocation_json,
            "duration": mcp_duration(time.monotonic() - started),
            "result": result,
        }
        services.emit(ctx.sub_id, end)
        return output

    async def _run(
        self, server: str, name: str, arguments: dict[str, Any], call: Any, ctx: Any, started: float
    ) -> tuple[dict[str, Any], str | list[dict[str, Any]]]:
        from pycodex_mcp_client import McpClientError, model_output

        meta = {"callId": call.call_id, "threadId": self.thread_id}
        try:
            data = await self.manager.call_tool(server, name, arguments, meta={k: v for k, v in meta.items() if v})
        except McpClientError as exc:
            message = f"tool call error: tool call failed for `{server}/{name}`: {_reason(exc)}"
            return {"Err": message}, message
        return {"Ok": data}, model_output(data, time.monotonic() - started)

    async def _approve(self, invocation: Any, tool: McpTool) -> str | None:
        """`None` when the call may run, else the text the model gets instead of a result."""
        ctx = invocation.ctx
        if ctx.approval_policy == "never" or tool.annotations.get("readOnlyHint") is True:
            return None
        args = json.dumps(invocation.arguments, ensure_ascii=False)
        from .._exec_types import ExecRequest, NeedsApproval

        request = ExecRequest(
            argv=("mcp", tool.name.server, tool.name.tool),
            cwd=ctx.cwd,
            call_id=invocation.call.call_id,
            tool_name=invocation.call.name,
        )
        reason = NeedsApproval(
            reason=f"MCP tool call {tool.name.server}/{tool.name.tool} with arguments {args[:500]}",
            proposed_amendment=("mcp", tool.name.server, tool.name.tool),
        )
        decision = await invocation.services.approvals.request_exec(ctx, request, reason)
        return None if decision in _APPROVED else "user rejected MCP tool call"

    async def resource_call(self, name: str, arguments: dict[str, Any]) -> str:
        """Run a resource tool and return its JSON text (or an error line)."""
        from pycodex_mcp_client import McpClientError

        server = arguments.get("server")
        try:
            if name == "read_mcp_resource":
                if not isinstance(server, str) or not isinstance(arguments.get("uri"), str):
                    return "failed to parse function arguments: `server` and `uri` are required strings"
                data = await self.manager.read_resource(server, str(arguments["uri"]))
                return json.dumps({"server": server, **data}, ensure_ascii=False)
            return await self._list(name, server, arguments.get("cursor"))
        except McpClientError as exc:
            return f"resources request failed: {exc}"

    async def _list(self, name: str, server: object, cursor: object) -> str:
        key = "resources" if name == "list_mcp_resources" else "resourceTemplates"
        method = self.manager.list_resources if key == "resources" else self.manager.list_resource_templates
        if isinstance(server, str):
            page = await method(server, cursor if isinstance(cursor, str) else None)
            out: dict[str, Any] = {"server": server, key: page.get(key, [])}
            if page.get("nextCursor"):
                out["nextCursor"] = page["nextCursor"]
            return json.dumps(out, ensure_ascii=False)
        if cursor is not None:
            return "failed to parse function arguments: `cursor` needs `server`"
        items: list[Any] = []
        for each in self.manager.servers_with_resources():
            try:
                page = await method(each, None)
            except Exception as exc:  # one server failing must not hide the others
                logger.warning("listing %s of %r failed: %s", key, each, exc)
                continue
            items += [{"server": each, **entry} for entry in page.get(key, [])]
        return json.dumps({key: items}, ensure_ascii=False)


def _reason(exc: Exception) -> str:
    return str(getattr(exc, "reason", None) or exc)

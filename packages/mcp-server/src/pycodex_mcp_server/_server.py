"""`codex mcp-server`: the MCP server over stdio, on the SDK's low-level `Server`."""

from __future__ import annotations

import argparse
import json
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from ._threads import Thread, Threads, resolve_cwd, run_turn
from ._tools import CODEX_REPLY_TOOL, CODEX_TOOL, tool_definitions
from .errors import McpServerError

logger = logging.getLogger(__name__)

__all__ = ["SERVER_NAME", "ServerOptions", "serve_stdio"]

SERVER_NAME = "codex-mcp-server"
"""`serverInfo.name`, as Codex's MCP server answered."""
EVENT_METHOD = "codex/event"
"""The notification that carries each session event."""
_STRING_ARGS = ("prompt", "model", "profile", "cwd", "approval-policy", "sandbox", "base-instructions")
_STRING_ARGS += ("developer-instructions", "compact-prompt", "threadId", "conversationId")


@dataclass(frozen=True)
class ServerOptions:
    """What `codex [OPTIONS] mcp-server` was given: the defaults of every session it starts."""

    config: Sequence[str] = ()
    """`-c key=value` overrides."""
    enable: Sequence[str] = ()
    disable: Sequence[str] = ()
    profile: str | None = None
    model: str | None = None
    sandbox: str | None = None
    cwd: Path | None = None

    @classmethod
    def parse(cls, argv: Sequence[str]) -> ServerOptions:
        """Read the global flags `codex` hands on (`--config=...`, `--model=...`, ...)."""
        p = argparse.ArgumentParser(prog="codex mcp-server", description="Run Codex as an MCP server over stdio.")
        for flag in ("-c", "--enable", "--disable"):
            p.add_argument(flag, *(["--config"] if flag == "-c" else []), action="append", default=[])
        p.add_argument("-p", "--profile")
        p.add_argument("-m", "--model")
        p.add_argument("-s", "--sandbox")
        p.add_argument("-C", "--cd")
        ns, _unknown = p.parse_known_args(list(argv))
        return cls(ns.config, ns.enable, ns.disable, ns.profile, ns.model, ns.sandbox, Path(ns.cd) if ns.cd else None)


def _toml_value(value: object) -> str:
    if isinstance(value, Mapping):
        inner = ", ".join(f"{json.dumps(str(k))} = {_toml_value(v)}" for k, v in value.items())
        return "{" + inner + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(value)


def _check_args(args: Mapping[str, Any]) -> None:
    for key in _STRING_ARGS:
        if key in args and args[key] is not None and not isinstance(args[key], str):
            raise McpServerError(f"invalid arguments: `{key}` must be a string")
    if not isinstance(args.get("prompt"), str):
        raise McpServerError("invalid arguments: `prompt` is required")
    if args.get("config") is not None and not isinstance(args.get("config"), Mapping):
        raise McpServerError("invalid arguments: `config` must be an object of dotted keys")


def build_config(args: Mapping[str, Any], options: ServerOptions) -> Any:
    """The `Config` of a new session from the `codex` tool's arguments over the server's defaults.

    Raises:
        McpServerError: bad arguments or a configuration that does not load.
    """
    from pycodex_config import CliOverrides, ConfigError, load_config

    _check_args(args)
    cwd = resolve_cwd(args["cwd"], options.cwd or Path.cwd()) if args.get("cwd") else (options.cwd or Path.cwd())
    extra = [f"{k}={_toml_value(v)}" for k, v in (args.get("config") or {}).items()]
    cli = CliOverrides(
        model=args.get("model") or options.model,
        approval_policy=args.get("approval-policy"),
        sandbox_mode=args.get("sandbox") or options.sandbox,  # pyright: ignore[reportArgumentType]
        cwd=cwd,
        base_instructions=args.get("base-instructions"),
        developer_instructions=args.get("developer-instructions"),
    )
    try:
        return load_config(
            cwd=cwd,
            overrides=[*options.config, *extra],
            profile=args.get("profile") or options.profile,
            enable=options.enable,
            disable=options.disable,
            cli=cli,
        )
    except (ConfigError, ValueError) as exc:
        raise McpServerError(f"Failed to start Codex session: {exc}") from None


def _result(text: str, thread_id: str | None, *, error: bool = False) -> Any:
    from mcp import types

    structured = {"threadId": thread_id, "content": text} if thread_id is not None else None
    return types.CallToolResult(content=[types.TextContent(text=text)], structured_content=structured, is_error=error)


class _Handlers:
    """The request handlers of one connection."""

    def __init__(self, threads: Threads, options: ServerOptions) -> None:
        self.threads, self.options = threads, options

    async def list_tools(self, ctx: Any, params: Any) -> Any:
        from mcp import types

        return types.ListToolsResult(tools=[types.Tool.model_validate(t) for t in tool_definitions()])

    async def call_tool(self, ctx: Any, params: Any) -> Any:
        args: dict[str, Any] = dict(params.arguments or {})
        thread: Thread | None = None
        try:
            if params.name == CODEX_TOOL:
                thread = await self.threads.start(build_config(args, self.options))
            elif params.name == CODEX_REPLY_TOOL:
                thread = self._reply_thread(args)
            else:
                return _result(f"Unknown tool '{params.name}'", None, error=True)
            text = await run_turn(
                thread,
                str(args["prompt"]),
                notify=lambda event: _notify(ctx, event, thread),
                elicit=lambda request: _elicit(ctx, request),
                tool_call_id=ctx.request_id,
            )
        except McpServerError as exc:
            return _result(str(exc), thread.thread_id if thread else None, error=True)
        return _result(text, thread.thread_id)

    def _reply_thread(self, args: Mapping[str, Any]) -> Thread:
        _check_args(args)
        thread_id = args.get("threadId") or args.get("conversationId")
        if not isinstance(thread_id, str) or not thread_id:
            raise McpServerError("invalid arguments: `threadId` is required")
        thread = self.threads.get(thread_id)
        if thread is None:
            raise McpServerError(f"Session not found for thread_id: {thread_id}")
        return thread


def _channel(ctx: Any) -> Any:
    # The SDK's typed session has no public way to send a non-standard notification or to
    # read a non-standard elicitation answer, so the request's raw channel is used.
    return ctx.session._request_outbound


async def _notify(ctx: Any, event: dict[str, Any], thread: Thread | None) -> None:
    meta: dict[str, Any] = {"requestId": ctx.request_id}
    if thread is not None:
        meta["threadId"] = thread.thread_id
    try:
        await _channel(ctx).notify(EVENT_METHOD, {**event, "_meta": meta})
    except (anyio.BrokenResourceError, anyio.ClosedResourceError):
        logger.debug("client gone; event not delivered")


async def _elicit(ctx: Any, request: dict[str, Any]) -> dict[str, Any]:
    from mcp import MCPError

    try:
        reply = await _channel(ctx).send_raw_request("elicitation/create", request, None)
    except (MCPError, anyio.BrokenResourceError, anyio.ClosedResourceError) as exc:
        logger.warning("elicitation failed: %s", exc)
        return {"action": "cancel"}
    return reply if isinstance(reply, dict) else {}


async def serve_stdio(options: ServerOptions, *, start_codex: Callable[[Any], Any] | None = None) -> None:
    """Serve MCP on stdin/stdout until the client closes it; every session is shut down at the end."""
    from mcp.server.lowlevel import Server
    from mcp.server.stdio import stdio_server

    from pycodex_core import Codex

    from . import __version__

    def default_start(config: Any) -> Any:
        return Codex.start(config, originator="codex_mcp_server")

    async with anyio.create_task_group() as tg:
        threads = Threads(tg, start_codex or default_start)
        handlers = _Handlers(threads, options)
        server: Any = Server(
            SERVER_NAME, version=__version__, on_list_tools=handlers.list_tools, on_call_tool=handlers.call_tool
        )
        try:
            async with stdio_server() as (read, write):
                await server.run(read, write, server.create_initialization_options())
        finally:
            threads.close_all()

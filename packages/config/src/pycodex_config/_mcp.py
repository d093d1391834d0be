"""`[mcp_servers.<name>]`: MCP servers over stdio or streamable HTTP."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple, cast

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pycodex_config._layers import Layer

logger = logging.getLogger(__name__)

__all__ = ["McpServerConfig", "mcp_servers_from"]

DEFAULT_STARTUP_TIMEOUT_SEC = 30.0
DEFAULT_TOOL_TIMEOUT_SEC = 120.0
_EMPTY: Mapping[str, str] = MappingProxyType({})


def _strs(value: object) -> tuple[str, ...]:
    return tuple(str(x) for x in cast(list[object], value)) if isinstance(value, list) else ()


def _str_map(value: object) -> dict[str, str]:
    return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else {}  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]


class McpServerConfig(NamedTuple):
    """One configured MCP server (a named tuple: `codex mcp list` builds these without loading `dataclasses`).

    Exactly one of `command` (stdio) and `url` (streamable HTTP) is set.
    """

    name: str
    """The table name, used as the tool-name prefix (`name__tool`)."""
    transport: Literal["stdio", "http"]
    """`stdio` when `command` is set, `http` when `url` is set."""
    command: str | None = None
    """Program to start (stdio)."""
    args: tuple[str, ...] = ()
    """Its arguments (stdio)."""
    env: Mapping[str, str] = _EMPTY
    """Extra environment variables (stdio)."""
    env_vars: tuple[str, ...] = ()
    """Names of parent environment variables to forward (stdio)."""
    cwd: str | None = None
    """Working directory of the server process (stdio)."""
    url: str | None = None
    """Endpoint (streamable HTTP)."""
    bearer_token_env_var: str | None = None
    """Environment variable holding a bearer token (HTTP)."""
    http_headers: Mapping[str, str] = _EMPTY
    """Static headers (HTTP)."""
    env_http_headers: Mapping[str, str] = _EMPTY
    """Header name -> environment variable name (HTTP)."""
    enabled: bool = True
    """A disabled server is not started."""
    required: bool = False
    """Fail start-up when the server cannot start."""
    startup_timeout_sec: float = DEFAULT_STARTUP_TIMEOUT_SEC
    """Time allowed for initialize + tools/list."""
    tool_timeout_sec: float = DEFAULT_TOOL_TIMEOUT_SEC
    """Time allowed for one tool call."""
    enabled_tools: tuple[str, ...] | None = None
    """Allow-list of tool names, if set."""
    disabled_tools: tuple[str, ...] = ()
    """Deny-list of tool names."""
    raw: Mapping[str, object] = _EMPTY
    """The table as written, for keys not modelled here (scopes, per-tool approval, ...)."""

    @classmethod
    def from_toml(cls, name: str, table: Mapping[str, object]) -> McpServerConfig:
        """Build from an already validated table.

        Raises:
            ValueError: neither or both of `command` and `url` are set (Codex: "invalid transport").
        """
        command, url = table.get("command"), table.get("url")
        if (command is None) == (url is None):
            raise ValueError("invalid transport: set exactly one of `command` (stdio) or `url` (streamable HTTP)")
        startup = table.get("startup_timeout_sec")
        startup_ms = table.get("startup_timeout_ms")
        if not isinstance(startup, int | float) and isinstance(startup_ms, int):
            startup = startup_ms / 1000
        tool_timeout = table.get("tool_timeout_sec")
        enabled_tools = table.get("enabled_tools")
        cwd, token_var = table.get("cwd"), table.get("bearer_token_env_var")
        return cls(
            name=name,
            transport="stdio" if isinstance(command, str) else "http",
            command=command if isinstance(command, str) else None,
            args=_strs(table.get("args")),
            env=_str_map(table.get("env")),
            env_vars=_strs(table.get("env_vars")),
            cwd=cwd if isinstance(cwd, str) else None,
            url=url if isinstance(url, str) else None,
            bearer_token_env_var=token_var if isinstance(token_var, str) else None,
            http_headers=_str_map(table.get("http_headers")),
            env_http_headers=_str_map(table.get("env_http_headers")),
            enabled=table.get("enabled", True) is not False,
            required=table.get("required") is True,
            startup_timeout_sec=float(startup) if isinstance(startup, int | float) else DEFAULT_STARTUP_TIMEOUT_SEC,
            tool_timeout_sec=float(tool_timeout) if isinstance(tool_timeout, int | float) else DEFAULT_TOOL_TIMEOUT_SEC,
            enabled_tools=None if enabled_tools is None else _strs(enabled_tools),
            disabled_tools=_strs(table.get("disabled_tools")),
            raw=dict(table),
        )


def mcp_servers_from(merged: Mapping[str, object], layers: Sequence[Layer]) -> dict[str, McpServerConfig]:
    """The `[mcp_servers]` tables of a merged document (`layers` locate a bad table in its file).

    Raises:
        ConfigError: a server table is invalid.
    """
    from pycodex_config._layers import error_at

    table = merged.get("mcp_servers")
    servers: dict[str, McpServerConfig] = {}
    for name, value in cast(dict[str, object], table).items() if isinstance(table, dict) else ():
        try:
            servers[name] = McpServerConfig.from_toml(name, cast(dict[str, object], value))
        except ValueError as exc:
            raise error_at(layers, ("mcp_servers", name), str(exc)) from None
    return servers

"""Errors of the MCP client.

```
McpClientError
 ├── McpStartupError      a server could not be started (spawn, handshake, timeout, auth)
 ├── McpServerUnavailable a call or listing went to a server that is not ready
 ├── McpToolNotOffered    a call named a tool the ready server no longer lists
 └── McpCallError         a call failed before a result came back (timeout, crash, protocol error)
```
"""

from __future__ import annotations

__all__ = ["McpCallError", "McpClientError", "McpServerUnavailable", "McpStartupError", "McpToolNotOffered"]


class McpClientError(Exception):
    """Base of every error raised by `pycodex_mcp_client`."""


class McpStartupError(McpClientError):
    """A server could not be started.

    Args:
        server: The configured server name.
        reason: Why, in one line.
    """

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"MCP server {server!r} failed to start: {reason}")
        self.server = server
        """The configured server name."""
        self.reason = reason
        """Why it failed, in one line."""


class McpServerUnavailable(McpClientError):
    """A request went to a server that is unknown, disabled, still starting or failed."""

    def __init__(self, server: str, reason: str) -> None:
        super().__init__(f"MCP server {server!r} is not available: {reason}")
        self.server = server
        """The configured server name."""
        self.reason = reason
        """Its state, in one line."""


class McpToolNotOffered(McpClientError):
    """A call named a tool that the ready server does not list (any more), or that a filter hides."""

    def __init__(self, server: str, tool: str) -> None:
        self.server = server
        """The configured server name."""
        self.tool = tool
        """The tool asked for."""
        self.reason = f"MCP server `{server}` no longer offers a tool named `{tool}`"
        """Why, in one line."""
        super().__init__(self.reason)


class McpCallError(McpClientError):
    """A request to a ready server failed without a result (timeout, crash, protocol error)."""

    def __init__(self, server: str, what: str, reason: str) -> None:
        super().__init__(f"{what} on MCP server {server!r} failed: {reason}")
        self.server = server
        """The configured server name."""
        self.reason = reason
        """Why, in one line."""

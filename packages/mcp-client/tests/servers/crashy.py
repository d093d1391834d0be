"""A stdio MCP server whose `crash` tool kills the process in the middle of the call."""

import os

from mcp.server.mcpserver import MCPServer

server = MCPServer("crashy")


@server.tool()
def ping() -> str:
    """Answer pong."""
    return "pong"


@server.tool()
def crash() -> str:
    """Exit without answering."""
    os._exit(3)


if __name__ == "__main__":
    server.run("stdio")

"""`codex mcp-server`: Codex as an MCP server over stdio, with the `codex` and `codex-reply` tools.

Each `codex` call starts a session and runs one turn; `codex-reply` continues it. While a turn
runs every core event is sent as a `codex/event` notification, and command or patch approvals
are asked through `elicitation/create`. The schemas are in docs/mcp-server.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ._server import SERVER_NAME, ServerOptions, build_config, serve_stdio
from ._threads import approval_request, decision_from_reply
from ._tools import CODEX_REPLY_TOOL, CODEX_TOOL, OUTPUT_SCHEMA, tool_definitions
from .errors import McpServerError

__version__ = "0.1.0"

__all__ = [
    "CODEX_REPLY_TOOL",
    "CODEX_TOOL",
    "McpServerError",
    "OUTPUT_SCHEMA",
    "SERVER_NAME",
    "ServerOptions",
    "__version__",
    "approval_request",
    "build_config",
    "decision_from_reply",
    "main",
    "serve_stdio",
    "tool_definitions",
]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the server until stdin closes; returns the exit status."""
    import anyio

    options = ServerOptions.parse(sys.argv[1:] if argv is None else argv)
    try:
        anyio.run(serve_stdio, options)
    except KeyboardInterrupt:
        return 130
    return 0

"""MCP client: servers from `[mcp_servers.NAME]` over stdio or streamable HTTP, started in the background.

```python
async with McpConnectionManager.start(config.mcp_servers, report=print) as mcp:
    for tool in mcp.tools():  # ready servers, and the last known tools of those still starting
        print(tool.name.qualified)
    result = await mcp.call_tool("time", "get_current_time", {"timezone": "UTC"})
```

Importing this package is cheap: each name loads its module on first use (the SDK itself is
imported off the event loop when a manager starts), so `codex mcp list` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._credentials import CREDENTIALS_FILE, KEYRING_SERVICE, McpOAuthStore, oauth_store_key
    from ._login import oauth_login
    from ._manager import CLIENT_NAME, McpConnectionManager, McpTool
    from ._naming import MAX_TOOL_NAME_BYTES, ToolName, assign_tool_names, namespace_for, sanitize_name
    from ._oauth_store import OAUTH_FILE_NAME, OAuthTokenFile
    from ._registration import CIMD_BASE, CIMD_UNSUPPORTED, CLIENT_REGISTRATIONS, callback_id, cimd_client_id
    from ._results import call_result_json, model_output
    from ._server import ServerState
    from ._tool_cache import CACHE_DIR, MAX_CACHE_BYTES, CachedTools, ToolInfo, cache_path, read_cache, write_cache
    from .errors import McpCallError, McpClientError, McpServerUnavailable, McpStartupError, McpToolNotOffered

_WHERE = {
    "CIMD_BASE": "_registration",
    "callback_id": "_registration",
    "cimd_client_id": "_registration",
    "CIMD_UNSUPPORTED": "_registration",
    "CLIENT_REGISTRATIONS": "_registration",
    "CREDENTIALS_FILE": "_credentials",
    "KEYRING_SERVICE": "_credentials",
    "McpOAuthStore": "_credentials",
    "oauth_store_key": "_credentials",
    "CACHE_DIR": "_tool_cache",
    "CLIENT_NAME": "_manager",
    "CachedTools": "_tool_cache",
    "MAX_CACHE_BYTES": "_tool_cache",
    "McpToolNotOffered": "errors",
    "ToolInfo": "_tool_cache",
    "cache_path": "_tool_cache",
    "read_cache": "_tool_cache",
    "write_cache": "_tool_cache",
    "MAX_TOOL_NAME_BYTES": "_naming",
    "McpCallError": "errors",
    "McpClientError": "errors",
    "McpConnectionManager": "_manager",
    "McpServerUnavailable": "errors",
    "McpStartupError": "errors",
    "McpTool": "_manager",
    "OAUTH_FILE_NAME": "_oauth_store",
    "OAuthTokenFile": "_oauth_store",
    "ServerState": "_server",
    "ToolName": "_naming",
    "assign_tool_names": "_naming",
    "call_result_json": "_results",
    "model_output": "_results",
    "namespace_for": "_naming",
    "oauth_login": "_login",
    "sanitize_name": "_naming",
}

__all__ = [
    "CACHE_DIR",
    "CIMD_BASE",
    "CIMD_UNSUPPORTED",
    "CLIENT_NAME",
    "CLIENT_REGISTRATIONS",
    "CREDENTIALS_FILE",
    "CachedTools",
    "KEYRING_SERVICE",
    "MAX_CACHE_BYTES",
    "MAX_TOOL_NAME_BYTES",
    "McpCallError",
    "McpClientError",
    "McpConnectionManager",
    "McpOAuthStore",
    "McpServerUnavailable",
    "McpStartupError",
    "McpTool",
    "McpToolNotOffered",
    "OAUTH_FILE_NAME",
    "OAuthTokenFile",
    "ServerState",
    "ToolInfo",
    "ToolName",
    "assign_tool_names",
    "cache_path",
    "call_result_json",
    "callback_id",
    "cimd_client_id",
    "model_output",
    "namespace_for",
    "oauth_login",
    "oauth_store_key",
    "read_cache",
    "sanitize_name",
    "write_cache",
]


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value

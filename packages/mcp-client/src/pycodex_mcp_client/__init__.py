"""MCP client: servers from `[mcp_servers.NAME]` over stdio or streamable HTTP, started in the background.

```python
async with McpConnectionManager.start(config.mcp_servers, report=print) as mcp:
    for tool in mcp.tools():  # the tools of the servers ready now
        print(tool.name.qualified)
    result = await mcp.call_tool("time", "get_current_time", {"timezone": "UTC"})
```
"""

from ._login import oauth_login
from ._manager import CLIENT_NAME, McpConnectionManager, McpTool
from ._naming import MAX_TOOL_NAME_BYTES, ToolName, assign_tool_names, namespace_for, sanitize_name
from ._oauth_store import OAUTH_FILE_NAME, OAuthTokenFile
from ._results import call_result_json, model_output
from ._server import ServerState
from .errors import McpCallError, McpClientError, McpServerUnavailable, McpStartupError

__all__ = [
    "CLIENT_NAME",
    "MAX_TOOL_NAME_BYTES",
    "McpCallError",
    "McpClientError",
    "McpConnectionManager",
    "McpServerUnavailable",
    "McpStartupError",
    "McpTool",
    "OAUTH_FILE_NAME",
    "OAuthTokenFile",
    "ServerState",
    "ToolName",
    "assign_tool_names",
    "call_result_json",
    "model_output",
    "namespace_for",
    "oauth_login",
    "sanitize_name",
]

"""Errors of `codex mcp-server`.

```
McpServerError   a tool call that cannot run (bad arguments, unknown thread, failed session)
```
"""

from __future__ import annotations

__all__ = ["McpServerError"]


class McpServerError(Exception):
    """A tool call that fails; its text becomes the `isError` result the client sees."""

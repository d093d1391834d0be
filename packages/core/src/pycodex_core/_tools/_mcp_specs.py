"""Specs of the MCP resource tools (offered when any MCP server is configured), as Codex 0.169 names them."""

from __future__ import annotations

from typing import Any

__all__ = ["RESOURCE_TOOL_SPECS"]


def _function(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    parameters: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        parameters["required"] = required
    return {"type": "function", "name": name, "description": description, "strict": False, "parameters": parameters}


_SERVER = {"type": "string", "description": "The configured name of the MCP server; leave out to ask every server."}
_CURSOR = {"type": "string", "description": "The `nextCursor` of the previous page; leave out for the first page."}

RESOURCE_TOOL_SPECS: dict[str, dict[str, Any]] = {
    "list_mcp_resources": _function(
        "list_mcp_resources",
        "List the resources (files, records, documents, ...) that the configured MCP servers make available. "
        "Read one with read_mcp_resource; these are often better sources than a web search.",
        {"cursor": _CURSOR, "server": _SERVER},
        [],
    ),
    "list_mcp_resource_templates": _function(
        "list_mcp_resource_templates",
        "List the parameterised resource templates (URI patterns) that the configured MCP servers make available.",
        {"cursor": _CURSOR, "server": _SERVER},
        [],
    ),
    "read_mcp_resource": _function(
        "read_mcp_resource",
        "Read one resource of an MCP server by its URI, as listed by list_mcp_resources.",
        {
            "server": {"type": "string", "description": "The server's name, as the `server` field of a listing."},
            "uri": {"type": "string", "description": "The resource URI, as listed."},
        },
        ["server", "uri"],
    ),
}
"""The three resource tools by name."""

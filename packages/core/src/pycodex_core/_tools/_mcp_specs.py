"""Specs of the MCP resource tools (offered when any MCP server is configured), as Codex 0.169 names them."""

from __future__ import annotations

from typing import Any

__all__ = ["RESOURCE_TOOL_SPECS", "TOOL_SEARCH_SPEC", "namespace_description", "namespace_spec", "parameters"]


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

TOOL_SEARCH_SPEC: dict[str, Any] = {
    "type": "tool_search",
    "execution": "client",
    "description": (
        "# Finding more tools\n\n"
        "The tools of the MCP servers listed under `Deferred tool namespaces` are not in your tool list yet. "
        "Search them by what you need done (keywords, a server or tool name); the best matches become "
        "callable in your next step. Prefer this to list_mcp_resources or list_mcp_resource_templates "
        "when you are looking for a tool."
    ),
    "parameters": {
        "type": "object",
        "properties": {
            "limit": {"type": "number", "description": "How many tools to return at most (8 when left out)."},
            "query": {"type": "string", "description": "What to look for among the deferred tools."},
        },
        "required": ["query"],
        "additionalProperties": False,
    },
}
"""The client-executed `tool_search` tool, offered to models whose catalog entry supports it."""


def parameters(schema: dict[str, Any]) -> dict[str, Any]:
    """An MCP input schema as Responses `parameters`: an object schema, `$schema` dropped."""
    params = {k: v for k, v in schema.items() if k != "$schema"}
    params["type"] = "object"
    params.setdefault("properties", {})
    return params


def namespace_description(namespace: str, instructions: str | None) -> str:
    """A server namespace's description: its instructions, else a generic line."""
    text = (instructions or "").strip()
    return text or f"Tools in the {namespace} namespace."


def namespace_spec(
    namespace: str, instructions: str | None, functions: list[tuple[str, str, dict[str, Any]]], *, deferred: bool
) -> dict[str, Any]:
    """A `{"type": "namespace"}` tool holding `(name, description, input schema)` functions.

    `deferred` marks each function `defer_loading` (a `tool_search` answer).
    """
    tools: list[dict[str, Any]] = []
    for name, description, schema in functions:
        spec: dict[str, Any] = {"type": "function", "name": name, "description": description, "strict": False}
        if deferred:
            spec["defer_loading"] = True
        spec["parameters"] = parameters(schema)
        tools.append(spec)
    return {
        "type": "namespace",
        "name": namespace,
        "description": namespace_description(namespace, instructions),
        "tools": tools,
    }

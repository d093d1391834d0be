"""Specs of the MCP resource tools (offered when any MCP server is configured), as Codex 0.169 names them."""

from __future__ import annotations

from typing import Any, cast

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


_TYPES = ("string", "number", "boolean", "integer", "object", "array", "null")
_MAX_SCHEMA_DEPTH = 32


def parameters(schema: dict[str, Any]) -> dict[str, Any]:
    """An MCP input schema as Codex offers it: reduced to the keywords the Responses API gets.

    Kept, in this order: `type` (inferred when missing), `description`, `enum` (`const` becomes a
    one-value `enum`), `items`, `properties` (sorted by name), `required`, `additionalProperties`,
    `anyOf`; titles, defaults, `$schema` and the rest are dropped. Nesting deeper than 32 levels is
    cut to a plain string schema.
    """
    if "type" not in schema and "anyOf" not in schema:
        schema = {**schema, "type": "object"}  # an MCP input schema is an object schema
    return _schema(schema, 0)


def _schema(value: object, depth: int) -> dict[str, Any]:
    if not isinstance(value, dict) or depth > _MAX_SCHEMA_DEPTH:
        return {"type": "string"}
    node = cast("dict[str, Any]", value)
    out: dict[str, Any] = {}
    types = _types(node)
    if types:
        out["type"] = types[0] if len(types) == 1 else types
    if isinstance(node.get("description"), str):
        out["description"] = node["description"]
    enum = [node["const"]] if "const" in node else node.get("enum")
    if isinstance(enum, list):
        out["enum"] = enum
    if "items" in node or "array" in types:
        out["items"] = _schema(node.get("items", {"type": "string"}), depth + 1)
    properties = node.get("properties")
    if isinstance(properties, dict) or "object" in types:
        props = cast("dict[str, Any]", properties) if isinstance(properties, dict) else {}
        out["properties"] = {str(k): _schema(props[k], depth + 1) for k in sorted(props, key=str)}
    required = node.get("required")
    if isinstance(required, list):
        out["required"] = [r for r in cast("list[Any]", required) if isinstance(r, str)]
    extra: object = node.get("additionalProperties")
    if isinstance(extra, bool):
        out["additionalProperties"] = extra
    elif isinstance(extra, dict):
        out["additionalProperties"] = _schema(cast("dict[str, Any]", extra), depth + 1)
    any_of = node.get("anyOf")
    if isinstance(any_of, list):
        out["anyOf"] = [_schema(v, depth + 1) for v in cast("list[Any]", any_of)]
    return out


def _types(node: dict[str, Any]) -> list[str]:
    raw = node.get("type")
    named = [raw] if isinstance(raw, str) else cast("list[Any]", raw) if isinstance(raw, list) else []
    types = [t for t in named if isinstance(t, str) and t in _TYPES]
    if types or "anyOf" in node:
        return types
    if any(k in node for k in ("properties", "required", "additionalProperties")):
        return ["object"]
    if any(k in node for k in ("items", "prefixItems")):
        return ["array"]
    if any(k in node for k in ("enum", "const", "format")):
        return ["string"]
    if any(k in node for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")):
        return ["number"]
    return ["string"]


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

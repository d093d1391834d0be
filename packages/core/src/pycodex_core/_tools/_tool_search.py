"""`tool_search`: models that support it get MCP tools on demand instead of all of them up front.

The namespaces of the configured servers are listed in the `<tools>` developer message from the
configuration at once (no server needs to be up); a search ranks the servers' tools with BM25
and answers with namespace specs whose functions are `defer_loading`, which the model then calls
as `function_call {namespace, name}`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

from ._mcp_specs import TOOL_SEARCH_SPEC, namespace_spec

if TYPE_CHECKING:
    from pycodex_mcp_client import McpTool

    from ._mcp import McpToolset

__all__ = [
    "DEFAULT_LIMIT",
    "ToolSearchHandler",
    "deferred_note",
    "namespace_changes",
    "noted_namespaces",
    "rank_tools",
    "uses_tool_search",
]

DEFAULT_LIMIT = 8
"""Tools one search returns when the model sets no `limit`."""
MAX_LIMIT = 64
"""Upper bound on `limit`, whatever the model asks."""
MAX_QUERY_CHARS = 2000
MAX_QUERY_TERMS = 64
"""A query is read up to this many characters and distinct words."""
_NOTE_DESCRIPTION_CHARS = 160
_WORD = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|[a-z]+|\d+")


def uses_tool_search(model: Any) -> bool:
    """Whether MCP tools are deferred behind `tool_search` for `model` (its catalog entry says so)."""
    return bool(getattr(model, "supports_search_tool", False))


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _document(tool: McpTool) -> list[str]:
    properties: object = tool.input_schema.get("properties")
    names = " ".join(str(k) for k in cast("dict[str, Any]", properties)) if isinstance(properties, dict) else ""
    text = f"{tool.name.server} {tool.name.namespace} {tool.name.tool} {tool.name.function} {tool.description} {names}"
    return _words(text)


def rank_tools(tools: Sequence[McpTool], query: str, limit: int) -> list[McpTool]:
    """The `limit` tools that match `query` best (BM25 over names, descriptions and argument names)."""
    terms = list(dict.fromkeys(_words(query[:MAX_QUERY_CHARS])))[:MAX_QUERY_TERMS]
    if not terms or not tools or limit <= 0:
        return []
    docs = [Counter(_document(t)) for t in tools]
    lengths = [sum(d.values()) for d in docs]
    average = sum(lengths) / len(docs) or 1.0
    having = {term: sum(1 for d in docs if term in d) for term in terms}
    idf = {term: math.log(1 + (len(docs) - n + 0.5) / (n + 0.5)) for term, n in having.items()}
    k1, b = 1.2, 0.75
    scored: list[tuple[float, int]] = []
    for index, (doc, length) in enumerate(zip(docs, lengths, strict=True)):
        score = 0.0
        for term in terms:
            freq = doc.get(term, 0)
            if freq:
                score += idf[term] * freq * (k1 + 1) / (freq + k1 * (1 - b + b * length / average))
        if score > 0:
            scored.append((score, index))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    return [tools[i] for _, i in scored[:limit]]


def _first_line(text: str) -> str:
    line = text.strip().split("\n", 1)[0].strip()
    return line if len(line) <= _NOTE_DESCRIPTION_CHARS else line[: _NOTE_DESCRIPTION_CHARS - 1] + "…"


def _line(name: str, description: str | None) -> str:
    text = _first_line(description or "")
    return f"- {name}: {text}" if text else f"- {name}"


def deferred_note(namespaces: dict[str, str | None]) -> str | None:
    """The `<tools>` developer text listing deferred namespaces (`name -> instructions`), sorted by name."""
    if not namespaces:
        return None
    lines = [_line(name, namespaces[name]) for name in sorted(namespaces)]
    return "<tools>\nDeferred tool namespaces:\n" + "\n".join(lines) + "\n</tools>"


_GROUPS = {
    "Deferred tool namespaces:": "list",
    "Added deferred tool namespaces:": "add",
    "Removed deferred tool namespaces:": "remove",
}


def noted_namespaces(history: Sequence[dict[str, Any]]) -> set[str]:
    """The MCP namespaces (`mcp__*`) the `<tools>` developer messages of a history have told the model of."""
    state: set[str] = set()
    for item in history:
        content = item.get("content") if item.get("type") == "message" and item.get("role") == "developer" else None
        for part in cast("list[Any]", content) if isinstance(content, list) else []:
            text: object = cast("dict[str, Any]", part).get("text") if isinstance(part, dict) else None
            if not isinstance(text, str) or not text.startswith("<tools>"):
                continue
            mode: str | None = None
            for line in text.splitlines():
                if line in _GROUPS:
                    mode = _GROUPS[line]
                    state = set() if mode == "list" else state
                elif line.startswith("- mcp__") and mode is not None:
                    name = line[2:].split(":", 1)[0].strip()
                    (state.discard if mode == "remove" else state.add)(name)
    return state


def namespace_changes(previous: set[str], current: dict[str, str | None]) -> str | None:
    """The `<tools>` update for namespaces added or removed since `previous`, or `None` when none changed."""
    added = sorted(n for n in current if n not in previous)
    removed = sorted(previous - set(current))
    if not added and not removed:
        return None
    lines = ["<tools>"]
    if added:
        lines += ["Added deferred tool namespaces:", *(_line(n, current[n]) for n in added)]
    if removed:
        lines += ["Removed deferred tool namespaces:", *(f"- {n}" for n in removed)]
    return "\n".join([*lines, "</tools>"])


@dataclass
class ToolSearchHandler:
    """The `tool_search` tool of a session with MCP servers."""

    toolset: McpToolset
    name: str = "tool_search"
    mutates: bool = False

    def spec(self, model: Any) -> dict[str, Any] | None:
        """Offered only to models that support the search tool."""
        return TOOL_SEARCH_SPEC if self.toolset.defers(model) else None

    def developer_note(self, model: Any) -> str | None:
        """The `<tools>` message naming every configured server's namespace."""
        return deferred_note(self.toolset.namespaces()) if self.toolset.defers(model) else None

    def developer_update(self, model: Any, history: Sequence[dict[str, Any]]) -> str | None:
        """For a continuing thread (a resumed one, another model): the namespaces added or removed since."""
        current = self.toolset.namespaces() if self.toolset.defers(model) else {}
        return namespace_changes(noted_namespaces(history), current)

    async def handle(self, invocation: Any) -> list[dict[str, Any]]:
        """Rank the servers' tools for the query; namespace specs of the matches."""
        args = invocation.arguments
        query = args.get("query")
        if not isinstance(query, str) or not query.strip():
            return []
        limit = args.get("limit")
        count = DEFAULT_LIMIT
        if isinstance(limit, int | float) and not isinstance(limit, bool) and math.isfinite(limit):
            count = max(1, min(int(limit), MAX_LIMIT))
        tools = await self.toolset.searchable_tools()
        return _grouped(rank_tools(tools, query, count), self.toolset.instructions())


def _grouped(matches: list[McpTool], instructions: dict[str, str]) -> list[dict[str, Any]]:
    """Matches as one namespace spec per server, in the order of each server's best match."""
    by_namespace: dict[str, list[McpTool]] = {}
    for tool in matches:
        by_namespace.setdefault(tool.name.namespace, []).append(tool)
    out: list[dict[str, Any]] = []
    for namespace, tools in by_namespace.items():
        functions = [(t.name.function, t.description, t.input_schema) for t in tools]
        out.append(namespace_spec(namespace, instructions.get(tools[0].name.server), functions, deferred=True))
    return out

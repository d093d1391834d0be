"""Model-visible names of MCP tools, as Codex 0.169 forms them.

A tool `get.time` of server `my-srv` is offered as `mcp__my_srv__get_time` (namespace `mcp__my_srv`,
function `get_time`): each part keeps only `[A-Za-z0-9_]`, others become `_`. A name longer than
64 bytes, or one that collides with an earlier one, is cut and gets `_` plus 12 hex digits of the
SHA-1 of the unsanitised `server/tool`, so it stays unique and stable.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["MAX_TOOL_NAME_BYTES", "ToolName", "assign_tool_names", "namespace_for", "sanitize_name"]

MAX_TOOL_NAME_BYTES = 64
"""The Responses API limit on a function name."""
_PREFIX = "mcp"
_DELIMITER = "__"
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def sanitize_name(part: str) -> str:
    """Replace every character outside `[A-Za-z0-9_]` with `_` (an empty part becomes `_`)."""
    return _UNSAFE.sub("_", part) or "_"


def namespace_for(server: str) -> str:
    """The namespace of a server's tools: `mcp__<server>`."""
    return f"{_PREFIX}{_DELIMITER}{sanitize_name(server)}"


@dataclass(frozen=True)
class ToolName:
    """How one MCP tool is named to the model."""

    server: str
    """The configured server name."""
    tool: str
    """The tool's name on its server."""
    qualified: str
    """The flat function name, `mcp__server__tool`, at most 64 bytes and unique."""
    namespace: str
    """`mcp__server`, for calls that name a namespace and a function."""
    function: str
    """The sanitised tool name within the namespace."""


def _hashed(raw: str, base: str) -> str:
    digest = hashlib.sha1(raw.encode("utf-8")).hexdigest()[:12]
    room = MAX_TOOL_NAME_BYTES - len(digest) - 1
    return f"{base.encode('utf-8')[:room].decode('utf-8', 'ignore')}_{digest}"


def assign_tool_names(pairs: Iterable[tuple[str, str]]) -> list[ToolName]:
    """Name every `(server, tool)` pair, in order; later collisions get the hash suffix.

    Pairs repeated exactly are named once.
    """
    taken: set[str] = set()
    seen: set[tuple[str, str]] = set()
    names: list[ToolName] = []
    for server, tool in pairs:
        if (server, tool) in seen:
            continue
        seen.add((server, tool))
        namespace, function = namespace_for(server), sanitize_name(tool)
        qualified = f"{namespace}{_DELIMITER}{function}"
        if len(qualified.encode("utf-8")) > MAX_TOOL_NAME_BYTES or qualified in taken:
            qualified = _hashed(f"{server}/{tool}", qualified)
        taken.add(qualified)
        names.append(ToolName(server, tool, qualified, namespace, function))
    return names

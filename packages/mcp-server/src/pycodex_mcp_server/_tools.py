"""The two tools of `codex mcp-server`, with the input schemas Codex's MCP server had."""

from __future__ import annotations

from typing import Any

__all__ = ["CODEX_REPLY_TOOL", "CODEX_TOOL", "OUTPUT_SCHEMA", "tool_definitions"]

CODEX_TOOL = "codex"
CODEX_REPLY_TOOL = "codex-reply"

OUTPUT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"threadId": {"type": "string"}, "content": {"type": "string"}},
    "required": ["threadId", "content"],
}
"""Both tools return the thread id and the last agent message."""

CODEX_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "prompt": {"type": "string", "description": "What to ask Codex: the first user message of the new thread."},
        "model": {"type": "string", "description": "Model slug to use instead of the configured one."},
        "profile": {"type": "string", "description": "Name of a config profile to layer on the user config."},
        "cwd": {
            "type": "string",
            "description": "Directory the session works in; a relative path is taken from the server's own "
            "working directory.",
        },
        "approval-policy": {
            "type": "string",
            "enum": ["untrusted", "on-failure", "on-request", "never"],
            "description": "When Codex must ask before running a command; approvals arrive as elicitations.",
        },
        "sandbox": {
            "type": "string",
            "enum": ["read-only", "workspace-write", "danger-full-access"],
            "description": "What commands may touch.",
        },
        "config": {
            "type": "object",
            "additionalProperties": True,
            "description": "Settings that win over config.toml, as dotted keys with TOML-typed values "
            "(the same as `-c key=value`).",
        },
        "base-instructions": {"type": "string", "description": "Base instructions that replace the built-in prompt."},
        "developer-instructions": {"type": "string", "description": "An extra developer message for the thread."},
        "compact-prompt": {
            "type": "string",
            "description": "Prompt to use when the thread is summarised to save context.",
        },
    },
    "required": ["prompt"],
}
"""Input schema of `codex`: kebab-case properties, only `prompt` required."""

CODEX_REPLY_INPUT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "threadId": {"type": "string", "description": "The `threadId` a previous `codex` call returned."},
        "conversationId": {"type": "string", "description": "Deprecated alias of threadId."},
        "prompt": {"type": "string", "description": "The next user message of that thread."},
    },
    "required": ["prompt"],
}
"""Input schema of `codex-reply`: `threadId` (or the older `conversationId`) and `prompt`."""


def tool_definitions() -> list[dict[str, Any]]:
    """The `tools/list` entries (wire JSON)."""
    return [
        {
            "name": CODEX_TOOL,
            "title": "Codex",
            "description": "Run a Codex session. Accepts configuration parameters matching the Codex Config struct.",
            "inputSchema": CODEX_INPUT,
            "outputSchema": OUTPUT_SCHEMA,
        },
        {
            "name": CODEX_REPLY_TOOL,
            "title": "Codex Reply",
            "description": "Continue a Codex conversation by providing the thread id and prompt.",
            "inputSchema": CODEX_REPLY_INPUT,
            "outputSchema": OUTPUT_SCHEMA,
        },
    ]

r"""Tool results: MCP `CallToolResult` to the JSON of `mcp_tool_call_end` and to the model's output.

Codex 0.169 sends the model `Wall time: <s> seconds\nOutput:` followed by the result: the compact
JSON of `structuredContent` as one string when the server gave it, else one part per content block
(`input_text` for text, `input_image` with a data URL for images, the block's JSON as text for
anything else).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, cast

__all__ = ["call_result_json", "model_output"]

_DROP = frozenset({"resultType"})
"""Result fields the SDK adds that Codex never shows."""


def call_result_json(result: Any) -> dict[str, Any]:
    """The wire JSON of an `mcp.types.CallToolResult` (camelCase, without absent fields).

    `content` and `isError` are always present, as the event consumers expect.
    """
    data = cast(dict[str, Any], result.model_dump(by_alias=True, exclude_none=True, mode="json"))
    out = {k: v for k, v in data.items() if k not in _DROP}
    out.setdefault("content", [])
    out["isError"] = bool(out.get("isError", False))
    return out


def _compact(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _block_part(block: Mapping[str, Any]) -> dict[str, Any]:
    kind = block.get("type")
    if kind == "text":
        return {"type": "input_text", "text": str(block.get("text", ""))}
    if kind == "image" and isinstance(block.get("data"), str):
        mime = str(block.get("mimeType") or "image/png")
        return {"type": "input_image", "image_url": f"data:{mime};base64,{block['data']}"}
    return {"type": "input_text", "text": _compact(block)}


def model_output(result: Mapping[str, Any], wall_time_s: float) -> str | list[dict[str, Any]]:
    """What the model is sent for a call that returned `result` (the JSON from `call_result_json`)."""
    header = f"Wall time: {wall_time_s:.4f} seconds\nOutput:"
    structured = result.get("structuredContent")
    if structured is not None:
        return f"{header}\n{_compact(structured)}"
    blocks = cast(Sequence[Any], result.get("content") or [])
    parts = [{"type": "input_text", "text": header}]
    parts += [_block_part(cast(Mapping[str, Any], b)) for b in blocks if isinstance(b, Mapping)]
    return parts

"""The Responses API request body, keyed in the order Codex 0.169 sends it."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ._json import as_object

if TYPE_CHECKING:
    from pycodex_config import Config

    from ._context import TurnContext

__all__ = ["build_request", "turn_headers"]

OUTPUT_SCHEMA_NAME = "codex_output_schema"


def _reasoning(config: Config, ctx: TurnContext) -> dict[str, Any] | None:
    info = ctx.model_info
    effort = ctx.effort or config.model_reasoning_effort or info.default_reasoning_effort
    summary = ctx.summary or config.model_reasoning_summary or info.default_reasoning_summary
    if not info.supports_reasoning_summaries and not effort:
        return None
    reasoning: dict[str, Any] = {}
    if effort:
        reasoning["effort"] = effort
    if summary and summary != "none" and info.supports_reasoning_summaries:
        reasoning["summary"] = summary
    return reasoning or None


def _text(config: Config, ctx: TurnContext) -> dict[str, Any] | None:
    text: dict[str, Any] = {}
    info = ctx.model_info
    if info.support_verbosity:
        verbosity = ctx.verbosity or config.model_verbosity or info.default_verbosity
        if verbosity:
            text["verbosity"] = verbosity
    if ctx.final_output_json_schema is not None:
        text["format"] = {
            "type": "json_schema",
            "strict": True,
            "schema": ctx.final_output_json_schema,
            "name": OUTPUT_SCHEMA_NAME,
        }
    return text or None


def build_request(
    config: Config, ctx: TurnContext, thread_id: str, input_items: list[dict[str, Any]], *, started_unix_ms: int = 0
) -> dict[str, Any]:
    """A streaming Responses API body for `input_items` with the turn's tools and model settings."""
    body: dict[str, Any] = {
        "model": ctx.model,
        "stream": True,
        "input": input_items,
        "tools": ctx.tools,
        "tool_choice": "auto",
        "parallel_tool_calls": ctx.model_info.supports_parallel_tool_calls,
    }
    reasoning = _reasoning(config, ctx)
    if reasoning is not None:
        body["reasoning"] = reasoning
    body["store"] = False
    if reasoning is not None:
        body["include"] = ["reasoning.encrypted_content"]
    body["prompt_cache_key"] = thread_id
    text = _text(config, ctx)
    if text is not None:
        body["text"] = text
    window_id = f"{thread_id}:0"
    metadata = {
        "session_id": thread_id,
        "thread_id": thread_id,
        "turn_id": ctx.turn_id,
        "window_id": window_id,
        "window_number": 0,
        "request_kind": "turn",
        "root_turn_id": ctx.turn_id,
        "sandbox": "none",  # no OS sandbox wraps commands yet (they run only under danger-full-access)
        "sandbox_mode": ctx.sandbox_mode,
        "turn_started_at_unix_ms": started_unix_ms,
        "model": ctx.model,
    }
    if reasoning and reasoning.get("effort"):
        metadata["reasoning_effort"] = reasoning["effort"]
    body["client_metadata"] = {
        "session_id": thread_id,
        "thread_id": thread_id,
        "turn_id": ctx.turn_id,
        "root_turn_id": ctx.turn_id,
        "x-codex-window-id": window_id,
        "x-codex-turn-metadata": json.dumps(metadata, separators=(",", ":")),
    }
    return body


def turn_headers(request: dict[str, Any]) -> dict[str, str]:
    """The per-request headers Codex sends beside the body: the window id and the turn metadata."""
    metadata = as_object(request.get("client_metadata")) or {}
    return {key: str(metadata[key]) for key in ("x-codex-window-id", "x-codex-turn-metadata") if key in metadata}

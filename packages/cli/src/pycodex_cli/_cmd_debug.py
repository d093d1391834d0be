"""`codex debug models [--bundled]` and `codex debug prompt-input [PROMPT] [-i FILE]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from typing import Any

from pycodex_cli import _common

__all__ = ["main", "parser"]


def parser() -> argparse.ArgumentParser:
    """`codex debug` and its subcommands (common flags at every level)."""
    p = _common.parser("codex debug", "Debugging tools")
    sub = p.add_subparsers(dest="action", required=True)
    models = sub.add_parser("models", help="Print the model catalog as JSON")
    _common.add_common(models, 1)
    models.add_argument("--bundled", action="store_true", help="the built-in catalog only (pycodex has no other)")
    prompt = sub.add_parser("prompt-input", help="Print the input of the first model request as JSON")
    _common.add_common(prompt, 1)
    prompt.add_argument("-i", "--image", action="append", default=[], metavar="FILE", help="attach an image")
    prompt.add_argument("prompt", nargs="?", default="", metavar="PROMPT")
    app = sub.add_parser("app-server", help="(not available in pycodex)")
    _common.add_common(app, 1)
    app.add_argument("rest", nargs=argparse.REMAINDER)
    return p


# Codex 0.169's catalog slugs, then the local model families pycodex knows; each is described by
# pycodex's own metadata (`pycodex_model_client.model_info`).
CATALOG = (
    "gpt-6-astra", "gpt-6.1-sol", "gpt-6.1-terra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra",
    "gpt-5.6-luna", "gpt-5.5", "gpt-5-codex", "o3", "o4-mini", "gpt-4.1", "gpt-4o", "gpt-oss:20b", "qwen3",
    "llama3.2", "smollm2",
)  # fmt: skip


def _model_entry(slug: str) -> dict[str, Any]:
    from pycodex_model_client import model_info

    info = model_info(slug)
    return {
        "slug": slug,
        "context_window": info.context_window,
        "auto_compact_token_limit": info.auto_compact_token_limit,
        "shell_type": info.shell_type,
        "apply_patch_tool_type": info.apply_patch_tool_type,
        "supports_reasoning_summaries": info.supports_reasoning_summaries,
        "default_reasoning_level": info.default_reasoning_effort,
        "default_reasoning_summary": info.default_reasoning_summary,
        "support_verbosity": info.support_verbosity,
        "default_verbosity": info.default_verbosity,
        "supports_parallel_tool_calls": info.supports_parallel_tool_calls,
        "truncation_policy": {"mode": "bytes", "limit": info.truncation_bytes},
    }


def _models() -> int:
    sys.stdout.write(json.dumps({"models": [_model_entry(slug) for slug in CATALOG]}, indent=2) + "\n")
    return 0


class _Capture:
    """A model transport that records the first request and answers it with an empty message."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        from pycodex_model_client import Completed, Created, OutputItemDone

        self.requests.append(json.loads(json.dumps(request)))
        yield Created("debug")
        message = {
            "type": "message",
            "role": "assistant",
            "id": "msg_debug",
            "content": [{"type": "output_text", "text": ""}],
        }
        yield OutputItemDone(message)
        yield Completed("debug")


async def _first_input(config: Any, prompt: str, images: list[str]) -> list[Any]:
    from pycodex_core import Codex

    transport = _Capture()
    items: list[dict[str, Any]] = [{"type": "local_image", "path": path} for path in images]
    items.append({"type": "text", "text": prompt, "text_elements": []})
    async with Codex.start(config, ephemeral=True, transport=transport) as codex:
        await codex.submit({"type": "user_input", "items": items})
        async for event in codex.events():
            if event["msg"].get("type") in ("task_complete", "turn_aborted"):
                break
    return list(transport.requests[0].get("input", [])) if transport.requests else []


def _prompt_input(ns: argparse.Namespace) -> int:
    import anyio

    config = _common.load(ns)
    items = anyio.run(_first_input, config, ns.prompt, list(ns.image))
    sys.stdout.write(json.dumps(items, indent=2, ensure_ascii=False) + "\n")
    return 0


def main(argv: list[str]) -> int:
    """`codex debug ...`."""
    from pycodex_cli._commands import guard

    ns = parser().parse_args(argv)
    if ns.action == "models":
        return _models()
    if ns.action == "app-server" and ("--help" in ns.rest or "-h" in ns.rest):
        sys.stdout.write("Debug the app server (Codex 0.169); not available in pycodex yet.\n")
        return 0
    if ns.action == "app-server":
        sys.stderr.write("`codex debug app-server` is not available in pycodex yet.\n")
        return 2
    return guard(lambda: _prompt_input(ns))

"""`codex debug models [--bundled]` and `codex debug prompt-input [PROMPT] [-i FILE]`."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
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


def _model_entry(prefix: str, info: Any) -> dict[str, Any]:
    fields = {f.name: getattr(info, f.name) for f in dataclasses.fields(info)}
    return {
        "slug": prefix,
        "context_window": fields["context_window"],
        "auto_compact_token_limit": fields["auto_compact_token_limit"],
        "shell_type": fields["shell_type"],
        "apply_patch_tool_type": fields["apply_patch_tool_type"],
        "supports_reasoning_summaries": fields["supports_reasoning_summaries"],
        "default_reasoning_level": fields["default_reasoning_effort"],
        "default_reasoning_summary": fields["default_reasoning_summary"],
        "support_verbosity": fields["support_verbosity"],
        "default_verbosity": fields["default_verbosity"],
        "supports_parallel_tool_calls": fields["supports_parallel_tool_calls"],
        "truncation_policy": {"mode": "bytes", "limit": fields["truncation_bytes"]},
    }


def _models() -> int:
    from pycodex_model_client import _models as catalog

    families = catalog._FAMILIES
    models = [_model_entry(prefix, info) for prefix, info in sorted(families, key=lambda e: e[0])]
    sys.stdout.write(json.dumps({"models": models}, indent=2) + "\n")
    return 0


async def _first_input(config: Any, prompt: str, images: list[str]) -> list[Any]:
    from pycodex_core import Codex
    from pycodex_core.testing import ScriptedTransport, assistant_message, response

    transport = ScriptedTransport([response(assistant_message(""))])
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

"""Dispatch of tool calls to handlers; every call gets exactly one output item."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._prompts import sandbox_refusal_text
from ._exec import declined_events, run_shell, run_shell_command
from ._patch import handle_apply_patch

if TYPE_CHECKING:
    from .._context import ToolCall, TurnContext
    from .._session import Session

__all__ = ["dispatch_tool_call", "tool_call_from_item"]

logger = logging.getLogger(__name__)

_SHELL_TOOLS = ("exec_command", "shell", "shell_command", "local_shell")
_PLAN_STATUSES = ("pending", "in_progress", "completed")
USER_INPUT_UNSUPPORTED = (
    "request_user_input is not supported in this session: no one can answer questions interactively here. "
    "Make a reasonable assumption, state it in your final message, and continue."
)


def tool_call_from_item(item: dict[str, Any]) -> ToolCall | None:
    """The tool call an output item asks for, or `None` when the item is not a client-side tool call."""
    from .._context import ToolCall

    kind = item.get("type")
    if kind == "function_call":
        name = str(item.get("name", ""))
        namespace = item.get("namespace")
        if namespace:
            name = f"{namespace}.{name}"
        return ToolCall("function", name, str(item.get("call_id", "")), item.get("arguments") or "{}")
    if kind == "custom_tool_call":
        return ToolCall("custom", str(item.get("name", "")), str(item.get("call_id", "")), item.get("input") or "")
    if kind == "local_shell_call":
        call_id = str(item.get("call_id") or item.get("id") or "")
        return ToolCall("local_shell", "local_shell", call_id, item.get("action") or {})
    return None


def _parse_args(call: ToolCall) -> dict[str, Any]:
    if call.kind == "local_shell":
        action = call.payload if isinstance(call.payload, dict) else {}
        return {
            "command": action.get("command") or [],
            "workdir": action.get("working_directory"),
            "timeout_ms": action.get("timeout_ms"),
        }
    if call.kind == "custom":
        return {"input": call.payload}
    parsed = json.loads(call.payload) if isinstance(call.payload, str) else call.payload
    if not isinstance(parsed, dict):
        raise ValueError("arguments must be a JSON object")
    return parsed


def _shell_argv(session: Session, name: str, args: dict[str, Any]) -> list[str]:
    if name == "exec_command":
        return [str(args.get("shell") or session.shell), "-lc", str(args.get("cmd", ""))]
    if name == "shell_command":
        return [session.shell, "-lc", str(args.get("command", ""))]
    return [str(part) for part in args.get("command") or []]


def _refuse_command(session: Session, ctx: TurnContext, call: ToolCall, argv: list[str]) -> str:
    message = sandbox_refusal_text(ctx.sandbox_mode)
    session.warn_once(
        ctx.sub_id,
        "sandbox",
        f"The `{ctx.sandbox_mode}` sandbox is not available on this build of pycodex: shell commands the model "
        "asks for will be refused, not run. Use `--sandbox danger-full-access` to let commands run unsandboxed.",
    )
    begin = {
        "type": "exec_command_begin",
        "call_id": call.call_id,
        "turn_id": ctx.turn_id,
        "command": argv,
        "cwd": str(ctx.cwd),
        "parsed_cmd": [{"type": "unknown", "cmd": argv[-1] if argv else ""}],
        "source": "agent",
    }
    for event in declined_events(begin, message):
        session.emit(ctx.sub_id, event)
    return message


async def _shell_tool(session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str:
    from pycodex_apply_patch import extract_patch_from_shell

    name = "shell" if call.name == "local_shell" else call.name
    argv = _shell_argv(session, name, args)
    patch = extract_patch_from_shell(argv)
    if patch is not None:
        return await handle_apply_patch(session, ctx, call, str(patch), getattr(patch, "workdir", None))
    if ctx.sandbox_mode != "danger-full-access":
        return _refuse_command(session, ctx, call, argv)
    if ctx.approval_policy == "untrusted":
        decision = await session.request_exec_approval(ctx, call.call_id, argv)
        if decision not in ("approved", "approved_for_session"):
            for event in declined_events(_begin(ctx, call, argv), "rejected by user"):
                session.emit(ctx.sub_id, event)
            return "exec command rejected by user"
    if name == "exec_command":
        return await session.processes.exec_command(session, ctx, call, args)
    if name == "shell_command":
        return await run_shell_command(session, ctx, call, args)
    return await run_shell(session, ctx, call, args)


def _begin(ctx: TurnContext, call: ToolCall, argv: list[str]) -> dict[str, Any]:
    return {
        "type": "exec_command_begin",
        "call_id": call.call_id,
        "turn_id": ctx.turn_id,
        "command": argv,
        "cwd": str(ctx.cwd),
        "parsed_cmd": [{"type": "unknown", "cmd": argv[-1] if argv else ""}],
        "source": "agent",
    }


def _update_plan(session: Session, ctx: TurnContext, args: dict[str, Any]) -> str:
    plan = args.get("plan")
    if not isinstance(plan, list):
        return "failed to parse function arguments: missing field `plan`"
    steps: list[dict[str, str]] = []
    for entry in plan:
        if not isinstance(entry, dict) or entry.get("status") not in _PLAN_STATUSES:
            return "failed to parse function arguments: each plan item needs `step` and a valid `status`"
        steps.append({"step": str(entry.get("step", "")), "status": str(entry["status"])})
    event: dict[str, Any] = {"type": "plan_update", "plan": steps}
    if args.get("explanation") is not None:
        event = {"type": "plan_update", "explanation": str(args["explanation"]), "plan": steps}
    session.emit(ctx.sub_id, event)
    return "Plan updated"


def _view_image(session: Session, ctx: TurnContext, call: ToolCall, args: dict[str, Any]) -> str | list[dict[str, Any]]:
    from .._images import view_image_output

    raw = str(args.get("path", ""))
    path = Path(raw).expanduser()
    path = path if path.is_absolute() else ctx.cwd / path
    output = view_image_output(path)
    if not isinstance(output, str):
        session.emit(ctx.sub_id, {"type": "view_image_tool_call", "call_id": call.call_id, "path": str(path)})
    return output


async def _run(session: Session, ctx: TurnContext, call: ToolCall) -> str | list[dict[str, Any]]:
    name = call.name
    try:
        args = _parse_args(call)
    except (ValueError, TypeError) as exc:
        return f"failed to parse function arguments: {exc}"
    except RecursionError:
        return "failed to parse function arguments: nested too deeply"
    if name in _SHELL_TOOLS:
        return await _shell_tool(session, ctx, call, args)
    if name == "write_stdin":
        return await session.processes.write_stdin(session, ctx, call, args)
    if name == "apply_patch":
        return await handle_apply_patch(session, ctx, call, str(args.get("input", "")))
    if name == "update_plan" and session.plan_tool_enabled:
        return _update_plan(session, ctx, args)
    if name == "view_image":
        return _view_image(session, ctx, call, args)
    if name == "request_user_input":
        return USER_INPUT_UNSUPPORTED
    logger.error("error=unsupported call: %s", name)
    return f"unsupported call: {name}"


async def dispatch_tool_call(session: Session, ctx: TurnContext, call: ToolCall) -> dict[str, Any]:
    """Run `call` and return its output item, truncated to the model's `truncation_bytes`."""
    started = time.monotonic()
    try:
        output = await _run(session, ctx, call)
    except Exception as exc:  # never cancellation: that is a BaseException and ends the turn
        # Every call must get an output and one bad call must not end the session.
        logger.exception("tool %s (%s) failed", call.name, call.call_id)
        output = f"tool failed: {str(exc) or type(exc).__name__}"
    if isinstance(output, str):
        output = session.truncate_for_history(output)
    logger.debug("tool %s (%s) took %.1f ms", call.name, call.call_id, (time.monotonic() - started) * 1000)
    return call.output_item(output)

"""Built-in tools that need no exec path, the default registry, and dispatch: one output item per call."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._json import as_list, as_object
from ._patch import ApplyPatchTool
from ._registry import ToolHandler, ToolRegistry
from ._shell import ExecCommandTool, LocalShellTool, ShellCommandTool, ShellTool, WriteStdinTool
from ._specs import REQUEST_USER_INPUT, UPDATE_PLAN, VIEW_IMAGE, WEB_SEARCH

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo
    from pycodex_protocol import PlanItem, PlanUpdateEvent

    from .._context import ToolCall, TurnContext, TurnState
    from ._registry import ToolInvocation, ToolOutput, ToolServices, ToolSpec

__all__ = ["default_registry", "dispatch_tool_call", "tool_call_from_item"]

logger = logging.getLogger(__name__)

_PLAN_STATUSES = ("pending", "in_progress", "completed")
USER_INPUT_UNSUPPORTED = (
    "request_user_input is not supported in this session: no one can answer questions interactively here. "
    "Make a reasonable assumption, state it in your final message, and continue."
)


def tool_call_from_item(item: dict[str, Any]) -> ToolCall | None:
    """The tool call an output item asks for, or `None` when the item is not a client-side tool call."""
    from .._context import ToolCall
    from .._history import call_id_of

    kind = item.get("type")
    if kind == "function_call":
        name = str(item.get("name", ""))
        namespace = item.get("namespace")
        if namespace:
            name = f"{namespace}.{name}"
        return ToolCall("function", name, call_id_of(item), item.get("arguments") or "{}")
    if kind == "custom_tool_call":
        return ToolCall("custom", str(item.get("name", "")), call_id_of(item), item.get("input") or "")
    if kind == "local_shell_call":
        return ToolCall("local_shell", "local_shell", call_id_of(item), item.get("action") or {})
    if kind == "tool_search_call" and item.get("execution", "client") == "client":
        return ToolCall("tool_search", "tool_search", call_id_of(item), item.get("arguments") or {})
    return None


class UpdatePlanTool:
    """`update_plan`: the model's task plan, shown to the user as `plan_update`."""

    name = "update_plan"
    mutates = False

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Always offered (the tool is registered only when `tools.update_plan` is on)."""
        return UPDATE_PLAN

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Validate the plan and emit `plan_update`."""
        args = invocation.arguments
        if not isinstance(args.get("plan"), list):
            return "failed to parse function arguments: missing field `plan`"
        steps: list[PlanItem] = []
        for value in as_list(args.get("plan")):
            entry = as_object(value)
            if entry is None or entry.get("status") not in _PLAN_STATUSES:
                return "failed to parse function arguments: each plan item needs `step` and a valid `status`"
            steps.append({"step": str(entry.get("step", "")), "status": entry["status"]})
        event: PlanUpdateEvent = {"type": "plan_update", "plan": steps}
        if args.get("explanation") is not None:
            event = {"type": "plan_update", "explanation": str(args["explanation"]), "plan": steps}
        invocation.services.emit(invocation.ctx.sub_id, event)
        return "Plan updated"


def _view_image(invocation: ToolInvocation) -> ToolOutput:
    from .._images import view_image_output

    ctx = invocation.ctx
    path = Path(str(invocation.arguments.get("path", ""))).expanduser()
    path = path if path.is_absolute() else ctx.cwd / path
    output = view_image_output(path)
    if not isinstance(output, str):
        invocation.services.emit(
            ctx.sub_id, {"type": "view_image_tool_call", "call_id": invocation.call.call_id, "path": str(path)}
        )
    return output


class ViewImageTool:
    """`view_image`: attach a local image to the conversation."""

    name = "view_image"
    mutates = False

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Always offered."""
        return VIEW_IMAGE

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Read the image and return it as an `input_image`."""
        return _view_image(invocation)


class RequestUserInputTool:
    """`request_user_input`: answered "not supported" (no one can answer questions here)."""

    name = "request_user_input"
    mutates = False

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """Always offered (as Codex does)."""
        return REQUEST_USER_INPUT

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Tell the model to go on without an answer."""
        return USER_INPUT_UNSUPPORTED


def default_registry(config: Config, extra: Iterable[ToolHandler] = ()) -> ToolRegistry:
    """The built-in tools in the order Codex offers them, then `extra` handlers (MCP, ...), then hosted tools.

    Raises:
        ValueError: An extra handler has the name of another tool.
    """
    handlers: list[ToolHandler] = [ExecCommandTool(), WriteStdinTool(), ShellTool(), ShellCommandTool()]
    handlers.append(LocalShellTool())
    if config.tools_update_plan:
        handlers.append(UpdatePlanTool())
    handlers += [RequestUserInputTool(), ApplyPatchTool(), ViewImageTool()]
    hosted = [WEB_SEARCH] if config.tools_web_search else []
    registry = ToolRegistry(handlers, hosted)
    for handler in extra:
        registry.register(handler)
    return registry


async def dispatch_tool_call(
    registry: ToolRegistry, ctx: TurnContext, turn: TurnState, call: ToolCall, services: ToolServices
) -> tuple[ToolOutput, bool]:
    """Run `call`; returns its output and whether it succeeded (a handler that raised did not).

    Tool errors never end the session: an exception becomes a `tool failed: ...` output. Cancellation
    (a `BaseException`) ends the turn as it should.
    """
    try:
        return await registry.dispatch(ctx, turn, call, services), True
    except Exception as exc:
        logger.exception("tool %s (%s) failed", call.name, call.call_id)
        return f"tool failed: {str(exc) or type(exc).__name__}", False

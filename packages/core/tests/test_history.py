"""The request view of the history: every call answered, no orphan output."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core._history import normalize_for_request
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def test_unanswered_calls_get_an_aborted_output_right_after_them() -> None:
    items = [
        _user("go"),
        {"type": "function_call", "name": "exec_command", "arguments": "{}", "call_id": "a"},
        {"type": "custom_tool_call", "name": "apply_patch", "input": "", "call_id": "b"},
        {"type": "local_shell_call", "id": "c", "action": {"type": "exec", "command": ["ls"]}, "status": "completed"},
        {"type": "function_call", "name": "exec_command", "arguments": "{}", "call_id": "d"},
        {"type": "function_call_output", "call_id": "d", "output": "fine"},
        _user("again"),
    ]
    assert normalize_for_request(items) == [
        items[0],
        items[1],
        {"type": "function_call_output", "call_id": "a", "output": "aborted"},
        items[2],
        {"type": "custom_tool_call_output", "call_id": "b", "output": "aborted"},
        items[3],
        {"type": "function_call_output", "call_id": "c", "output": "aborted"},
        items[4],
        items[5],
        items[6],
    ]
    assert len(items) == 7  # the input is left as it was


def test_outputs_without_their_call_are_dropped() -> None:
    items = [
        {"type": "function_call_output", "call_id": "gone", "output": "x"},
        {"type": "custom_tool_call", "name": "apply_patch", "input": "", "call_id": "p"},
        {"type": "function_call_output", "call_id": "p", "output": "wrong kind"},
        {"type": "custom_tool_call_output", "call_id": "p", "output": "ok"},
        _user("next"),
    ]
    assert normalize_for_request(items) == [items[1], items[3], items[4]]


async def test_resume_after_a_crash_mid_tool_call_sends_a_valid_history(make_config: ConfigFactory) -> None:
    first = ScriptedTransport([response(assistant_message("hi"))])
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=first) as codex:
            await collect_turn(codex, "one")
            path = codex.rollout_path
    assert path is not None
    # The process died while `call_A` ran: its call is in the rollout, its output never made it.
    call = function_call("exec_command", {"cmd": "sleep 30"}, call_id="call_A")
    orphan = {"type": "function_call_output", "call_id": "call_Z", "output": "from nowhere"}
    with path.open("a", encoding="utf-8") as f:
        for item in (call, orphan):
            f.write(json.dumps({"timestamp": "t", "ordinal": 900, "type": "response_item", "payload": item}) + "\n")

    second = ScriptedTransport([response(assistant_message("ok"))])
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=second, resume_from=Path(path)) as codex:
            msgs = await collect_turn(codex, "continue")
    assert msgs[-1]["type"] == "task_complete"
    items = second.requests[0]["input"]
    kinds = [(i["type"], i.get("call_id")) for i in items]
    index = kinds.index(("function_call", "call_A"))
    assert items[index + 1] == {"type": "function_call_output", "call_id": "call_A", "output": "aborted"}
    assert ("function_call_output", "call_Z") not in kinds

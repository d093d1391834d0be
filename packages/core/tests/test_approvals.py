"""Approvals through the real `Codex` API: approved, approved_for_session, denied, abort; commands and patches."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import (
    ScriptedTransport,
    assistant_message,
    custom_tool_call,
    function_call,
    response,
    user_input_op,
)

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
Decide = Callable[[dict[str, Any]], Any]


async def _run(
    config: Config, transport: ScriptedTransport, decisions: list[Any], *, turns: int = 1
) -> list[dict[str, Any]]:
    """Run `turns` turns under `untrusted`, answering each approval request with the next decision."""
    msgs: list[dict[str, Any]] = []
    answers = list(decisions)
    with anyio.fail_after(20):
        async with Codex.start(config, transport=transport) as codex:
            await codex.submit({"type": "override_turn_context", "approval_policy": "untrusted"})
            for index in range(turns):
                await codex.submit(user_input_op(f"turn {index}"))
                while True:
                    msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                    msgs.append(msg)
                    if msg["type"] in ("exec_approval_request", "apply_patch_approval_request"):
                        kind = "exec_approval" if msg["type"] == "exec_approval_request" else "patch_approval"
                        answer: Any = {"type": kind, "id": msg["call_id"], "decision": answers.pop(0)}
                        await codex.submit(answer)
                    if msg["type"] in ("task_complete", "turn_aborted"):
                        break
    assert not answers, "every scripted decision was asked for"
    return msgs


def _of(msgs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["type"] == kind]


def _outputs(transport: ScriptedTransport, index: int) -> dict[str, Any]:
    return {
        i["call_id"]: i["output"]
        for i in transport.requests[index]["input"]
        if i["type"] in ("function_call_output", "custom_tool_call_output")
    }


def _exec_script(*call_ids: str) -> ScriptedTransport:
    turns: list[Any] = []
    for call_id in call_ids:
        turns.append(response(function_call("exec_command", {"cmd": "echo approved-run"}, call_id=call_id)))
        turns.append(response(assistant_message("done")))
    return ScriptedTransport(turns)


async def test_an_approved_command_runs(make_config: ConfigFactory, workspace: Path) -> None:
    transport = _exec_script("c1")
    msgs = await _run(make_config(), transport, ["approved"])
    [request] = _of(msgs, "exec_approval_request")
    assert request["call_id"] == "c1"
    assert request["command"][1:] == ["-lc", "echo approved-run"]
    assert request["cwd"] == str(workspace)
    assert request["parsed_cmd"] == [{"type": "unknown", "cmd": "echo approved-run"}]
    assert request["turn_id"] == _of(msgs, "task_started")[0]["turn_id"]
    types = [m["type"] for m in msgs]
    assert types.index("exec_approval_request") < types.index("exec_command_begin")
    [end] = _of(msgs, "exec_command_end")
    assert end["status"] == "completed" and end["aggregated_output"] == "approved-run\n"
    assert "Process exited with code 0" in _outputs(transport, 1)["c1"]
    assert msgs[-1]["type"] == "task_complete"


async def test_a_denied_command_is_declined_and_the_model_told(make_config: ConfigFactory) -> None:
    transport = _exec_script("c1")
    msgs = await _run(make_config(), transport, ["denied"])
    [end] = _of(msgs, "exec_command_end")
    assert end["status"] == "declined"
    assert end["exit_code"] == -1
    assert end["stderr"] == "exec command rejected by user"
    assert _outputs(transport, 1)["c1"] == "exec command rejected by user"
    assert msgs[-1]["type"] == "task_complete"


async def test_approved_for_session_is_not_asked_again(make_config: ConfigFactory) -> None:
    transport = _exec_script("c1", "c2")
    msgs = await _run(make_config(), transport, ["approved_for_session"], turns=2)
    assert [m["call_id"] for m in _of(msgs, "exec_approval_request")] == ["c1"]
    assert [m["status"] for m in _of(msgs, "exec_command_end")] == ["completed", "completed"]
    assert "Process exited with code 0" in _outputs(transport, 3)["c2"]


async def test_approved_once_is_asked_again(make_config: ConfigFactory) -> None:
    transport = _exec_script("c1", "c2")
    msgs = await _run(make_config(), transport, ["approved", "approved"], turns=2)
    assert [m["call_id"] for m in _of(msgs, "exec_approval_request")] == ["c1", "c2"]


async def test_abort_stops_the_turn(make_config: ConfigFactory) -> None:
    transport = _exec_script("c1")
    transport.turns = transport.turns[:1] + [response(assistant_message("after abort"))]
    msgs = await _run(make_config(), transport, ["abort"])
    assert msgs[-1]["type"] == "turn_aborted" and msgs[-1]["reason"] == "interrupted"
    assert not _of(msgs, "exec_command_begin")
    assert len(transport.requests) == 1


def _patch(target: str, line: str) -> str:
    return f"*** Begin Patch\n*** Add File: {target}\n+{line}\n*** End Patch\n"


def _patch_script(*calls: tuple[str, str]) -> ScriptedTransport:
    turns: list[Any] = []
    for call_id, patch in calls:
        turns.append(response(custom_tool_call("apply_patch", patch, call_id=call_id)))
        turns.append(response(assistant_message("done")))
    return ScriptedTransport(turns)


async def test_an_approved_patch_is_applied(make_config: ConfigFactory, workspace: Path) -> None:
    transport = _patch_script(("p1", _patch("a.txt", "hello")))
    msgs = await _run(make_config(), transport, ["approved"])
    [request] = _of(msgs, "apply_patch_approval_request")
    assert request["call_id"] == "p1"
    assert request["changes"] == {str(workspace / "a.txt"): {"type": "add", "content": "hello\n"}}
    [end] = _of(msgs, "patch_apply_end")
    assert end["status"] == "completed" and end["success"] is True
    assert (workspace / "a.txt").read_text(encoding="utf-8") == "hello\n"
    assert _outputs(transport, 1)["p1"].startswith("Exit code: 0\n")


async def test_a_denied_patch_is_not_applied(make_config: ConfigFactory, workspace: Path) -> None:
    transport = _patch_script(("p1", _patch("a.txt", "hello")))
    msgs = await _run(make_config(), transport, ["denied"])
    [end] = _of(msgs, "patch_apply_end")
    assert end["status"] == "declined" and end["stderr"] == "patch rejected by user"
    assert not _of(msgs, "patch_apply_begin")
    assert not (workspace / "a.txt").exists()
    assert "patch rejected by user" in _outputs(transport, 1)["p1"]


async def test_a_patch_approved_for_session_covers_its_files(make_config: ConfigFactory, workspace: Path) -> None:
    update = "*** Begin Patch\n*** Update File: a.txt\n@@\n-hello\n+bye\n*** End Patch\n"
    transport = _patch_script(("p1", _patch("a.txt", "hello")), ("p2", update), ("p3", _patch("b.txt", "x")))
    msgs = await _run(make_config(), transport, ["approved_for_session", "approved"], turns=3)
    assert [m["call_id"] for m in _of(msgs, "apply_patch_approval_request")] == ["p1", "p3"]
    assert (workspace / "a.txt").read_text(encoding="utf-8") == "bye\n"
    assert (workspace / "b.txt").read_text(encoding="utf-8") == "x\n"


async def test_abort_of_a_patch_stops_the_turn(make_config: ConfigFactory, workspace: Path) -> None:
    transport = _patch_script(("p1", _patch("a.txt", "hello")))
    msgs = await _run(make_config(), transport, ["abort"])
    assert msgs[-1]["type"] == "turn_aborted"
    assert not (workspace / "a.txt").exists()


async def test_a_shell_heredoc_patch_goes_through_the_same_approval(
    make_config: ConfigFactory, workspace: Path
) -> None:
    script = "apply_patch <<'EOF'\n" + _patch("h.txt", "heredoc") + "EOF\n"
    transport = ScriptedTransport(
        [response(function_call("exec_command", {"cmd": script}, call_id="h1")), response(assistant_message("ok"))]
    )
    msgs = await _run(make_config(), transport, ["denied"])
    assert [m["call_id"] for m in _of(msgs, "apply_patch_approval_request")] == ["h1"]
    assert not _of(msgs, "exec_approval_request")
    assert not (workspace / "h.txt").exists()

"""`approval_policy = { granular = {...} }`: on-request, with the prompt kinds set to false rejected unasked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config, ConfigError
from pycodex_core import Codex, NoSandbox
from pycodex_core.testing import ScriptedTransport, assistant_message, function_call, response, user_input_op

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
ESCALATE = {"cmd": "touch escalated.txt", "sandbox_permissions": "require_escalated", "justification": "needs it"}
PROMPTED = {"cmd": "touch prompted.txt"}


def _granular(**flags: bool) -> tuple[str, ...]:
    table = ", ".join(f"{k} = {str(v).lower()}" for k, v in flags.items())
    return (f"approval_policy = {{ granular = {{ {table} }} }}",)


async def _run(config: Config, args: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
    transport = ScriptedTransport(
        [response(function_call("exec_command", args, call_id="c1")), response(assistant_message("done"))]
    )
    msgs: list[dict[str, Any]] = []
    with anyio.fail_after(30):
        async with Codex.start(config, transport=transport, sandbox=NoSandbox()) as codex:
            await codex.submit(user_input_op("go"))
            while True:
                msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_approval_request":
                    await codex.submit({"type": "exec_approval", "id": msg["call_id"], "decision": "approved"})
                if msg["type"] in ("task_complete", "turn_aborted"):
                    break
    outputs = [i for r in transport.requests for i in r["input"] if i.get("type") == "function_call_output"]
    return msgs, str(outputs[0]["output"])


def _asked(msgs: list[dict[str, Any]]) -> bool:
    return any(m["type"] == "exec_approval_request" for m in msgs)


async def test_sandbox_approval_false_rejects_an_escalation_without_asking(
    make_config: ConfigFactory, workspace: Path
) -> None:
    flags = {"sandbox_approval": False, "rules": True, "mcp_elicitations": True}
    config = make_config(sandbox="workspace-write", overrides=_granular(**flags))
    msgs, output = await _run(config, ESCALATE)
    configured = next(m for m in msgs if m["type"] == "session_configured")
    assert configured["approval_policy"] == {
        "granular": {**flags, "skill_approval": False, "request_permissions": False}
    }
    assert not _asked(msgs)
    assert "AskForApproval::Granular.sandbox_approval is false" in output
    assert not (workspace / "escalated.txt").exists()


async def test_sandbox_approval_true_asks_as_on_request_does(make_config: ConfigFactory, workspace: Path) -> None:
    config = make_config(
        sandbox="workspace-write", overrides=_granular(sandbox_approval=True, rules=False, mcp_elicitations=False)
    )
    msgs, output = await _run(config, ESCALATE)
    assert _asked(msgs)
    assert "Process exited with code 0" in output and (workspace / "escalated.txt").exists()


@pytest.mark.parametrize("rules", [False, True])
async def test_rules_flag_decides_prompt_rules(
    make_config: ConfigFactory, workspace: Path, codex_home: Path, rules: bool
) -> None:
    (codex_home / "rules").mkdir()
    (codex_home / "rules" / "team.rules").write_text('prefix_rule(pattern=["touch"], decision="prompt")\n', "utf-8")
    config = make_config(overrides=_granular(sandbox_approval=False, rules=rules, mcp_elicitations=False))
    msgs, output = await _run(config, PROMPTED)
    assert _asked(msgs) is rules
    assert ("AskForApproval::Granular.rules is false" in output) is not rules
    assert (workspace / "prompted.txt").exists() is rules


async def test_turn_context_in_the_rollout_keeps_the_table(make_config: ConfigFactory, codex_home: Path) -> None:
    import json

    config = make_config(overrides=_granular(sandbox_approval=True, rules=True, mcp_elicitations=True))
    await _run(config, {"cmd": "true"})
    [rollout] = list((codex_home / "sessions").rglob("rollout-*.jsonl"))
    lines = [json.loads(x) for x in rollout.read_text("utf-8").splitlines()]
    [policy, *_] = [x["payload"]["approval_policy"] for x in lines if x["type"] == "turn_context"]
    assert policy["granular"]["sandbox_approval"] is True


def test_missing_required_field_is_located(make_config: ConfigFactory) -> None:
    with pytest.raises(ConfigError, match=r"approval_policy\.granular: missing field `rules`"):
        make_config(overrides=("approval_policy = { granular = { sandbox_approval = true } }",))

"""`codex exec` and the approval pipeline over real HTTP: rules, headless denials, auto review.

The rejection texts the model receives are compared with Codex 0.169's on the same scripted turns.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Env, Result, exec_turn, function_turn, message_turn, real_codex

from pycodex_test_support import ScriptedServer, Turn

RULES = 'prefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting")\n'
RULES += 'prefix_rule(pattern=["git", "push"], decision="prompt")\n'


@pytest.fixture
def root() -> Iterator[Path]:
    # Codex refuses part of its start-up when CODEX_HOME is under /tmp.
    path = Path(tempfile.mkdtemp(prefix="pycodex-policy-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _env(root: Path, name: str, rules: str = RULES) -> Env:
    home, work = root / name / "home", root / name / "work"
    (home / "rules").mkdir(parents=True)
    (home / "rules" / "default.rules").write_text(rules, encoding="utf-8")
    work.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


def _run(env: Env, turns: list[Turn], *args: str, command: list[str] | None = None) -> tuple[Result, list[Any]]:
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false\n[analytics]\nenabled = false\n")
        result = env.run("--json", *args, "do the task", command=command, timeout=90)
        return result, server.bodies()


def _outputs(bodies: list[Any]) -> dict[str, str]:
    return {
        item["call_id"]: item["output"]
        for body in bodies
        for item in body["input"]
        if item.get("type") == "function_call_output"
    }


REJECTION_CASES = {
    "forbidden_by_rule": (lambda: [exec_turn("c1", "rm -rf build"), message_turn("ok")], ["-s", "danger-full-access"]),
    "prompt_under_never": (lambda: [exec_turn("c1", "git push"), message_turn("ok")], ["-s", "danger-full-access"]),
    "escalation_under_never": (
        lambda: [
            function_turn("c1", "exec_command", {"cmd": "touch x", "sandbox_permissions": "require_escalated"}),
            message_turn("ok"),
        ],
        ["-s", "workspace-write"],
    ),
    "dangerous_under_never": (
        lambda: [exec_turn("c1", "rm -rf build"), message_turn("ok")],
        ["-s", "workspace-write", "--ignore-rules"],
    ),
}


@pytest.mark.parametrize("name", list(REJECTION_CASES))
def test_rejections_reach_the_model(root: Path, name: str) -> None:
    turns, args = REJECTION_CASES[name]
    env = _env(root, name)
    (env.work / "build").mkdir()
    result, bodies = _run(env, turns(), *args)
    assert result.rc == 0, result.stderr
    assert (env.work / "build").is_dir()
    output = _outputs(bodies)["c1"]
    expected = {
        "forbidden_by_rule": "rejected: no deleting",
        "prompt_under_never": "approval required by policy, but AskForApproval is set to Never",
        "escalation_under_never": "you cannot ask for escalated permissions if the approval policy is Never",
        "dangerous_under_never": "rejected: rm -f style commands are not permitted. Use a safer approach",
    }[name]
    assert expected in output
    assert result.items("agent_message")[-1]["text"] == "ok"


@pytest.mark.codex
@pytest.mark.parametrize("name", list(REJECTION_CASES))
def test_rejections_match_codex(root: Path, name: str) -> None:
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail("the real Codex 0.169 binary is missing: set PYCODEX_REAL_CODEX or install it under .codex-ref")
    turns, args = REJECTION_CASES[name]
    ours_env, codex_env = _env(root, "ours"), _env(root, "codex")
    ours, ours_bodies = _run(ours_env, turns(), *args)
    theirs, codex_bodies = _run(codex_env, turns(), *args, command=[str(binary), "exec"])
    assert (ours.rc, theirs.rc) == (0, 0), (ours.stderr, theirs.stderr)
    assert _outputs(ours_bodies) == _outputs(codex_bodies)
    assert _shape(ours) == _shape(theirs)  # a rejected command starts no command item in either


def _shape(result: Result) -> list[tuple[str, str]]:
    return [(e["type"], str(e.get("item", {}).get("type", ""))) for e in result.events]


def test_a_rule_allowed_command_runs_and_ignore_rules_drops_it(root: Path) -> None:
    env = _env(root, "allowed", 'prefix_rule(pattern=["touch"], decision="allow")\n')
    outside = env.home / "by-rule.txt"  # outside every writable root of workspace-write
    result, _ = _run(env, [exec_turn("c1", f"touch {outside}"), message_turn("ok")], "-s", "workspace-write")
    assert result.rc == 0, result.stderr
    assert outside.exists()  # every command allowed by a rule runs outside the sandbox
    outside.unlink()
    result, bodies = _run(
        env, [exec_turn("c1", f"touch {outside}"), message_turn("ok")], "-s", "workspace-write", "--ignore-rules"
    )
    assert not outside.exists()  # without the rule it runs sandboxed, and the write is denied
    assert "exit code 1" in _outputs(bodies)["c1"] or "Process exited with code 1" in _outputs(bodies)["c1"]


def test_broken_rule_file_is_a_warning(root: Path) -> None:
    env = _env(root, "broken", 'prefix_rule(pattern=["a"], decision="deny")\n')
    result, _ = _run(env, [message_turn("ok")])
    assert result.rc == 0
    assert "default.rules:1: invalid decision: deny" in result.stderr


def _review(risk: str, outcome: str) -> Turn:
    return message_turn(json.dumps({"risk_level": risk, "user_authorization": "high", "outcome": outcome,
                                    "rationale": f"{risk} risk"}))  # fmt: skip


@pytest.mark.parametrize(("risk", "outcome", "ran"), [("low", "allow", True), ("high", "deny", False)])
def test_approve_for_me(root: Path, risk: str, outcome: str, ran: bool) -> None:
    env = _env(root, f"review-{risk}", "")
    call = function_turn(
        "c1", "exec_command", {"cmd": "touch reviewed.txt", "sandbox_permissions": "require_escalated",
                               "justification": "write the marker"}
    )  # fmt: skip
    result, bodies = _run(env, [call, _review(risk, outcome), message_turn("ok")], "--approve-for-me")
    assert result.rc == 0, result.stderr
    assert (env.work / "reviewed.txt").exists() is ran
    assert "write the marker" in json.dumps(bodies[1]["input"])
    if not ran:  # escalated to a user nobody can ask: denied
        assert _outputs(bodies)["c1"] == "exec command rejected by user"

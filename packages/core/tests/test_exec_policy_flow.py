"""The execpolicy approval pipeline end to end with the scripted model.

Every approval policy x sandbox mode for a safe command, an unsafe one, one a rule forbids and an
escalation request; remembered approvals (session, project) applied later without a prompt; the
automatic reviewer approving a low-risk action and escalating a high-risk one.

This build has no OS sandbox: under `read-only` and `workspace-write` a command that would run in
the sandbox is refused (never run bare); only approved escalations and rule-allowed commands run
outside it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex, NoSandbox
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
RULES = '# team rules\nprefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting")\n'


async def _session(
    config: Config,
    transport: ScriptedTransport,
    *,
    policy: str,
    answer: Any = "approved",
    prompts: int = 1,
) -> list[dict[str, Any]]:
    """Run `prompts` turns under `policy`, answering every approval request with `answer`."""
    msgs: list[dict[str, Any]] = []
    with anyio.fail_after(30):
        # The matrix is about approvals, so the sandbox step is the one without an OS sandbox (which
        # refuses what would need one); the bubblewrap step has its own suite in tests/sandbox.
        async with Codex.start(config, transport=transport, sandbox=NoSandbox()) as codex:
            override: Any = {"type": "override_turn_context", "approval_policy": policy}
            await codex.submit(override)
            for index in range(prompts):
                await codex.submit(user_input_op(f"turn {index}"))
                while True:
                    msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                    msgs.append(msg)
                    if msg["type"] == "exec_approval_request":
                        await codex.submit({"type": "exec_approval", "id": msg["call_id"], "decision": answer})
                    if msg["type"] in ("task_complete", "turn_aborted"):
                        break
    return msgs


def _of(msgs: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in msgs if m["type"] == kind]


def _output(transport: ScriptedTransport, call_id: str) -> str:
    for request in transport.requests:
        for item in request["input"]:
            if item.get("type") == "function_call_output" and item.get("call_id") == call_id:
                return str(item["output"])
    raise AssertionError(f"no output for {call_id}")


CASES: dict[str, dict[str, Any]] = {
    "safe": {"cmd": "ls"},
    "unsafe": {"cmd": "touch made.txt"},
    "forbidden": {"cmd": "rm -rf build"},
    "escalation": {"cmd": "touch escalated.txt", "sandbox_permissions": "require_escalated", "justification": "x"},
}
REJECTED_RM = (
    "exec_command failed: CreateProcess { message: \"Rejected(\\\"`/bin/bash -lc 'rm -rf build'` rejected: "
    'no deleting\\")" }'
)
NEVER_ESCALATION = (
    "approval policy is Never; reject command — you cannot ask for escalated permissions if the approval policy "
    "is Never"
)
NO_SANDBOX = "no OS sandbox is available"


def _expected(case: str, policy: str, mode: str) -> tuple[bool, bool, str]:
    """(asked, ran, a fragment of the model's output) for one cell of the matrix."""
    full = mode == "danger-full-access"
    if case == "forbidden":
        return False, False, REJECTED_RM
    if case == "escalation":
        if policy == "never":
            return False, False, NEVER_ESCALATION
        if full and policy != "untrusted":
            return False, True, "Process exited with code 0"
        return True, True, "Process exited with code 0"
    if not full:
        return False, False, NO_SANDBOX
    return case == "unsafe" and policy == "untrusted", True, "Process exited with code 0"


@pytest.mark.parametrize("mode", ["read-only", "workspace-write", "danger-full-access"])
@pytest.mark.parametrize("policy", ["untrusted", "on-failure", "on-request", "never"])
@pytest.mark.parametrize("case", list(CASES))
async def test_policy_by_mode(
    make_config: ConfigFactory, workspace: Path, codex_home: Path, case: str, policy: str, mode: str
) -> None:
    (codex_home / "rules").mkdir()
    (codex_home / "rules" / "team.rules").write_text(RULES, encoding="utf-8")
    (workspace / "build").mkdir()
    transport = ScriptedTransport(
        [response(function_call("exec_command", CASES[case], call_id="c1")), response(assistant_message("done"))]
    )
    msgs = await _session(make_config(sandbox=mode), transport, policy=policy)
    asked, ran, fragment = _expected(case, policy, mode)
    assert bool(_of(msgs, "exec_approval_request")) is asked
    assert fragment in _output(transport, "c1")
    assert (workspace / "build").exists()  # nothing ever deletes it
    if case == "unsafe":
        assert (workspace / "made.txt").exists() is ran
    if case == "escalation":
        assert (workspace / "escalated.txt").exists() is ran
    assert msgs[-1]["type"] == "task_complete"


async def test_request_carries_a_generalised_amendment(make_config: ConfigFactory) -> None:
    call = function_call("exec_command", {"cmd": "git init -q repo-a"}, call_id="c1")
    transport = ScriptedTransport([response(call), response(assistant_message("done"))])
    msgs = await _session(make_config(), transport, policy="untrusted", answer="denied")
    [request] = _of(msgs, "exec_approval_request")
    assert request["proposed_execpolicy_amendment"] == ["git", "init"]
    assert request.get("available_decisions") == [
        "approved",
        {"approved_execpolicy_amendment": {"proposed_execpolicy_amendment": ["git", "init"]}},
        "abort",
    ]
    assert _output(transport, "c1") == "exec command rejected by user"


async def test_approved_for_session_covers_the_prefix_not_only_the_argv(
    make_config: ConfigFactory, workspace: Path
) -> None:
    calls = [
        response(function_call("exec_command", {"cmd": "git init -q repo-a"}, call_id="c1")),
        response(assistant_message("one")),
        response(function_call("exec_command", {"cmd": "git init -q repo-b"}, call_id="c2")),
        response(assistant_message("two")),
    ]
    transport = ScriptedTransport(calls)
    msgs = await _session(make_config(), transport, policy="untrusted", answer="approved_for_session", prompts=2)
    assert [r["call_id"] for r in _of(msgs, "exec_approval_request")] == ["c1"]
    assert (workspace / "repo-a" / ".git").is_dir() and (workspace / "repo-b" / ".git").is_dir()
    assert any("for this session" in m["message"] for m in _of(msgs, "background_event"))


async def test_remembered_rule_is_saved_with_comments_and_applied_next_run(
    make_config: ConfigFactory, workspace: Path
) -> None:
    (workspace / ".git").mkdir()
    rules = workspace / ".codex" / "rules" / "default.rules"
    rules.parent.mkdir(parents=True)
    rules.write_text("# project rules, keep this comment\n", encoding="utf-8")
    amendment = {
        "approved_execpolicy_amendment": {"proposed_execpolicy_amendment": ["git", "init"], "scope": "project"}
    }
    first = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "git init -q a"}, call_id="c1")),
            response(assistant_message("ok")),
        ]
    )
    trusted = (f'projects."{workspace}".trust_level="trusted"',)
    msgs = await _session(make_config(overrides=trusted), first, policy="untrusted", answer=amendment)
    assert len(_of(msgs, "exec_approval_request")) == 1
    assert rules.read_text(encoding="utf-8") == (
        '# project rules, keep this comment\nprefix_rule(pattern=["git", "init"], decision="allow")\n'
    )
    [saved] = [m for m in _of(msgs, "background_event") if "Saved" in m["message"]]
    assert str(rules) in saved["message"]
    second = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "git init -q b"}, call_id="c2")),
            response(assistant_message("ok")),
        ]
    )
    msgs = await _session(make_config(overrides=trusted), second, policy="untrusted")
    assert not _of(msgs, "exec_approval_request")
    assert (workspace / "b" / ".git").is_dir()


def _review(risk: str, outcome: str, rationale: str) -> list[Any]:
    text = json.dumps({"risk_level": risk, "user_authorization": "high", "outcome": outcome, "rationale": rationale})
    return response(assistant_message(text))


@pytest.mark.parametrize(
    ("risk", "outcome", "asked", "ran"),
    [("low", "allow", False, True), ("high", "deny", True, False)],
)
async def test_auto_review(
    make_config: ConfigFactory, workspace: Path, codex_home: Path, risk: str, outcome: str, asked: bool, ran: bool
) -> None:
    call = function_call(
        "exec_command",
        {"cmd": "touch reviewed.txt", "sandbox_permissions": "require_escalated", "justification": "needs it"},
        call_id="c1",
    )
    transport = ScriptedTransport([response(call), _review(risk, outcome, "why"), response(assistant_message("ok"))])
    config = make_config(sandbox="workspace-write", overrides=('approvals_reviewer="auto_review"',))
    msgs = await _session(config, transport, policy="on-request", answer="denied")
    assert "`approvals_reviewer` is `auto_review`" in json.dumps(transport.requests[0]["input"])
    assert _of(msgs, "session_configured")[0]["approvals_reviewer"] == "auto_review"
    review_request = transport.requests[1]
    assert review_request["tools"] == [] and "touch reviewed.txt" in json.dumps(review_request["input"])
    assessments = _of(msgs, "guardian_assessment")
    assert [a["status"] for a in assessments] == ["in_progress", "approved" if ran else "denied"]
    assert assessments[-1]["risk_level"] == risk and assessments[-1]["rationale"] == "why"
    assert bool(_of(msgs, "exec_approval_request")) is asked
    if asked:
        assert _of(msgs, "exec_approval_request")[0]["reason"] == f"Automatic review: {risk} risk. why"
    assert (workspace / "reviewed.txt").exists() is ran
    [rollout] = list((codex_home / "sessions").rglob("rollout-*.jsonl"))
    recorded = [json.loads(line) for line in rollout.read_text(encoding="utf-8").splitlines()]
    kinds = [r["payload"].get("type") for r in recorded if r.get("type") == "event_msg"]
    assert kinds.count("guardian_assessment") == 2


NO_TMP_ROOTS = ("sandbox_workspace_write.exclude_slash_tmp=true", "sandbox_workspace_write.exclude_tmpdir_env_var=true")


async def _patch_session(config: Config, patch: str, *, policy: str, answer: Any) -> list[dict[str, Any]]:
    transport = ScriptedTransport(
        [response(custom_tool_call("apply_patch", patch, call_id="p1")), response(assistant_message("done"))]
    )
    msgs: list[dict[str, Any]] = []
    with anyio.fail_after(30):
        # The matrix is about approvals, so the sandbox step is the one without an OS sandbox (which
        # refuses what would need one); the bubblewrap step has its own suite in tests/sandbox.
        async with Codex.start(config, transport=transport, sandbox=NoSandbox()) as codex:
            override: Any = {"type": "override_turn_context", "approval_policy": policy}
            await codex.submit(override)
            await codex.submit(user_input_op("patch it"))
            while True:
                msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "apply_patch_approval_request":
                    await codex.submit({"type": "patch_approval", "id": msg["call_id"], "decision": answer})
                if msg["type"] in ("task_complete", "turn_aborted"):
                    break
    return msgs


@pytest.mark.parametrize(("answer", "written"), [("approved", True), ("denied", False)])
async def test_a_patch_outside_the_writable_roots_asks(
    make_config: ConfigFactory, tmp_path: Path, answer: str, written: bool
) -> None:
    outside = tmp_path / "elsewhere" / "note.txt"
    outside.parent.mkdir()
    patch = f"*** Begin Patch\n*** Add File: {outside}\n+hello\n*** End Patch\n"
    config = make_config(sandbox="workspace-write", overrides=NO_TMP_ROOTS)
    msgs = await _patch_session(config, patch, policy="on-request", answer=answer)
    [request] = _of(msgs, "apply_patch_approval_request")
    assert request["reason"] == f"the patch writes outside the writable roots: {outside}"
    assert outside.exists() is written


async def test_a_patch_inside_the_roots_is_applied_unasked_and_never_refuses_outside(
    make_config: ConfigFactory, workspace: Path, tmp_path: Path
) -> None:
    config = make_config(sandbox="workspace-write", overrides=NO_TMP_ROOTS)
    inside = "*** Begin Patch\n*** Add File: inside.txt\n+hi\n*** End Patch\n"
    msgs = await _patch_session(config, inside, policy="on-request", answer="denied")
    assert not _of(msgs, "apply_patch_approval_request") and (workspace / "inside.txt").exists()
    outside = tmp_path / "never.txt"
    patch = f"*** Begin Patch\n*** Add File: {outside}\n+x\n*** End Patch\n"
    msgs = await _patch_session(config, patch, policy="never", answer="approved")
    assert not _of(msgs, "apply_patch_approval_request") and not outside.exists()


async def test_a_patch_into_a_protected_path_asks(make_config: ConfigFactory, workspace: Path) -> None:
    config = make_config(sandbox="workspace-write", overrides=NO_TMP_ROOTS)
    patch = "*** Begin Patch\n*** Add File: .codex/notes.txt\n+x\n*** End Patch\n"
    msgs = await _patch_session(config, patch, policy="on-request", answer="denied")
    [request] = _of(msgs, "apply_patch_approval_request")
    assert str(workspace / ".codex" / "notes.txt") in request["reason"]
    assert not (workspace / ".codex" / "notes.txt").exists()


async def test_a_critical_action_is_denied_by_the_reviewer_and_the_model_told_why(
    make_config: ConfigFactory, workspace: Path
) -> None:
    call = function_call(
        "exec_command",
        {"cmd": "touch sent.txt", "sandbox_permissions": "require_escalated", "justification": "upload keys"},
        call_id="c1",
    )
    transport = ScriptedTransport(
        [response(call), _review("critical", "deny", "sends credentials away"), response(assistant_message("ok"))]
    )
    config = make_config(sandbox="workspace-write", overrides=('approvals_reviewer="auto_review"',))
    msgs = await _session(config, transport, policy="on-request", answer="approved")
    assert not _of(msgs, "exec_approval_request")  # critical is never put to the user
    assert _output(transport, "c1") == "The automatic approval review denied this action: sends credentials away"
    assert not (workspace / "sent.txt").exists()


async def test_a_failed_review_is_not_an_approval(make_config: ConfigFactory, workspace: Path) -> None:
    call = function_call(
        "exec_command", {"cmd": "touch x.txt", "sandbox_permissions": "require_escalated"}, call_id="c1"
    )
    transport = ScriptedTransport(
        [response(call), response(assistant_message("not json")), response(assistant_message("ok"))]
    )
    config = make_config(sandbox="workspace-write", overrides=('approvals_reviewer="auto_review"',))
    msgs = await _session(config, transport, policy="on-request")
    assert not _of(msgs, "exec_approval_request")
    assert "automatic approval review could not finish" in _output(transport, "c1")
    assert _of(msgs, "guardian_assessment")[-1]["status"] == "aborted"
    assert not (workspace / "x.txt").exists()

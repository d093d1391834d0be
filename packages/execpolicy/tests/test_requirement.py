from __future__ import annotations

import pytest

from pycodex_execpolicy import (
    NEVER_REASON,
    ApprovalPolicyName,
    exec_requirement,
    generalized_prefix,
    is_banned_prefix,
    parse_policy,
)

POLICY = parse_policy(
    """
prefix_rule(pattern=["git", "push"], decision="prompt", justification="pushing publishes work")
prefix_rule(pattern=["git", "status"])
prefix_rule(pattern=["terraform", "destroy"], decision="forbidden")
prefix_rule(pattern=["shred"], decision="forbidden", justification="never shred")
"""
)


def _kind(command: list[str], policy: ApprovalPolicyName, *, override: bool = False) -> str:
    return exec_requirement(
        POLICY, command, approval_policy=policy, filesystem_restricted=True, sandbox_override=override
    ).kind


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        (["ls"], {"untrusted": "skip", "on-failure": "skip", "on-request": "skip", "never": "skip"}),
        (["cargo", "build"], {"untrusted": "needs_approval", "on-failure": "skip", "on-request": "skip",
                              "never": "skip"}),
        (["rm", "-rf", "x"], {"untrusted": "needs_approval", "on-failure": "needs_approval",
                              "on-request": "needs_approval", "never": "forbidden"}),
        (["terraform", "destroy"], dict.fromkeys(("untrusted", "on-failure", "on-request", "never"), "forbidden")),
        (["git", "push"], {"untrusted": "needs_approval", "on-failure": "needs_approval",
                           "on-request": "needs_approval", "never": "forbidden"}),
    ],
)  # fmt: skip
def test_policy_matrix(command: list[str], expected: dict[str, str]) -> None:
    got = {name: _kind(command, name) for name in ("untrusted", "on-failure", "on-request", "never")}
    assert got == expected


def test_escalation_asks_under_on_request_only_when_restricted() -> None:
    assert _kind(["cargo", "build"], "on-request", override=True) == "needs_approval"
    req = exec_requirement(
        POLICY, ["cargo", "build"], approval_policy="on-request", filesystem_restricted=False, sandbox_override=True
    )
    assert req.kind == "skip"


def test_reasons_and_bypass() -> None:
    req = exec_requirement(POLICY, ["git", "push", "origin"], approval_policy="on-request", filesystem_restricted=True)
    assert req.reason == "`git push origin` requires approval: pushing publishes work"
    req = exec_requirement(POLICY, ["terraform", "destroy"], approval_policy="on-request", filesystem_restricted=True)
    assert req.reason == "`terraform destroy` rejected: policy forbids commands starting with `terraform destroy`"
    req = exec_requirement(POLICY, ["shred", "x"], approval_policy="on-request", filesystem_restricted=True)
    assert req.reason == "`shred x` rejected: never shred"
    req = exec_requirement(POLICY, ["git", "push"], approval_policy="never", filesystem_restricted=True)
    assert req.reason == NEVER_REASON
    req = exec_requirement(POLICY, ["git", "status"], approval_policy="on-request", filesystem_restricted=True)
    assert (req.kind, req.bypass_sandbox) == ("skip", True)
    req = exec_requirement(
        POLICY, ["bash", "-lc", "git status && ls"], approval_policy="on-request", filesystem_restricted=True
    )
    assert (req.kind, req.bypass_sandbox, len(req.segments)) == ("skip", False, 2)


def test_strictest_decision_across_script_commands() -> None:
    req = exec_requirement(
        POLICY,
        ["bash", "-lc", "git status && terraform destroy"],
        approval_policy="untrusted",
        filesystem_restricted=True,
    )
    assert req.kind == "forbidden"


def test_amendments_generalise() -> None:
    req = exec_requirement(POLICY, ["cargo", "test", "--all"], approval_policy="untrusted", filesystem_restricted=True)
    assert req.proposed_amendment == ("cargo", "test")
    req = exec_requirement(
        POLICY, ["cargo", "test"], approval_policy="untrusted", filesystem_restricted=True, prefix_rule=["cargo"]
    )
    assert req.proposed_amendment == ("cargo",)
    assert generalized_prefix(["git", "commit", "-m", "x"]) == ("git", "commit")
    assert generalized_prefix(["make"]) == ("make",)
    assert generalized_prefix(["python3", "-c", "print(1)"]) is None
    assert generalized_prefix(["rm", "x"]) is None
    assert is_banned_prefix(["bash", "-lc"]) and not is_banned_prefix(["git", "push"])


def test_heredoc_is_judged_by_its_command_without_amendments() -> None:
    policy = parse_policy('prefix_rule(pattern=["python3"], decision="prompt")')
    req = exec_requirement(
        policy, ["bash", "-lc", "python3 <<'EOF'\nprint(1)\nEOF"], approval_policy="on-request",
        filesystem_restricted=True,
    )  # fmt: skip
    assert (req.kind, req.segments, req.proposed_amendment) == ("needs_approval", (("python3",),), None)
    req = exec_requirement(
        policy, ["bash", "-lc", "python3 > out <<'EOF'\nx\nEOF"], approval_policy="on-request",
        filesystem_restricted=True,
    )  # fmt: skip
    assert req.segments == (("bash", "-lc", "python3 > out <<'EOF'\nx\nEOF"),)


def test_reasons_match_codex_for_shell_wrapped_commands() -> None:
    policy = parse_policy('prefix_rule(pattern=["rm"], decision="forbidden", justification="no deleting")')
    req = exec_requirement(
        policy, ["/bin/bash", "-lc", "rm -rf build"], approval_policy="never", filesystem_restricted=True
    )
    assert req.reason == "`/bin/bash -lc 'rm -rf build'` rejected: no deleting"
    req = exec_requirement(
        POLICY, ["/bin/bash", "-lc", "rm -rf build"], approval_policy="never", filesystem_restricted=True
    )
    assert (
        req.reason
        == "`/bin/bash -lc 'rm -rf build'` rejected: rm -f style commands are not permitted. Use a safer approach"
    )

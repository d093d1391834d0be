import sys

import pytest

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_windows import (
    EVERYONE_SID,
    WindowsSandboxError,
    capability_sid,
    plan_sandbox,
    run_in_plan,
)

WS = r"C:\Users\dev\proj"


def policy(network: str = "off", denied: list[str] | None = None) -> ResolvedSandboxPolicy:
    return {
        "kind": "restricted",
        "full_read": True,
        "readable_roots": [],
        "writable_roots": [{"root": WS, "read_only_subpaths": [WS + r"\.git", WS + r"\.codex"]}],
        "denied_paths": denied or [],
        "network": network,  # type: ignore[typeddict-item]
    }


def test_capability_sids_are_stable_and_case_insensitive() -> None:
    sid = capability_sid(WS)
    assert sid.startswith("S-1-15-3-1024-") and len(sid.split("-")) == 13
    assert capability_sid(WS.upper()) == sid and capability_sid(WS + "\\") == sid
    assert capability_sid(r"C:\other") != sid


def test_plan_token_aces_and_gaps() -> None:
    plan = plan_sandbox(policy(), {"PATH": "x"}, exists=lambda p: p.endswith(".git"))
    assert plan.token is not None
    assert plan.token.flags == 0x1 | 0x4 | 0x8
    assert plan.token.restricting_sids == (capability_sid(WS), "<logon-sid>", EVERYONE_SID)
    kinds = [(a.path, a.kind) for a in plan.aces]
    assert kinds == [(WS, "allow"), (WS + r"\.git", "deny")]
    assert any(".codex does not exist" in gap for gap in plan.unenforceable)
    assert any("network" in gap for gap in plan.unenforceable)
    assert plan.env["CODEX_SANDBOX_NETWORK_DISABLED"] == "1"


def test_network_on_and_denied_paths() -> None:
    plan = plan_sandbox(policy("on", [WS + r"\secret"]), {}, exists=lambda p: True)
    assert not any("network" in gap for gap in plan.unenforceable)
    assert any("cannot deny reads" in gap for gap in plan.unenforceable)


def test_unrestricted_needs_no_token() -> None:
    full: ResolvedSandboxPolicy = {**policy(), "kind": "unrestricted"}
    assert plan_sandbox(full, {}).token is None


@pytest.mark.skipif(sys.platform == "win32", reason="checks the refusal off Windows")
def test_refuses_gaps_and_other_platforms() -> None:
    plan = plan_sandbox(policy(), {}, exists=lambda p: True)
    with pytest.raises(WindowsSandboxError, match="refusing to run"):
        run_in_plan(["cmd"], plan)
    with pytest.raises(WindowsSandboxError, match="only on Windows"):
        run_in_plan(["cmd"], plan, accept_gaps=True)

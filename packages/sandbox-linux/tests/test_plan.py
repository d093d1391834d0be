import os
import subprocess
from pathlib import Path

import pytest

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_linux import SandboxUnavailable, diagnose, prepare_command


def ws_policy(root: Path) -> ResolvedSandboxPolicy:
    return {
        "kind": "restricted",
        "full_read": True,
        "readable_roots": ["/"],
        "writable_roots": [{"root": str(root), "read_only_subpaths": [str(root / ".codex")]}],
        "denied_paths": [],
        "network": "off",
    }


def test_unrestricted_runs_as_is(tmp_path: Path) -> None:
    full: ResolvedSandboxPolicy = {**ws_policy(tmp_path), "kind": "unrestricted"}
    plan = prepare_command(["true"], tmp_path, {"A": "1"}, full)
    assert (plan.argv, plan.layer, plan.env) == (["true"], "none", {"A": "1"})


def test_no_layer_refuses_with_a_remedy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYCODEX_BWRAP", "")
    monkeypatch.setattr("pycodex_sandbox_linux._diagnose.landlock_abi", lambda: 0)
    try:
        with pytest.raises(SandboxUnavailable, match="apt-get install bubblewrap") as info:
            prepare_command(["true"], tmp_path, {}, ws_policy(tmp_path))
        assert "no sandbox layer works" in info.value.reason
    finally:
        diagnose(fresh=True)


def test_bwrap_plan_runs_and_cleans_its_mount_point(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "LD_DEBUG_OUTPUT": "/nonexistent"}
    with prepare_command(
        ["sh", "-c", "echo $LD_DEBUG_OUTPUT $CODEX_SANDBOX_NETWORK_DISABLED"], tmp_path, env, ws_policy(tmp_path)
    ) as plan:
        assert plan.layer == "bubblewrap" and "LD_DEBUG_OUTPUT" not in plan.env
        done = subprocess.run(
            plan.argv,
            env=plan.env,
            cwd=plan.cwd,
            pass_fds=plan.pass_fds,
            capture_output=True,
            text=True,
            encoding="utf-8",
        )
    assert done.stdout.strip() == "/nonexistent 1"
    assert not (tmp_path / ".codex").exists()
    assert not any(fd for fd in plan.pass_fds if _open(fd))


def _open(fd: int) -> bool:
    try:
        os.fstat(fd)
    except OSError:
        return False
    return True

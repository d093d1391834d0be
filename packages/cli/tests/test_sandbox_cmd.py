"""`codex sandbox` and the sandbox lines of `codex doctor`, through the real entry point."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest


def codex(args: list[str], cwd: Path, home: Path, **kw: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CODEX_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
        encoding="utf-8", timeout=60, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
def ws(tmp_path: Path) -> Path:
    work = tmp_path / "ws"
    (work / ".git").mkdir(parents=True)
    (tmp_path / "home").mkdir()
    return work


def test_workspace_write_runs_writes_and_keeps_git_read_only(ws: Path) -> None:
    script = "echo hi > made.txt; touch .git/hook; exit 3"
    done = codex(["-c", 'sandbox_mode="workspace-write"', "sandbox", "--", "sh", "-c", script], ws, ws.parent / "home")
    assert done.returncode == 3
    assert (ws / "made.txt").read_text(encoding="utf-8") == "hi\n"
    assert "Read-only file system" in done.stderr and not (ws / ".git" / "hook").exists()


def test_read_only_default_and_inherited_descriptors(ws: Path) -> None:
    fd = os.open(ws / "inherited.txt", os.O_CREAT | os.O_RDWR)
    os.set_inheritable(fd, True)
    try:
        done = codex(
            ["sandbox", "--", "sh", "-c", f"ls /proc/self/fd; echo x >&{fd}; touch y"],
            ws,
            ws.parent / "home",
            pass_fds=(fd,),
        )
    finally:
        os.close(fd)
    assert done.stdout.split() == ["0", "1", "2", "3"]
    assert (ws / "inherited.txt").read_text(encoding="utf-8") == "" and not (ws / "y").exists()


def test_usage_errors_and_aliases(ws: Path) -> None:
    home = ws.parent / "home"
    assert codex(["sandbox"], ws, home).returncode == 2
    other = codex(["sandbox", "macos", "--", "true"], ws, home)
    assert other.returncode == 1 and "darwin" in other.stderr
    assert codex(["sandbox", "linux", "--", "true"], ws, home).returncode == 0
    bad = codex(["sandbox", "-P", "nope", "--", "true"], ws, home)
    assert bad.returncode == 1 and "not defined" in bad.stderr


def test_doctor_reports_the_sandbox_layers(ws: Path) -> None:
    done = codex(["doctor"], ws, ws.parent / "home")
    lines = [line for line in done.stdout.splitlines() if "sandbox" in line]
    assert any("sandbox: bubblewrap" in line for line in lines)
    assert any("sandbox landlock" in line for line in lines)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("nope", "invalid JSON"),
        ("[1]", "must be a JSON object"),
        ('{"kind": "restricted"}', "not a sandbox policy"),
        ('{"type": "workspace-write", "writable_roots": 5}', "not a sandbox policy"),
        ('{"type": "bogus"}', "unknown policy type"),
    ],
)
def test_bad_sandbox_state_is_a_clear_error(ws: Path, state: str, message: str) -> None:
    done = codex(["sandbox", "--sandbox-state-json", state, "--", "true"], ws, ws.parent / "home")
    assert done.returncode == 1 and message in done.stderr and "Traceback" not in done.stderr


def test_sandbox_state_workspace_write(ws: Path) -> None:
    done = codex(
        ["sandbox", "--sandbox-state-json", '{"type": "workspace-write"}', "--", "touch", "x"], ws, ws.parent / "home"
    )
    assert done.returncode == 0 and (ws / "x").exists()

"""Escape probes against pycodex's `codex sandbox` (bubblewrap + seccomp), judged from the host.

These tests need bubblewrap and unprivileged user namespaces. They FAIL (never skip) when those
are missing: a machine where the sandbox cannot run must not look like a machine where it holds.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Target, Verdict, pycodex_launcher, write_config

from pycodex_sandbox_linux import diagnose

CONTROLS = {
    "ok.write_workspace", "ok.write_subdir", "ok.edit_existing_file", "ok.write_slash_tmp", "ok.read_system",
    "ok.mkdir_rename_workspace", "ok.symlink_in_workspace", "ok.dev_null", "ok.socketpair_ipc", "ok.git_status",
    "ok.compile_c",
}  # fmt: skip


def run_suite(tmp: Path, extra_env: dict[str, str]) -> tuple[Target, list[Verdict]]:
    target = Target(tmp)
    home = tmp / "codex-home"
    write_config(home, str(target.spec["evil_so"]) if shutil.which("cc") else None)
    env = {**os.environ, "CODEX_HOME": str(home), **extra_env}
    try:
        evidence = target.run([*pycodex_launcher()[:-1], "-c", 'sandbox_mode="workspace-write"', "--"], env)
        assert target.returncode == 0, target.stderr
        return target, target.judge(evidence)
    finally:
        target.close()


@pytest.fixture(scope="module")
def bwrap_verdicts(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[Verdict]]:
    assert shutil.which("bwrap"), "bubblewrap (`bwrap`) is required for the escape suite: apt-get install bubblewrap"
    found = diagnose(fresh=True)
    assert found.chosen == "bubblewrap", f"bubblewrap cannot run here: {found.summary()}"
    base = Path(os.environ.get("PYCODEX_PROBE_BASE", "/var/tmp"))
    tmp = tmp_path_factory.mktemp("escape", numbered=True)
    work = base / f"pycodex-escape-{os.getpid()}-{tmp.name}"
    _target, verdicts = run_suite(work, {})
    yield verdicts
    shutil.rmtree(work, ignore_errors=True)


def test_at_least_forty_escape_probes_all_reported(bwrap_verdicts: list[Verdict]) -> None:
    probes = [v for v in bwrap_verdicts if not v.control]
    assert len(probes) >= 40
    silent = [v.probe for v in bwrap_verdicts if v.detail == "probe did not report"]
    assert silent == []


def test_no_probe_escapes_bubblewrap(bwrap_verdicts: list[Verdict]) -> None:
    escaped = [(v.probe, v.detail) for v in bwrap_verdicts if not v.control and v.escaped]
    assert escaped == []


def test_positive_controls_work_under_bubblewrap(bwrap_verdicts: list[Verdict]) -> None:
    controls = {v.probe: v for v in bwrap_verdicts if v.control}
    assert set(controls) == CONTROLS
    broken = [(v.probe, v.detail) for v in controls.values() if v.escaped]
    assert broken == []


def test_denials_come_from_the_sandbox_not_from_missing_targets(bwrap_verdicts: list[Verdict]) -> None:
    by_id = {v.probe: v.detail for v in bwrap_verdicts}
    assert "Read-only file system" in by_id["fs.absolute"]
    assert "Read-only file system" in by_id["meta.git_config_write"]
    assert "Operation not permitted" in by_id["net.tcp_loopback"]
    assert "Operation not permitted" in by_id["proc.ptrace_sibling"]
    assert by_id["fd.scan"].split() == ["0", "1", "2", "3"]  # 3 is the directory being listed


def test_supervised_plan_holds_too(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The same probes through `prepare_command(supervised=True)`, exec'd with every descriptor still open."""
    import sys

    work = Path("/var/tmp") / f"pycodex-supervised-{os.getpid()}"
    target = Target(work)
    try:
        env = {**os.environ, "PROBE_LD_PRELOAD": str(target.spec["evil_so"])}
        launcher = [sys.executable, str(Path(__file__).with_name("supervised_launcher.py"))]
        verdicts = target.judge(target.run(launcher, env))
        assert target.returncode == 0, target.stderr
    finally:
        target.close()
    escaped = [(v.probe, v.detail) for v in verdicts if v.escaped]
    assert escaped == []
    assert not (work / "ws" / ".codex").exists() and not (work / "ws" / ".agents").exists()
    shutil.rmtree(work, ignore_errors=True)

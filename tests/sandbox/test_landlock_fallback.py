"""The Landlock + seccomp fallback, exercised by making bubblewrap unavailable (`PYCODEX_BWRAP=`)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Verdict
from test_escape import run_suite

from pycodex_sandbox_linux import diagnose, landlock_abi

# Landlock cannot keep `.git` read-only inside a tree it grants, so a root holding protected names
# is granted entry by entry: new entries directly in the workspace root are refused (documented).
REFUSED_BY_DESIGN = {"ok.write_workspace", "ok.mkdir_rename_workspace", "ok.symlink_in_workspace", "ok.compile_c"}


@pytest.fixture(scope="module")
def landlock_verdicts() -> Iterator[list[Verdict]]:
    assert landlock_abi() > 0, "this kernel has no Landlock: the fallback cannot be tested"
    work = Path("/var/tmp") / f"pycodex-landlock-{os.getpid()}"
    _target, verdicts = run_suite(work, {"PYCODEX_BWRAP": ""})
    yield verdicts
    shutil.rmtree(work, ignore_errors=True)


def test_fallback_is_chosen_without_bubblewrap(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PYCODEX_BWRAP", "")
    found = diagnose(fresh=True)
    assert found.chosen == "landlock"
    assert "bubblewrap" in found.summary()
    diagnose(fresh=True)


def test_no_probe_escapes_landlock(landlock_verdicts: list[Verdict]) -> None:
    escaped = [(v.probe, v.detail) for v in landlock_verdicts if not v.control and v.escaped]
    assert escaped == []
    by_id = {v.probe: v.detail for v in landlock_verdicts}
    assert "Permission denied" in by_id["fs.absolute"]  # Landlock's EACCES, not bubblewrap's EROFS


def test_landlock_controls(landlock_verdicts: list[Verdict]) -> None:
    broken = {v.probe for v in landlock_verdicts if v.control and v.escaped}
    assert broken == REFUSED_BY_DESIGN

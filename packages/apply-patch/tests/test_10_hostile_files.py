"""Issue 10, items 2 and 6: special files never block a patch; many files in one directory."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pycodex_apply_patch import apply_patch


def _patch(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_deleting_fifos_and_links_to_devices_never_reads_them(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "urandom").symlink_to("/dev/urandom")
    patch = _patch("*** Delete File: pipe", "*** Delete File: zero", "*** Delete File: urandom")
    # A subprocess with a deadline: a read through a link or of a FIFO would block or fill memory.
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "apply_patch"), patch],
        cwd=tmp_path,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"Success. Updated the following files:\nD pipe\nD zero\nD urandom\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("count", [101, 250])
def test_more_than_a_hundred_files_in_one_directory(tmp_path: Path, count: int) -> None:
    for k in range(count):
        (tmp_path / f"old{k}.txt").write_text(f"old {k}\n", encoding="utf-8")
        (tmp_path / f"upd{k}.txt").write_text(f"a {k}\nb\n", encoding="utf-8")
    hunks: list[str] = []
    for k in range(count):
        hunks += [f"*** Add File: new{k}.txt", f"+new {k}"]
        hunks += [f"*** Delete File: old{k}.txt"]
        hunks += [f"*** Update File: upd{k}.txt", "@@", "-b", f"+B {k}"]
    result = apply_patch(_patch(*hunks), cwd=tmp_path)
    assert len(result.added) == len(result.deleted) == len(result.modified) == count
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"new{k}.txt" for k in range(count)] + [f"upd{k}.txt" for k in range(count)])
    assert (tmp_path / f"upd{count - 1}.txt").read_text(encoding="utf-8") == f"a {count - 1}\nB {count - 1}\n"

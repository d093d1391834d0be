"""Issue 10, item 8: `kill -9` in the middle of a large patch loses nothing; the journal rolls back or forward.

The console script runs in a real subprocess with the test hook `PYCODEX_APPLY_PATCH_PAUSE_AFTER=N`:
after N file-system steps it reports on stderr and waits; the test then kills it with SIGKILL and
recovers, either through `recover_journals` (what `codex doctor` calls) or through the next run.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from pycodex_apply_patch import apply_patch, recover_journals

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="journals need flock")

COUNT = 12
SCRIPT = Path(sys.executable).parent / "apply_patch"


def _populate(root: Path) -> None:
    root.mkdir()
    for k in range(COUNT):
        (root / f"del{k}.txt").write_text(f"delete me {k}\n", encoding="utf-8")
        (root / f"upd{k}.txt").write_text(f"keep {k}\nchange {k}\n", encoding="utf-8")
    (root / "slot").write_text("a file where a directory will go\n", encoding="utf-8")
    (root / "run.sh").write_bytes(b"#!/bin/sh\necho old\n")
    (root / "run.sh").chmod(0o755)


def _patch() -> str:
    hunks: list[str] = []
    for k in range(COUNT):
        hunks += [f"*** Delete File: del{k}.txt", f"*** Add File: new/dir{k % 3}/n{k}.txt", f"+new {k}"]
        hunks += [f"*** Update File: upd{k}.txt", "@@", f" keep {k}", f"-change {k}", f"+changed {k}"]
    hunks += ["*** Delete File: slot", "*** Add File: slot/inside.txt", "+now a directory"]
    hunks += ["*** Update File: run.sh", "*** Move to: bin/run.sh", "@@", "-echo old", "+echo new"]
    return "\n".join(["*** Begin Patch", *hunks, "*** End Patch"]) + "\n"


# Steps: deletes (COUNT + slot + run.sh), directories (new, new/dir0..2, slot, bin), temporaries
# (2 * COUNT + 2), backup links (COUNT), COMMIT, renames into place (2 * COUNT + 2), backups dropped.
COMMIT_STEP = (COUNT + 2) + 6 + (2 * COUNT + 2) + COUNT + 1
STEPS = COMMIT_STEP + (2 * COUNT + 2) + (COUNT + 2 + COUNT)


def _tree(root: Path) -> dict[str, tuple[bytes, int] | str]:
    out: dict[str, tuple[bytes, int] | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        out[rel] = "dir" if path.is_dir() else (path.read_bytes(), path.stat().st_mode & 0o777)
    return out


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, tuple[bytes, int] | str], ...]:
    base = tmp_path_factory.mktemp("states")
    _populate(base / "before")
    _populate(base / "after")
    apply_patch(_patch(), cwd=base / "after", journal_dir=base / "journal")
    return _tree(base / "before"), _tree(base / "after")


def _killed_at(step: int, work: Path, journal: Path) -> None:
    env = {**os.environ, "PYCODEX_APPLY_PATCH_PAUSE_AFTER": str(step), "PYCODEX_APPLY_PATCH_JOURNAL_DIR": str(journal)}
    proc = subprocess.Popen(
        [str(SCRIPT), _patch()], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()  # blocks until the hook pauses (or the process ends)
        assert line == f"apply_patch: paused after {step} steps\n".encode(), line
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL


@pytest.mark.parametrize(
    "step",
    sorted({1, 5, COUNT + 2, COUNT + 5, COUNT + 9, 30, 45, COMMIT_STEP - 1, COMMIT_STEP, 60, 70, 85, 95, STEPS - 1}),
)
def test_kill_9_mid_apply_is_recovered(
    step: int, tmp_path: Path, states: tuple[dict[str, tuple[bytes, int] | str], ...]
) -> None:
    before, after = states
    work, journal = tmp_path / "work", tmp_path / "journal"
    _populate(work)
    _killed_at(step, work, journal)
    crashed = _tree(work)
    assert crashed not in (before, after), "the kill did not land mid-apply"
    [recovery] = recover_journals(journal)
    assert recovery.problems == ()
    expected = after if recovery.action == "rolled forward" else before
    assert recovery.action == ("rolled forward" if step >= COMMIT_STEP else "rolled back")
    assert _tree(work) == expected
    assert list(journal.iterdir()) == []
    assert recover_journals(journal) == []


@pytest.mark.parametrize("step", [20, 80])
def test_the_next_run_recovers_before_it_reads_the_files(
    step: int, tmp_path: Path, states: tuple[dict[str, tuple[bytes, int] | str], ...]
) -> None:
    before, after = states
    work, journal = tmp_path / "work", tmp_path / "journal"
    _populate(work)
    _killed_at(step, work, journal)
    env = {**os.environ, "PYCODEX_APPLY_PATCH_JOURNAL_DIR": str(journal)}
    env.pop("PYCODEX_APPLY_PATCH_PAUSE_AFTER", None)
    patch = "*** Begin Patch\n*** Add File: marker.txt\n+next run\n*** End Patch\n"
    proc = subprocess.run([str(SCRIPT), patch], cwd=work, env=env, capture_output=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    tree = _tree(work)
    assert tree.pop("marker.txt") == (b"next run\n", 0o666 & ~_umask())
    assert tree == (before if step == 20 else after)
    assert list(journal.iterdir()) == []


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_live_writer_is_left_alone(tmp_path: Path) -> None:
    work, journal = tmp_path / "work", tmp_path / "journal"
    _populate(work)
    env = {**os.environ, "PYCODEX_APPLY_PATCH_PAUSE_AFTER": "10", "PYCODEX_APPLY_PATCH_JOURNAL_DIR": str(journal)}
    proc = subprocess.Popen(
        [str(SCRIPT), _patch()], cwd=work, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        assert proc.stderr is not None
        assert proc.stderr.readline().startswith(b"apply_patch: paused")
        crashed = _tree(work)
        assert recover_journals(journal) == []  # its lock is held: not stale
        assert _tree(work) == crashed
    finally:
        proc.kill()
        proc.wait(timeout=30)
        if proc.stderr is not None:
            proc.stderr.close()
    assert [r.action for r in recover_journals(journal)] == ["rolled back"]


def test_a_damaged_journal_is_reported_and_kept(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    (journal / "1.abc.journal").write_bytes(b"not a journal")
    [recovery] = recover_journals(journal)
    assert recovery.action == "damaged"
    assert (journal / "1.abc.journal").exists()
    shutil.rmtree(journal)
    assert recover_journals(journal) == []


def test_a_journal_naming_foreign_files_is_not_acted_on(tmp_path: Path) -> None:
    victim, elsewhere = tmp_path / "victim.txt", tmp_path / "elsewhere.txt"
    victim.write_text("precious\n", encoding="utf-8")
    elsewhere.write_text("other\n", encoding="utf-8")
    journal = tmp_path / "journal"
    journal.mkdir()
    fields = [b"pycodex-apply-patch-journal 1", b"1", b"D", bytes(victim), b"", bytes(elsewhere), b"END", b"ROLLBACK"]
    (journal / "1.x.journal").write_bytes(b"\0".join(fields) + b"\0")
    [recovery] = recover_journals(journal)
    assert recovery.action == "damaged"
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert elsewhere.read_text(encoding="utf-8") == "other\n"


def test_hostile_entries_in_the_journal_directory_never_block(tmp_path: Path) -> None:
    journal = tmp_path / "journal"
    journal.mkdir()
    os.mkfifo(journal / "2.fifo.journal")
    (journal / "3.link.journal").symlink_to("/dev/zero")
    (journal / "4.dir.journal").mkdir()
    assert recover_journals(journal) == []
    (tmp_path / "not-a-dir").write_text("x", encoding="utf-8")
    assert recover_journals(tmp_path / "not-a-dir") == []
    # An unusable journal directory does not stop a patch (it is applied without a journal).
    work = tmp_path / "work"
    work.mkdir()
    apply_patch(
        "*** Begin Patch\n*** Add File: a.txt\n+a\n*** End Patch\n", cwd=work, journal_dir=tmp_path / "not-a-dir"
    )
    assert (work / "a.txt").read_text(encoding="utf-8") == "a\n"

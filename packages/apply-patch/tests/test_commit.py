from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from pycodex_apply_patch import PatchConflictError, PatchIOError, apply_patch, apply_plan, parse_patch, plan_patch

P = "*** Begin Patch\n"
E = "*** End Patch"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_apply_reports_codex_summary(tmp_path: Path) -> None:
    (tmp_path / "x.py").write_text("a\n", encoding="utf-8")
    (tmp_path / "y.py").write_text("y\n", encoding="utf-8")
    result = apply_patch(
        P + "*** Add File: hello.txt\n+hi\n*** Update File: x.py\n@@\n-a\n+b\n*** Delete File: y.py\n" + E, cwd=tmp_path
    )
    assert result.summary() == "Success. Updated the following files:\nA hello.txt\nM x.py\nD y.py\n"
    assert (result.added, result.modified, result.deleted) == ([Path("hello.txt")], [Path("x.py")], [Path("y.py")])
    assert _tree(tmp_path) == {"hello.txt": b"hi\n", "x.py": b"b\n"}


def test_failure_in_a_later_hunk_changes_nothing(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\nb\n", encoding="utf-8")
    before = _tree(tmp_path)
    with pytest.raises(PatchConflictError):
        apply_patch(P + "*** Add File: new/created.txt\n+x\n*** Update File: f.txt\n@@\n-zzz\n+y\n" + E, cwd=tmp_path)
    assert _tree(tmp_path) == before
    assert not (tmp_path / "new").exists()


def test_rollback_when_a_rename_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "a.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("b\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("c\n", encoding="utf-8")
    before = _tree(tmp_path)
    inode = (tmp_path / "a.txt").stat().st_ino
    plan = plan_patch(
        parse_patch(
            P + "*** Update File: a.txt\n@@\n-a\n+A\n*** Delete File: c.txt\n*** Add File: d/new.txt\n+n\n"
            "*** Update File: b.txt\n@@\n-b\n+B\n" + E
        ),
        cwd=tmp_path,
    )
    real_replace = os.replace
    calls: list[str] = []

    def flaky_replace(src: str, dst: str) -> None:
        calls.append(dst)
        if str(dst).endswith("b.txt") and str(src).endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(PatchIOError) as info:
        apply_plan(plan)
    monkeypatch.undo()
    assert (
        str(info.value)
        == f"Failed to write file {tmp_path}/b.txt: Permission denied (os error 13) (no file was changed)"
    )
    assert _tree(tmp_path) == before
    assert (tmp_path / "a.txt").stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.txt", "b.txt", "c.txt"]


def test_stale_plan_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "f.txt"
    target.write_text("a\n", encoding="utf-8")
    plan = plan_patch(parse_patch(P + "*** Update File: f.txt\n@@\n-a\n+b\n" + E), cwd=tmp_path)
    target.write_text("changed meanwhile\n", encoding="utf-8")
    with pytest.raises(PatchIOError, match="changed since the patch was verified"):
        apply_plan(plan)
    assert target.read_text(encoding="utf-8") == "changed meanwhile\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a\r\nb\r\nc\r\n", b"a\r\nB\r\nX\r\nc\r\n"),
        (b"\xef\xbb\xbfa\nb\nc\n", b"\xef\xbb\xbfa\nB\nX\nc\n"),
        (b"a\nb\nc", b"a\nB\nX\nc"),
        (b"caf\xe9\nb\n\xff\n", b"caf\xe9\nB\nX\n\xff\n"),
        (b"a\r\nb\nc\r\n", b"a\r\nB\r\nX\r\nc\r\n"),
    ],
)
def test_file_fidelity(tmp_path: Path, before: bytes, after: bytes) -> None:
    (tmp_path / "f.txt").write_bytes(before)
    apply_patch(P + "*** Update File: f.txt\n@@\n-b\n+B\n+X\n" + E, cwd=tmp_path)
    assert (tmp_path / "f.txt").read_bytes() == after


def test_bom_file_first_line_matches(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_bytes(b"\xef\xbb\xbfa\r\nb\r\n")
    apply_patch(P + "*** Update File: f.txt\n@@\n-a\n+A\n" + E, cwd=tmp_path)
    assert (tmp_path / "f.txt").read_bytes() == b"\xef\xbb\xbfA\r\nb\r\n"


def test_modes_are_kept(tmp_path: Path) -> None:
    script = tmp_path / "run.sh"
    script.write_text("echo a\n", encoding="utf-8")
    script.chmod(0o750)
    apply_patch(P + "*** Update File: run.sh\n*** Move to: bin/run.sh\n@@\n-echo a\n+echo b\n" + E, cwd=tmp_path)
    moved = tmp_path / "bin" / "run.sh"
    assert stat.S_IMODE(moved.stat().st_mode) == 0o750
    apply_patch(P + "*** Update File: bin/run.sh\n@@\n-echo b\n+echo c\n" + E, cwd=tmp_path)
    assert stat.S_IMODE(moved.stat().st_mode) == 0o750
    assert moved.read_text(encoding="utf-8") == "echo c\n"


def test_new_file_gets_default_mode(tmp_path: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    apply_patch(P + "*** Add File: n.txt\n+x\n" + E, cwd=tmp_path)
    assert stat.S_IMODE((tmp_path / "n.txt").stat().st_mode) == 0o666 & ~umask


def test_symlink_is_kept_when_updating_through_it(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "link").symlink_to("real.txt")
    apply_patch(P + "*** Update File: link\n@@\n-a\n+b\n" + E, cwd=tmp_path)
    assert (tmp_path / "link").is_symlink()
    assert (tmp_path / "real.txt").read_text(encoding="utf-8") == "b\n"


def test_no_temporary_files_are_left(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\n", encoding="utf-8")
    apply_patch(P + "*** Update File: f.txt\n@@\n-a\n+b\n*** Add File: g.txt\n+g\n" + E, cwd=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "g.txt"]


def test_move_and_delete_paths(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.txt").write_text("a\n", encoding="utf-8")
    apply_patch(P + "*** Update File: src/a.txt\n*** Move to: dst/b.txt\n@@\n-a\n+b\n" + E, cwd=tmp_path)
    assert _tree(tmp_path) == {"dst/b.txt": b"b\n"}
    assert (tmp_path / "src").is_dir()  # empty source directories stay, as with Codex

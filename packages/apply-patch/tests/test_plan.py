from __future__ import annotations

import os
from pathlib import Path

import pytest

from pycodex_apply_patch import (
    EmptyPatchError,
    PatchConflictError,
    PatchIOError,
    PatchPlan,
    PathNotAllowedError,
    parse_patch,
    plan_patch,
)

P = "*** Begin Patch\n"
E = "*** End Patch"


def _plan(tmp_path: Path, body: str, writable_roots: list[Path] | None = None) -> PatchPlan:
    return plan_patch(parse_patch(P + body + E), cwd=tmp_path, writable_roots=writable_roots)


def test_plan_writes_nothing_and_describes_changes(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\nb\nc\n", encoding="utf-8")
    (tmp_path / "old.txt").write_text("x\n", encoding="utf-8")
    (tmp_path / "gone.txt").write_text("bye\n", encoding="utf-8")
    plan = _plan(
        tmp_path,
        "*** Add File: new.txt\n+hi\n*** Update File: f.txt\n@@\n a\n-b\n+B\n*** Delete File: gone.txt\n"
        "*** Update File: old.txt\n*** Move to: moved.txt\n@@\n-x\n+y\n",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt", "gone.txt", "old.txt"]
    changes = plan.changes
    assert {path.name: spec.kind for path, spec in changes.items()} == {
        "new.txt": "add",
        "f.txt": "update",
        "gone.txt": "delete",
        "old.txt": "update",
    }
    update = changes[tmp_path / "f.txt"]
    assert update.unified_diff == "@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"
    assert update.new_content == "a\nB\nc\n"
    assert update.old_content == "a\nb\nc\n"
    assert update.move_path is None
    moved = changes[tmp_path / "old.txt"]
    assert moved.move_path == tmp_path / "moved.txt"
    assert moved.to_wire() == {
        "type": "update",
        "unified_diff": "@@ -1 +1 @@\n-x\n+y\n",
        "move_path": str(tmp_path / "moved.txt"),
    }
    assert changes[tmp_path / "new.txt"].to_wire() == {"type": "add", "content": "hi\n"}
    assert changes[tmp_path / "gone.txt"].to_wire() == {"type": "delete", "content": "bye\n"}
    assert plan.summary() == "Success. Updated the following files:\nA new.txt\nM f.txt\nM moved.txt\nD gone.txt\n"


def test_sequential_semantics_add_then_update(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "*** Add File: n.txt\n+one\n+two\n*** Update File: n.txt\n@@\n-two\n+TWO\n")
    (spec,) = plan.changes.values()
    assert (spec.kind, spec.new_content) == ("add", "one\nTWO\n")


def test_add_then_delete_is_no_change(tmp_path: Path) -> None:
    plan = _plan(tmp_path, "*** Add File: t.txt\n+x\n*** Delete File: t.txt\n")
    assert plan.changes == {}
    assert plan.ops == ()
    assert plan.summary() == "Success. Updated the following files:\nA t.txt\nD t.txt\n"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("*** Update File: f.txt\n@@ nope\n-b\n+B\n", "Failed to find context 'nope' in {d}/f.txt"),
        ("*** Update File: f.txt\n@@\n-x\n-y\n+B\n", "Failed to find expected lines in {d}/f.txt:\nx\ny"),
        ("*** Update File: f.txt\n@@\n-a\n+A\n*** End of File\n", "Failed to find expected lines in {d}/f.txt:\na"),
    ],
)
def test_conflicts(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "f.txt").write_text("a\nb\nc\n", encoding="utf-8")
    with pytest.raises(PatchConflictError) as info:
        _plan(tmp_path, body)
    assert str(info.value) == message.format(d=tmp_path)
    assert info.value.path == f"{tmp_path}/f.txt"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "*** Update File: nope.txt\n@@\n-a\n",
            "Failed to read file to update {d}/nope.txt: No such file or directory (os error 2)",
        ),
        ("*** Update File: d\n@@\n-a\n", "Failed to read file to update {d}/d: path `{d}/d` is not a file"),
        ("*** Delete File: nope.txt\n", "Failed to delete file {d}/nope.txt"),
        ("*** Delete File: d\n", "Failed to delete file {d}/d"),
        ("*** Add File: d\n+x\n", "Failed to write file {d}/d"),
        ("*** Add File: f.txt/x\n+x\n", "Failed to write file {d}/f.txt/x"),
        (
            "*** Delete File: f.txt\n*** Update File: f.txt\n@@\n-a\n",
            "Failed to read file to update {d}/f.txt: No such file or directory (os error 2)",
        ),
        ("*** Add File: n\n+x\n*** Add File: n/y\n+y\n", "Failed to write file {d}/n/y"),
    ],
)
def test_file_errors(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "f.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "d").mkdir()
    with pytest.raises(PatchIOError) as info:
        _plan(tmp_path, body)
    assert str(info.value) == message.format(d=tmp_path)


def test_empty_patch(tmp_path: Path) -> None:
    with pytest.raises(EmptyPatchError, match=r"^No files were modified\.$"):
        _plan(tmp_path, "")


def test_fuzzy_match_does_not_reindent(tmp_path: Path) -> None:
    (tmp_path / "s.py").write_text("def f():\n    return 1\n", encoding="utf-8")
    plan = _plan(tmp_path, "*** Update File: s.py\n@@\n-return 1\n+return 2\n")
    assert next(iter(plan.changes.values())).new_content == "def f():\nreturn 2\n"


@pytest.mark.parametrize(
    "path",
    ["../escape.txt", "/etc/apply_patch_test.txt", "sub/../../escape.txt"],
)
def test_paths_outside_writable_roots_are_refused(tmp_path: Path, path: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(PathNotAllowedError) as info:
        _plan(work, f"*** Add File: {path}\n+x\n")
    assert "outside the writable roots" in str(info.value)


def test_symlinks_that_lead_outside_are_refused(tmp_path: Path) -> None:
    work = tmp_path / "work"
    outside = tmp_path / "outside"
    work.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text("a\n", encoding="utf-8")
    (work / "dirlink").symlink_to(outside)
    (work / "filelink").symlink_to(outside / "secret.txt")
    for body in (
        "*** Add File: dirlink/x.txt\n+x\n",
        "*** Update File: filelink\n@@\n-a\n+b\n",
        "*** Delete File: dirlink/secret.txt\n",
        "*** Update File: ok.txt\n*** Move to: dirlink/y.txt\n@@\n-a\n",
    ):
        (work / "ok.txt").write_text("a\n", encoding="utf-8")
        with pytest.raises(PathNotAllowedError):
            _plan(work, body)


def test_deleting_a_link_that_points_outside_is_allowed(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "target.txt").write_text("t\n", encoding="utf-8")
    (work / "link").symlink_to(tmp_path / "target.txt")
    plan = _plan(work, "*** Delete File: link\n")
    assert [op.path for op in plan.ops] == [str(work / "link")]


def test_extra_writable_roots(tmp_path: Path) -> None:
    work = tmp_path / "work"
    other = tmp_path / "other"
    work.mkdir()
    other.mkdir()
    plan = _plan(work, f"*** Add File: {other}/x.txt\n+x\n", writable_roots=[work, other])
    assert [op.path for op in plan.ops] == [str(other / "x.txt")]
    with pytest.raises(PathNotAllowedError):
        _plan(work, "*** Add File: x.txt\n+x\n", writable_roots=[other])


def test_update_through_symlink_targets_the_file(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("a\n", encoding="utf-8")
    (tmp_path / "link").symlink_to("real.txt")
    plan = _plan(tmp_path, "*** Update File: link\n@@\n-a\n+b\n")
    assert [op.path for op in plan.ops] == [os.path.realpath(tmp_path / "real.txt")]


def test_unchanged_content_is_not_rewritten(tmp_path: Path) -> None:
    (tmp_path / "f.txt").write_text("a\n", encoding="utf-8")
    plan = _plan(tmp_path, "*** Update File: f.txt\n@@\n-a\n+a\n")
    assert plan.ops == ()
    assert plan.summary() == "Success. Updated the following files:\nM f.txt\n"

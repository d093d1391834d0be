"""Regression tests for bugs found in review: symlinks, long names, delete-then-add ordering."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from pycodex_apply_patch import PatchIOError, apply_patch, apply_plan, parse_patch, plan_patch


def _patch(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


def test_update_move_of_symlink_removes_the_link_and_keeps_its_target(tmp_path: Path) -> None:
    (tmp_path / "real.txt").write_text("a\nb\n", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to("real.txt")
    plan = plan_patch(
        parse_patch(_patch("*** Update File: link.txt", "*** Move to: new.txt", "@@", "-b", "+B")), cwd=tmp_path
    )
    [change] = plan.change_list
    assert (change.kind, change.old_bytes, change.new_bytes) == ("update", b"a\nb\n", b"a\nB\n")
    apply_plan(plan)
    assert (tmp_path / "new.txt").read_bytes() == b"a\nB\n"
    assert (tmp_path / "real.txt").read_bytes() == b"a\nb\n"
    assert not os.path.lexists(tmp_path / "link.txt")


def test_delete_with_dotdot_after_a_symlink_goes_up_from_the_link_target(tmp_path: Path) -> None:
    root = tmp_path / "root"
    (root / "sub" / "deep").mkdir(parents=True)
    (root / "lnk").symlink_to("sub/deep")
    (root / "sub" / "victim.txt").write_text("named by the patch\n", encoding="utf-8")
    (root / "victim.txt").write_text("unrelated\n", encoding="utf-8")
    apply_patch(_patch("*** Delete File: lnk/../victim.txt"), cwd=root)
    assert (root / "victim.txt").read_text(encoding="utf-8") == "unrelated\n"
    assert not (root / "sub" / "victim.txt").exists()


def test_delete_of_dotdot_path_is_a_directory_error(tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    with pytest.raises(PatchIOError):
        apply_patch(_patch("*** Delete File: d/.."), cwd=tmp_path / "d")


def _delete_in_subprocess(root: Path, name: str) -> subprocess.CompletedProcess[str]:
    code = (
        "import sys; from pycodex_apply_patch import apply_patch; "
        "print(apply_patch(sys.argv[1], cwd=sys.argv[2]).summary(), end='')"
    )
    # A hang would be the bug: bound it.
    return subprocess.run(
        [sys.executable, "-c", code, _patch(f"*** Delete File: {name}"), str(root)],
        capture_output=True,
        text=True,
        timeout=20,
        check=False,
        encoding="utf-8",
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_delete_of_symlink_to_fifo_does_not_block(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "link").symlink_to("fifo")
    done = _delete_in_subprocess(tmp_path, "link")
    assert (done.returncode, done.stdout) == (0, "Success. Updated the following files:\nD link\n"), done.stderr
    assert not os.path.lexists(tmp_path / "link")
    assert os.path.lexists(tmp_path / "fifo")


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_delete_of_symlink_to_dev_zero_does_not_read_it(tmp_path: Path) -> None:
    (tmp_path / "zero").symlink_to("/dev/zero")
    done = _delete_in_subprocess(tmp_path, "zero")
    assert done.returncode == 0, done.stderr
    assert not os.path.lexists(tmp_path / "zero")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_update_of_a_fifo_is_a_clear_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    with pytest.raises(PatchIOError, match="is not a file"):
        apply_patch(_patch("*** Update File: fifo", "@@", "-a", "+b"), cwd=tmp_path)


def test_update_and_add_of_names_near_the_length_limit(tmp_path: Path) -> None:
    long_ascii = "x" * 230 + ".txt"
    long_unicode = "\u6587" * 80 + ".md"  # 243 bytes in UTF-8
    (tmp_path / long_ascii).write_text("a\n", encoding="utf-8")
    apply_patch(
        _patch(f"*** Update File: {long_ascii}", "@@", "-a", "+b", f"*** Add File: {long_unicode}", "+hi"),
        cwd=tmp_path,
    )
    assert (tmp_path / long_ascii).read_bytes() == b"b\n"
    assert (tmp_path / long_unicode).read_bytes() == b"hi\n"
    assert sorted(os.listdir(tmp_path)) == sorted([long_ascii, long_unicode])


def test_delete_file_then_add_a_file_below_the_same_name(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x\n", encoding="utf-8")
    apply_patch(_patch("*** Delete File: a", "*** Add File: a/b", "+y"), cwd=tmp_path)
    assert (tmp_path / "a" / "b").read_bytes() == b"y\n"
    assert os.listdir(tmp_path) == ["a"]


def test_delete_then_add_below_rolls_back_when_a_later_write_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a").write_text("x\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text("c\n", encoding="utf-8")
    plan = plan_patch(
        parse_patch(
            _patch("*** Delete File: a", "*** Add File: a/b", "+y", "*** Update File: c.txt", "@@", "-c", "+C")
        ),
        cwd=tmp_path,
    )
    real_replace = os.replace

    def flaky_replace(src: str, dst: str) -> None:
        if str(dst).endswith("c.txt") and str(src).endswith(".tmp"):
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", flaky_replace)
    with pytest.raises(PatchIOError):
        apply_plan(plan)
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["a", "c.txt"]
    assert (tmp_path / "a").read_bytes() == b"x\n"
    assert (tmp_path / "c.txt").read_bytes() == b"c\n"

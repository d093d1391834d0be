import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pycodex_file_search import list_files


def _tree(root: Path) -> None:
    for rel in [
        "src/a/main.py",
        "src/a/util.py",
        "node_modules/x/i.js",
        "a.log",
        "keep.log",
        "README.md",
        "build/out.o",
    ]:
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x", encoding="utf-8")
    (root / ".gitignore").write_text("node_modules/\n*.log\n!keep.log\n", encoding="utf-8")
    (root / "build" / ".gitignore").write_text("*.o\n", encoding="utf-8")


def test_walk_honours_nested_gitignore_and_negation(tmp_path: Path) -> None:
    _tree(tmp_path)
    found = set(list_files(tmp_path))
    assert found == {"src/a/main.py", "src/a/util.py", "keep.log", "README.md", ".gitignore", "build/.gitignore"}


def test_walk_without_gitignore_lists_everything_but_dot_git(tmp_path: Path) -> None:
    _tree(tmp_path)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "HEAD").write_text("x", encoding="utf-8")
    found = set(list_files(tmp_path, respect_gitignore=False))
    assert "node_modules/x/i.js" in found and "a.log" in found
    assert not any(p.startswith(".git/") for p in found)


@pytest.mark.skipif(shutil.which("git") is None, reason="git not installed")
def test_git_work_tree_uses_git_rules(tmp_path: Path) -> None:
    _tree(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".git" / "info").mkdir(exist_ok=True)
    (tmp_path / ".git" / "info" / "exclude").write_text("README.md\n", encoding="utf-8")
    found = set(list_files(tmp_path))
    assert "README.md" not in found  # only git knows about info/exclude
    assert "src/a/main.py" in found and "a.log" not in found and "keep.log" in found


def test_symlinked_directories_are_not_followed_and_fifos_are_skipped(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    (tmp_path / "real" / "f.txt").write_text("x", encoding="utf-8")
    (tmp_path / "loop").symlink_to(tmp_path)
    os.mkfifo(tmp_path / "pipe")
    found = list_files(tmp_path, respect_gitignore=False)
    assert "real/f.txt" in found
    assert "pipe" not in found
    assert not any(p.startswith("loop/") for p in found)


def test_max_files_caps_the_listing(tmp_path: Path) -> None:
    for i in range(50):
        (tmp_path / f"f{i}.txt").write_text("x", encoding="utf-8")
    assert len(list_files(tmp_path, respect_gitignore=False, max_files=10)) == 10

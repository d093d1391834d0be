"""`--trust` and `--worktree` (behaviour of Codex 0.169)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

import pytest

from pycodex_exec._project import create_worktree, trust_project
from pycodex_exec.errors import ExecError


def _repo(path: Path) -> Path:
    path.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=path, check=True)
    return path


def test_trust_writes_the_git_root_keeping_comments(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('# mine\nmodel = "m"\n', encoding="utf-8")
    repo = _repo(tmp_path / "repo")
    (repo / "sub").mkdir()
    assert trust_project(repo / "sub", home) == repo
    text = (home / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# mine\n")
    assert tomllib.loads(text)["projects"][str(repo)]["trust_level"] == "trusted"
    assert trust_project(tmp_path, home) is None  # outside a repository nothing is written


def test_trust_does_not_override_untrusted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    repo = _repo(tmp_path / "repo")
    (home / "config.toml").write_text(f'[projects."{repo}"]\ntrust_level = "untrusted"\n', encoding="utf-8")
    with pytest.raises(ExecError, match=f"^Error: {repo} is marked as untrusted. Update its trust setting first.$"):
        trust_project(repo, home)


def test_worktree_outside_git_fails_as_codex(tmp_path: Path) -> None:
    with pytest.raises(ExecError, match="^Error: git command failed: fatal: not a git repository"):
        create_worktree(tmp_path, tmp_path)

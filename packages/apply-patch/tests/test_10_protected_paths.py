"""Issue 10, item 1: `.git`, `.codex`, `.agents` (and `.aws`) stay read-only inside every writable root."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from pycodex_apply_patch import (
    PathNotAllowedError,
    ProtectedPathError,
    WritableRoot,
    apply_patch,
    protected_subpaths,
)


def _patch(*lines: str) -> str:
    return "\n".join(["*** Begin Patch", *lines, "*** End Patch"]) + "\n"


def _tree(root: Path) -> dict[str, bytes | str]:
    out: dict[str, bytes | str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.is_symlink():
            out[rel] = f"-> {os.readlink(path)}"
        elif path.is_dir():
            out[rel] = "dir"
        else:
            out[rel] = path.read_bytes()
    return out


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True, timeout=30)
    (work / "app.py").write_text("print('hi')\n", encoding="utf-8")
    return work


def _refused(patch: str, cwd: Path, roots: list[Path] | None = None) -> ProtectedPathError:
    before = _tree(cwd)
    with pytest.raises(ProtectedPathError) as info:
        apply_patch(patch, cwd=cwd, writable_roots=[WritableRoot.protected(r) for r in (roots or [cwd])])
    assert _tree(cwd) == before, "a refused patch changed files"
    assert isinstance(info.value, PathNotAllowedError)
    return info.value


FSMONITOR = '\tfsmonitor = "touch /tmp/pwned; false"'


def test_git_config_fsmonitor_is_refused(repo: Path) -> None:
    error = _refused(_patch("*** Update File: .git/config", "@@ [core]", f"+{FSMONITOR}"), repo)
    assert error.protected == str(repo / ".git")
    assert "fsmonitor" not in (repo / ".git" / "config").read_text(encoding="utf-8")


def test_git_hook_add_is_refused(repo: Path) -> None:
    _refused(_patch("*** Add File: .git/hooks/pre-commit", "+#!/bin/sh", "+touch /tmp/pwned"), repo)
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()


def test_git_head_delete_is_refused(repo: Path) -> None:
    _refused(_patch("*** Delete File: .git/HEAD"), repo)
    assert (repo / ".git" / "HEAD").is_file()


def test_codex_config_add_is_refused_even_when_codex_dir_is_missing(repo: Path) -> None:
    _refused(_patch("*** Add File: .codex/config.toml", '+sandbox_mode = "danger-full-access"'), repo)
    assert not (repo / ".codex").exists()


def test_home_codex_config_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    (home / ".codex").mkdir(parents=True)
    config = home / ".codex" / "config.toml"
    config.write_text('sandbox_mode = "workspace-write"\n', encoding="utf-8")
    monkeypatch.setenv("HOME", str(home))
    target = Path(os.path.expanduser("~")) / ".codex" / "config.toml"
    patch = _patch(
        f"*** Update File: {target}",
        "@@",
        '-sandbox_mode = "workspace-write"',
        '+sandbox_mode = "danger-full-access"',
    )
    _refused(patch, home)
    assert config.read_text(encoding="utf-8") == 'sandbox_mode = "workspace-write"\n'


@pytest.mark.parametrize("name", [".agents/AGENTS.md", ".aws/credentials", ".codex", ".git"])
def test_every_protected_name_is_refused(repo: Path, name: str) -> None:
    if name == ".git":
        _refused(_patch("*** Delete File: .git"), repo)  # a directory: refused before "is a directory"
    else:
        _refused(_patch(f"*** Add File: {name}", "+x"), repo)


def test_renames_into_and_out_of_git_are_refused(repo: Path) -> None:
    _refused(_patch("*** Update File: app.py", "*** Move to: .git/hooks/post-checkout", "@@", "-print('hi')"), repo)
    _refused(_patch("*** Update File: .git/description", "*** Move to: stolen.txt", "@@", "+x"), repo)
    (repo / "gitfile").write_text("gitdir: elsewhere\n", encoding="utf-8")
    _refused(_patch("*** Update File: gitfile", "*** Move to: .git", "@@", "+x"), repo)


def test_one_protected_hunk_refuses_the_whole_patch(repo: Path) -> None:
    _refused(_patch("*** Add File: fine.txt", "+ok", "*** Add File: .git/info/exclude", "+*"), repo)
    assert not (repo / "fine.txt").exists()


def test_symlinks_into_git_are_refused(repo: Path) -> None:
    (repo / "hooks").symlink_to(".git/hooks")
    (repo / "cfg").symlink_to(".git/config")
    _refused(_patch("*** Add File: hooks/pre-commit", "+x"), repo)
    _refused(_patch("*** Update File: cfg", "@@ [core]", f"+{FSMONITOR}"), repo)


def test_git_symlinked_elsewhere_inside_the_root_is_still_protected(repo: Path) -> None:
    (repo / ".git").rename(repo / "real-git")
    (repo / ".git").symlink_to("real-git")
    _refused(_patch("*** Update File: .git/config", "@@ [core]", f"+{FSMONITOR}"), repo)
    _refused(_patch("*** Delete File: .git"), repo)  # the link itself is protected too


def test_git_file_pointing_to_a_gitdir_protects_both(repo: Path) -> None:
    (repo / ".git").rename(repo / "modules-git")
    (repo / ".git").write_text("gitdir: modules-git\n", encoding="utf-8")
    assert protected_subpaths(repo)[:2] == (str(repo / ".git"), str(repo / "modules-git"))
    _refused(_patch("*** Add File: modules-git/hooks/pre-commit", "+x"), repo)
    _refused(_patch("*** Delete File: .git"), repo)
    _refused(_patch("*** Update File: .git", "@@", "-gitdir: modules-git", "+gitdir: /tmp/evil"), repo)


def test_other_case_spellings_are_refused(repo: Path) -> None:
    _refused(_patch("*** Add File: .GIT/hooks/pre-commit", "+x"), repo)


def test_every_writable_root_is_protected(tmp_path: Path, repo: Path) -> None:
    extra = tmp_path / "extra"
    (extra / ".git").mkdir(parents=True)
    _refused(_patch(f"*** Add File: {extra}/.git/config", "+x"), repo, [repo, extra])
    # A nested root does not lift the protection that an enclosing root's entry gives, and vice versa.
    _refused(_patch(f"*** Add File: {repo}/.codex/x", "+x"), tmp_path, [tmp_path, repo])


def test_plain_roots_and_ordinary_paths_still_work(repo: Path) -> None:
    apply_patch(_patch("*** Add File: src/.gitignore", "+*.pyc", "*** Add File: .github/ci.yml", "+on: push"), cwd=repo)
    assert (repo / "src" / ".gitignore").read_text(encoding="utf-8") == "*.pyc\n"
    protected = [WritableRoot.protected(repo)]
    apply_patch(_patch("*** Add File: docs/.codex-notes.md", "+ok"), cwd=repo, writable_roots=protected)
    assert (repo / "docs" / ".codex-notes.md").is_file()
    # Without read-only sub-paths (the standalone tool's default) `.git` is an ordinary directory.
    apply_patch(_patch("*** Add File: .git/info/extra", "+x"), cwd=repo)
    assert (repo / ".git" / "info" / "extra").is_file()


def test_protected_subpaths_never_reads_a_fifo_or_device(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / ".git")
    assert protected_subpaths(tmp_path) == tuple(str(tmp_path / n) for n in (".git", ".agents", ".codex", ".aws"))
    other = tmp_path / "other"
    other.mkdir()
    (other / ".git").symlink_to("/dev/zero")
    assert len(protected_subpaths(other)) == 4


def test_writable_root_value_semantics(tmp_path: Path) -> None:
    root = WritableRoot.protected(tmp_path)
    assert root == WritableRoot(tmp_path, protected_subpaths(tmp_path))
    assert hash(root) == hash(WritableRoot(str(tmp_path), protected_subpaths(tmp_path)))
    assert "read_only_subpaths" in repr(root)


def test_a_directory_swapped_for_a_link_after_verification_is_refused(repo: Path) -> None:
    from pycodex_apply_patch import PatchIOError, apply_plan, parse_patch, plan_patch

    (repo / "d").mkdir()
    roots = [WritableRoot.protected(repo)]
    plan = plan_patch(parse_patch(_patch("*** Add File: d/pre-commit", "+#!/bin/sh")), cwd=repo, writable_roots=roots)
    (repo / "d").rmdir()
    (repo / "d").symlink_to(".git/hooks")  # a process beside the agent races the apply
    with pytest.raises(PatchIOError, match="changed since the patch was verified"):
        apply_plan(plan)
    assert not (repo / ".git" / "hooks" / "pre-commit").exists()

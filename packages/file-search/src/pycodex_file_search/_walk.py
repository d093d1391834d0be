"""List the files under a root as the user's tools see them: `.gitignore`d paths left out.

Inside a git work tree, `git ls-files` does the listing (tracked plus untracked, ignored ones
left out, all in C); elsewhere, or when git is missing, a directory walk applies `.gitignore`
and `.ignore` files level by level with `pathspec`, as ripgrep-style walkers do.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pathspec

logger = logging.getLogger(__name__)

__all__ = ["list_files"]

_ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn", ".jj"})
_IGNORE_FILES = (".gitignore", ".ignore")
_GIT_TIMEOUT_S = 20.0


def list_files(root: Path, *, respect_gitignore: bool = True, max_files: int = 2_000_000) -> list[str]:
    """Relative paths (with `/`) of the regular files under `root`, at most `max_files` of them.

    Args:
        root: The directory to list.
        respect_gitignore: Leave out what `.gitignore` / `.ignore` files exclude.
        max_files: A cap, so an enormous tree cannot grow memory without bound.
    """
    if respect_gitignore:
        listed = _git_ls_files(root, max_files)
        if listed is not None:
            return listed
    out: list[str] = []
    for path in _walk(root, respect_gitignore):
        out.append(path)
        if len(out) >= max_files:
            break
    return out


def _git_ls_files(root: Path, max_files: int) -> list[str] | None:
    git = shutil.which("git")
    if git is None or not _inside_git(root):
        return None
    argv = [git, "-c", "core.quotepath=off", "ls-files", "-z", "--cached", "--others", "--exclude-standard"]
    try:
        done = subprocess.run(
            argv, cwd=root, capture_output=True, timeout=_GIT_TIMEOUT_S, check=False, stdin=subprocess.DEVNULL
        )
    except (OSError, subprocess.TimeoutExpired):
        logger.debug("git ls-files failed in %s", root, exc_info=True)
        return None
    if done.returncode != 0:
        return None
    seen: set[str] = set()
    out: list[str] = []
    for raw in done.stdout.split(b"\0"):
        if not raw:
            continue
        name = raw.decode("utf-8", errors="surrogateescape")
        if name in seen:  # a file with merge conflicts is listed once per stage
            continue
        seen.add(name)
        out.append(name)
        if len(out) >= max_files:
            break
    # Deleted-but-tracked files are still listed by --cached; keep only what exists.
    return [p for p in out if os.path.lexists(os.path.join(root, p))] if len(out) < 50_000 else out


def _inside_git(root: Path) -> bool:
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            return True
    return False


def _read_spec(directory: str) -> pathspec.GitIgnoreSpec | None:
    lines: list[str] = []
    for name in _IGNORE_FILES:
        try:
            with open(os.path.join(directory, name), encoding="utf-8", errors="replace") as fh:
                lines += fh.read(1_000_000).splitlines()
        except OSError:
            continue
    if not lines:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def _walk(root: Path, respect_gitignore: bool) -> Iterator[str]:
    """Depth-first walk yielding relative file paths; symlinked directories are not followed."""
    # Each stack entry: (absolute dir, relative prefix, ignore specs in force with their base prefix).
    stack: list[tuple[str, str, tuple[tuple[str, pathspec.GitIgnoreSpec], ...]]] = [(str(root), "", ())]
    while stack:
        directory, prefix, specs = stack.pop()
        if respect_gitignore:
            spec = _read_spec(directory)
            if spec is not None:
                specs = (*specs, (prefix, spec))
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in sorted(entries, key=lambda e: e.name, reverse=True):
            rel = prefix + entry.name
            try:
                mode = entry.stat(follow_symlinks=False).st_mode
            except OSError:
                continue
            is_dir = stat.S_ISDIR(mode)
            if is_dir and entry.name in _ALWAYS_SKIPPED:
                continue
            if specs and _ignored(specs, rel, is_dir):
                continue
            if is_dir:
                stack.append((entry.path, rel + "/", specs))
            elif stat.S_ISREG(mode) or stat.S_ISLNK(mode):
                yield rel


def _ignored(specs: tuple[tuple[str, pathspec.GitIgnoreSpec], ...], rel: str, is_dir: bool) -> bool:
    verdict = False
    for base, spec in specs:
        sub = rel[len(base) :] + ("/" if is_dir else "")
        result = spec.check_file(sub)
        if result.include is not None:
            verdict = result.include
    return verdict

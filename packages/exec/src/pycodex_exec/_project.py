"""`codex exec --trust` and `--worktree`, as Codex 0.169 does them.

- `--trust` writes `[projects."<git root>"] trust_level = "trusted"` into `$CODEX_HOME/config.toml`
  (comments kept) before the config is loaded, so the run already counts as trusted. Outside a
  Git repository nothing is written. A project marked `untrusted` stays so: the run stops.
- `--worktree` makes a fresh detached worktree of the repository's `HEAD` under
  `$CODEX_HOME/worktrees/<4 hex>/<repository directory name>` and runs there (in the same
  subdirectory the command was started in).
"""

from __future__ import annotations

import secrets
import subprocess
import tomllib
from pathlib import Path

from .errors import ExecError

__all__ = ["create_worktree", "trust_project"]


def _git_root(cwd: Path) -> Path | None:
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _current_trust(config_toml: Path, root: Path) -> object:
    try:
        document = tomllib.loads(config_toml.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None  # the config load that follows reports a broken file
    projects = document.get("projects")
    entry = projects.get(str(root)) if isinstance(projects, dict) else None
    return entry.get("trust_level") if isinstance(entry, dict) else None


def trust_project(cwd: Path, codex_home: Path) -> Path | None:
    """Mark the Git repository holding `cwd` as trusted; return its root (`None` outside a repository).

    Raises:
        ExecError: The project is marked untrusted, or config.toml cannot be written.
    """
    root = _git_root(cwd.resolve())
    if root is None:
        return None
    config_toml = codex_home / "config.toml"
    level = _current_trust(config_toml, root)
    if level == "untrusted":
        raise ExecError(f"Error: {root} is marked as untrusted. Update its trust setting first.")
    if level == "trusted":
        return root
    from pycodex_config import ConfigEditor, ConfigError

    try:
        editor = ConfigEditor(config_toml)
        editor.set(["projects", str(root), "trust_level"], "trusted")
        editor.save()
    except (ConfigError, OSError) as exc:
        raise ExecError(f"Error: could not save trust for {root}: {exc}") from None
    return root


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=120
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise ExecError(f"Error: git command failed: {exc}") from None
    if done.returncode != 0:
        raise ExecError(f"Error: git command failed: {done.stderr.strip()}")
    return done.stdout.strip()


def create_worktree(cwd: Path, codex_home: Path) -> Path:
    """Add a detached worktree of `HEAD` for the repository of `cwd`; return the matching directory in it.

    Raises:
        ExecError: `cwd` is not in a Git repository with a commit, or `git worktree add` failed.
    """
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd.resolve()))
    relative = cwd.resolve().relative_to(top.resolve())
    parent = codex_home / "worktrees"
    for _ in range(16):
        slot = parent / secrets.token_hex(2)
        if not slot.exists():
            break
    else:
        raise ExecError(f"Error: no free worktree directory under {parent}")
    slot.mkdir(parents=True)
    path = slot / top.name
    _git(["worktree", "add", "--detach", str(path), "HEAD"], top)
    return path / relative

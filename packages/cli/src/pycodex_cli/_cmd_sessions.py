"""`codex archive|unarchive|delete SESSION`: manage saved sessions on disk, as Codex 0.169 does.

- `archive` moves `sessions/YYYY/MM/DD/rollout-*-<id>.jsonl` to `archived_sessions/` (flat).
- `unarchive` moves it back under `sessions/` (by the date in its file name).
- `delete` removes it (active or archived); without a terminal to confirm on it needs
  `--force` and the session's UUID.

SESSION is a thread id (UUID) or a thread name from `session_index.jsonl`. Only files inside
`$CODEX_HOME/sessions` and `$CODEX_HOME/archived_sessions` are ever moved or deleted.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import uuid
from pathlib import Path

from pycodex_cli import _common

__all__ = ["archive", "delete", "unarchive"]

_DATE = re.compile(r"^rollout-(\d{4})-(\d{2})-(\d{2})T")


def _parser(name: str, summary: str) -> argparse.ArgumentParser:
    p = _common.parser(f"codex {name}", summary, session=True)
    p.add_argument("session", metavar="SESSION", help="session id (UUID) or session name")
    if name == "delete":
        p.add_argument("--force", action="store_true", help="delete without asking (needs the session UUID)")
    return p


def _home() -> Path:
    from pycodex_config import ConfigError, find_codex_home

    try:
        return find_codex_home()
    except ConfigError as exc:
        sys.stderr.write(f"Error: {exc}\n")
        raise SystemExit(1) from None


def _thread_id(home: Path, session: str) -> str | None:
    """The thread id `session` names: itself when it is a UUID, else the last match in the name index."""
    try:
        return str(uuid.UUID(session))
    except ValueError:
        pass
    found: str | None = None
    try:
        lines = (home / "session_index.jsonl").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    for raw in lines:
        try:
            entry = json.loads(raw)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("thread_name") == session and isinstance(entry.get("id"), str):
            found = str(entry["id"])
    return found


def _find(home: Path, thread_id: str | None, *, archived: bool) -> Path | None:
    if thread_id is None:
        return None
    pattern = f"rollout-*-{thread_id}.jsonl"
    root = home / ("archived_sessions" if archived else "sessions")
    found = sorted(root.glob(pattern if archived else f"*/*/*/{pattern}")) if root.is_dir() else []
    files = [p for p in found if p.is_file() and not p.is_symlink()]
    return files[-1] if files else None


def _fail(text: str) -> int:
    sys.stderr.write(f"Error: {text}\n")
    return 1


def _move(source: Path, target: Path, verb: str) -> int:
    if target.exists():
        return _fail(f"failed to {verb} session")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        source.rename(target)
    except OSError as exc:
        return _fail(f"failed to {verb} session: {exc.strerror or exc}")
    return 0


def archive(argv: list[str]) -> int:
    """`codex archive SESSION`."""
    ns = _parser("archive", "Archive a saved session by id or session name").parse_args(argv)
    home = _home()
    thread_id = _thread_id(home, ns.session)
    path = _find(home, thread_id, archived=False)
    if path is None:
        if _find(home, thread_id, archived=True) is not None:
            return _fail("failed to archive session")
        return _fail(f"No active session found matching '{ns.session}'.")
    status = _move(path, home / "archived_sessions" / path.name, "archive")
    if status == 0:
        sys.stdout.write(f"Archived session {thread_id}.\n")
    return status


def unarchive(argv: list[str]) -> int:
    """`codex unarchive SESSION`."""
    ns = _parser("unarchive", "Unarchive a saved session by id or session name").parse_args(argv)
    home = _home()
    thread_id = _thread_id(home, ns.session)
    path = _find(home, thread_id, archived=True)
    if path is None:
        return _fail(f"No archived session found matching '{ns.session}'.")
    date = _DATE.match(path.name)
    if date is None:
        return _fail("failed to unarchive session: the file name has no date")
    status = _move(path, home / "sessions" / date[1] / date[2] / date[3] / path.name, "unarchive")
    if status == 0:
        sys.stdout.write(f"Unarchived session {thread_id}.\n")
    return status


def _confirm(thread_id: str) -> bool | None:
    """Ask on the terminal; `None` when there is no terminal to ask on."""
    if not (sys.stdin.isatty() and sys.stderr.isatty()):
        return None
    sys.stderr.write(f"Permanently delete session {thread_id}? [y/N] ")
    sys.stderr.flush()
    return sys.stdin.readline().strip().lower() in ("y", "yes")


def delete(argv: list[str]) -> int:
    """`codex delete [--force] SESSION`."""
    ns = _parser("delete", "Permanently delete a saved session by id or session name").parse_args(argv)
    home = _home()
    thread_id = _thread_id(home, ns.session)
    path = _find(home, thread_id, archived=False) or _find(home, thread_id, archived=True)
    if path is None or thread_id is None:
        return _fail(f"No session found matching '{ns.session}'.")
    if ns.force:
        if thread_id != ns.session.strip().lower():
            return _fail("--force needs the session UUID, not its name")
    else:
        answer = _confirm(thread_id)
        if answer is None:
            return _fail(
                "cannot confirm session deletion without an interactive terminal; rerun with --force and a session UUID"
            )
        if not answer:
            sys.stderr.write("Not deleted.\n")
            return 1
    try:
        path.unlink()
    except OSError as exc:
        return _fail(f"failed to delete session: {exc.strerror or exc}")
    sys.stdout.write(f"Deleted session {thread_id}.\n")
    return 0

"""The saved sessions, listed from an index so the resume picker opens at once with thousands of them.

The index (`$CODEX_HOME/tui_session_index.sqlite`) keeps, per rollout file, its size and
modification time and what the picker shows (id, cwd, branch, source, first user message).
Listing stats the rollout files (cheap) and reads the head of only those that are new or changed
since the last listing.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

from ._json import as_list, as_map

logger = logging.getLogger(__name__)

__all__ = ["SessionInfo", "SessionIndex"]

_HEAD_CAP = 2 * 1024 * 1024
_CHUNK = 64 * 1024
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS sessions (path TEXT PRIMARY KEY, mtime REAL, size INTEGER, id TEXT, "
    "cwd TEXT, branch TEXT, source TEXT, created TEXT, preview TEXT)"
)
_CONTEXT_PREFIXES = ("<environment_context>", "# AGENTS.md instructions", "<user_instructions>", "<turn_aborted>")


class SessionInfo(NamedTuple):
    """One saved session as the picker shows it (a tuple: thousands are built for each listing)."""

    file: str
    """The rollout file."""
    id: str
    cwd: str
    branch: str
    source: str
    created: str
    updated: float
    """Modification time of the rollout (unix seconds)."""
    preview: str
    """The first user message, on one line."""

    @property
    def path(self) -> Path:
        """The rollout file as a path."""
        return Path(self.file)

    @property
    def interactive(self) -> bool:
        """Whether the session came from the interactive front end (not `codex exec`)."""
        return self.source not in ("exec", "mcp")


def _rollouts(root: Path) -> Iterator[os.DirEntry[str]]:
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            elif entry.name.startswith("rollout-") and entry.name.endswith(".jsonl"):
                yield entry


def user_text(payload: Mapping[str, Any]) -> str | None:
    """The text of a user message item or event, unless it is injected context (environment, AGENTS.md)."""
    if payload.get("type") == "user_message":
        text = payload.get("message")
        return str(text) if isinstance(text, str) else None
    if payload.get("type") == "message" and payload.get("role") == "user":
        text = "".join(str(as_map(p).get("text", "")) for p in as_list(payload.get("content")))
        return None if text.lstrip().startswith(_CONTEXT_PREFIXES) else text
    return None


def _lines(path: Path) -> Iterator[bytes]:
    """The rollout's lines, read 64 KiB at a time, at most `_HEAD_CAP` bytes in all."""
    try:
        with path.open("rb") as fh:
            rest = b""
            read = 0
            while read < _HEAD_CAP:
                chunk = fh.read(_CHUNK)
                if not chunk:
                    break
                read += len(chunk)
                *lines, rest = (rest + chunk).split(b"\n")
                yield from lines
            if rest and read < _HEAD_CAP:
                yield rest
    except OSError:
        return


def read_head(path: Path) -> dict[str, str]:
    """What the picker needs from a rollout: meta fields and the first user message.

    Reading stops at the first user message, so a long session costs only its first lines.
    """
    info = {"id": "", "cwd": "", "branch": "", "source": "", "created": "", "preview": ""}
    for raw in _lines(path):
        try:
            line: Any = json.loads(raw)
        except ValueError:
            continue
        row = as_map(line)
        p = as_map(row.get("payload"))
        if not p:
            continue
        if row.get("type") == "session_meta" and not info["id"]:
            git = as_map(p.get("git"))
            source = p.get("source")
            info.update(
                id=str(p.get("id") or ""),
                cwd=str(p.get("cwd") or ""),
                branch=str(git.get("branch") or ""),
                source=source if isinstance(source, str) else "subagent",
                created=str(p.get("timestamp") or ""),
            )
            continue
        text = user_text(p)
        if text and text.strip():
            info["preview"] = " ".join(text.split())[:400]
            break
    return info


class SessionIndex:
    """The sessions under `$CODEX_HOME/sessions`, with a persistent index."""

    def __init__(self, codex_home: Path) -> None:
        self.codex_home = codex_home
        self.db_path = codex_home / "tui_session_index.sqlite"

    def _connect(self) -> sqlite3.Connection | None:
        try:
            self.codex_home.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.db_path, timeout=2)
            conn.execute(_SCHEMA)
            return conn
        except sqlite3.Error:
            logger.warning("session index %s unusable; listing without it", self.db_path, exc_info=True)
            return None

    def list(self) -> list[SessionInfo]:
        """Every session, newest first; the index is brought up to date on the way."""
        conn = self._connect()
        cached: dict[str, tuple[Any, ...]] = {}
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                for row in conn.execute("SELECT * FROM sessions"):
                    cached[row[0]] = row
        out: list[SessionInfo] = []
        fresh: list[tuple[Any, ...]] = []
        seen: set[str] = set()
        for entry in _rollouts(self.codex_home / "sessions"):
            try:
                st = entry.stat()
            except OSError:
                continue
            seen.add(entry.path)
            row = cached.get(entry.path)
            if row is None or row[1] != st.st_mtime or row[2] != st.st_size:
                head = read_head(Path(entry.path))
                row = (entry.path, st.st_mtime, st.st_size, head["id"], head["cwd"], head["branch"], head["source"])
                row += (head["created"], head["preview"])
                fresh.append(row)
            out.append(SessionInfo(row[0], row[3], row[4], row[5], row[6], row[7], row[1], row[8]))
        if conn is not None:
            self._save(conn, fresh, [p for p in cached if p not in seen])
        out.sort(key=lambda s: s.updated, reverse=True)
        return out

    def _save(self, conn: sqlite3.Connection, fresh: list[tuple[Any, ...]], gone: list[str]) -> None:
        try:
            with conn:
                conn.executemany("INSERT OR REPLACE INTO sessions VALUES (?,?,?,?,?,?,?,?,?)", fresh)
                conn.executemany("DELETE FROM sessions WHERE path = ?", [(p,) for p in gone])
        except sqlite3.Error:
            logger.warning("could not update %s", self.db_path, exc_info=True)
        finally:
            conn.close()

    def cached(self) -> list[SessionInfo]:
        """What the index held at the last listing, newest first, without touching the rollouts."""
        conn = self._connect()
        if conn is None:
            return []
        try:
            rows = list(conn.execute("SELECT * FROM sessions ORDER BY mtime DESC"))
        except sqlite3.Error:
            return []
        finally:
            conn.close()
        return [SessionInfo(r[0], r[3], r[4], r[5], r[6], r[7], r[1], r[8]) for r in rows]

    def select(
        self, *, cwd: str | None, include_non_interactive: bool = False, sessions: list[SessionInfo] | None = None
    ) -> list[SessionInfo]:
        """Sessions for the picker: of `cwd` unless it is `None`, interactive ones unless asked."""
        rows = self.list() if sessions is None else sessions
        return [
            s for s in rows if (cwd is None or s.cwd == cwd) and (include_non_interactive or s.interactive) and s.id
        ]

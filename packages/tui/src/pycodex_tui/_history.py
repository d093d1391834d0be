"""`$CODEX_HOME/history.jsonl`: the prompts of every interactive session, in Codex's format.

One line per submitted prompt, `{"session_id": ..., "ts": <unix seconds>, "text": ...}`, file
mode 0600, appended with a single `write` on an `O_APPEND` descriptor under an advisory lock
(10 tries, 100 ms apart), so Codex and pycodex can share the file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import time
from pathlib import Path
from typing import Any

from ._json import as_map

logger = logging.getLogger(__name__)

__all__ = ["PromptHistory"]

_LOCK_TRIES = 10
_LOCK_WAIT_S = 0.1
_READ_CAP = 4 * 1024 * 1024
"""Only the newest 4 MiB of the file are read for Up-arrow recall."""


def _lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return True
    for _ in range(_LOCK_TRIES):
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            time.sleep(_LOCK_WAIT_S)
    return False


class PromptHistory:
    """Up/Down recall over this session's prompts and those saved in `history.jsonl`."""

    def __init__(self, codex_home: Path, *, persist: bool = True, max_bytes: int | None = None) -> None:
        self.path = codex_home / "history.jsonl"
        self.persist = persist
        self.max_bytes = max_bytes
        self._saved: list[str] | None = None
        self._session: list[str] = []
        self.cursor: int | None = None
        """Index into `entries()` while browsing; `None` when not browsing."""
        self.draft = ""

    def _load(self) -> list[str]:
        if self._saved is None:
            self._saved = self._read()
        return self._saved

    def _read(self) -> list[str]:
        try:
            with self.path.open("rb") as fh:
                size = fh.seek(0, os.SEEK_END)
                fh.seek(max(size - _READ_CAP, 0))
                data = fh.read(_READ_CAP)
        except OSError:
            return []
        lines = data.split(b"\n")
        if len(data) >= _READ_CAP:
            lines = lines[1:]  # the first line may be cut
        out: list[str] = []
        for raw in lines:
            try:
                entry: Any = json.loads(raw)
            except ValueError:
                continue
            text = as_map(entry).get("text")
            if isinstance(text, str):
                out.append(text)
        return out

    def entries(self) -> list[str]:
        """Saved prompts then this session's, oldest first, without consecutive duplicates."""
        out: list[str] = []
        for text in [*self._load(), *self._session]:
            if not out or out[-1] != text:
                out.append(text)
        return out

    def append(self, text: str, session_id: str) -> None:
        """Remember `text` for this session and append it to `history.jsonl`."""
        if not text.strip():
            return
        self._session.append(text)
        self.cursor = None
        if not self.persist:
            return
        line = json.dumps({"session_id": session_id, "ts": int(time.time()), "text": text}, ensure_ascii=False)
        data = (line + "\n").encode("utf-8", "surrogatepass")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        except OSError:
            logger.warning("cannot open %s", self.path, exc_info=True)
            return
        try:
            with contextlib.suppress(OSError):
                os.fchmod(fd, 0o600)
            if _lock(fd):
                os.write(fd, data)
                self._trim(fd)
        except OSError:
            logger.warning("cannot append to %s", self.path, exc_info=True)
        finally:
            os.close(fd)

    def _trim(self, fd: int) -> None:
        """With `[history] max_bytes`, drop the oldest lines down to 80 % of it."""
        if not self.max_bytes or os.fstat(fd).st_size <= self.max_bytes:
            return
        data = self.path.read_bytes()
        keep = data[len(data) - int(self.max_bytes * 0.8) :]
        keep = keep[keep.find(b"\n") + 1 :]
        tmp = self.path.with_suffix(".jsonl.tmp")
        tmp.write_bytes(keep)
        os.chmod(tmp, 0o600)
        os.replace(tmp, self.path)

    def older(self, current: str) -> str | None:
        """The entry before the one shown (the draft is kept to come back to)."""
        items = self.entries()
        if not items:
            return None
        if self.cursor is None:
            self.draft = current
            self.cursor = len(items)
        if self.cursor == 0:
            return None
        self.cursor -= 1
        return items[self.cursor]

    def newer(self) -> str | None:
        """The entry after the one shown, then the draft; `None` when not browsing."""
        if self.cursor is None:
            return None
        items = self.entries()
        self.cursor += 1
        if self.cursor >= len(items):
            self.cursor = None
            return self.draft
        return items[self.cursor]

    def search(self, needle: str, before: int | None = None) -> tuple[int, str] | None:
        """The newest entry containing `needle` before index `before` (Ctrl-R)."""
        items = self.entries()
        end = len(items) if before is None else before
        for i in range(end - 1, -1, -1):
            if needle.lower() in items[i].lower():
                return i, items[i]
        return None

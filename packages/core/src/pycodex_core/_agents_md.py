"""AGENTS.md discovery: the global file in CODEX_HOME, then one file per directory from the project root to cwd."""

from __future__ import annotations

import logging
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex_config import Config

__all__ = ["discover_agents_files", "load_user_instructions"]

logger = logging.getLogger(__name__)

_OVERRIDE = "AGENTS.override.md"
_DEFAULT = "AGENTS.md"
_PROJECT_SEPARATOR = "\n\n--- project-doc ---\n\n"


_MAX_READ_BYTES = 4 * 1024 * 1024
"""The most of one instruction file ever read (the project budget cuts project files much shorter)."""


def _read_text(path: Path, limit: int = _MAX_READ_BYTES) -> str | None:
    """The text of `path` (first `limit` bytes), or `None` when it is not a readable regular file.

    The file is opened without blocking and checked before reading, so a FIFO, a device (a link to
    `/dev/zero`) or a socket is skipped instead of hanging or filling memory.
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            logger.warning("skipping %s: not a regular file", path)
            return None
        chunks: list[bytes] = []
        remaining = limit
        while remaining > 0:
            chunk = os.read(fd, min(remaining, 1024 * 1024))
            if not chunk:
                break
            chunks.append(chunk)
            remaining -= len(chunk)
    except OSError:
        return None
    finally:
        os.close(fd)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _global_file(codex_home: Path) -> Path | None:
    for name in (_OVERRIDE, _DEFAULT):
        path = codex_home / name
        text = _read_text(path)
        if text is not None and text.strip():
            return path
    return None


def _project_dirs(cwd: Path, markers: Sequence[str]) -> list[Path]:
    """Directories from the project root (nearest ancestor with a marker) down to cwd."""
    chain = [cwd, *cwd.parents]
    for index, directory in enumerate(chain):
        if any((directory / marker).exists() for marker in markers):
            return list(reversed(chain[: index + 1]))
    return [cwd]


def _project_files(cwd: Path, fallback_names: Sequence[str], markers: Sequence[str]) -> list[Path]:
    names = [_OVERRIDE, _DEFAULT, *[n for n in fallback_names if n not in (_OVERRIDE, _DEFAULT)]]
    found: list[Path] = []
    for directory in _project_dirs(cwd, markers):
        for name in names:
            path = directory / name
            if path.is_file():
                found.append(path)
                break
    return found


def discover_agents_files(config: Config) -> list[Path]:
    """The instruction files a session started with `config` loads, in order.

    The global `$CODEX_HOME/AGENTS.override.md` (or `AGENTS.md`) comes first, then for each
    directory from the project root (the nearest ancestor of cwd holding `.git`) down to cwd the
    first of `AGENTS.override.md`, `AGENTS.md` and `project_doc_fallback_filenames` that exists.
    Whitespace-only project files are left out; with `project_doc_max_bytes = 0` no project file
    is loaded.

    Args:
        config: A `pycodex_config.Config`.

    Returns:
        Absolute paths of the files, global file first.
    """
    files: list[Path] = []
    global_file = _global_file(Path(config.codex_home))
    if global_file is not None:
        files.append(global_file)
    if config.project_doc_max_bytes <= 0:
        return files
    cwd = Path(config.cwd).resolve()
    fallback = list(config.project_doc_fallback_filenames)
    markers = list(config.project_root_markers)  # `[]`: the cwd alone, as in Codex
    for path in _project_files(cwd, fallback, markers):
        text = _read_text(path)
        if text is not None and text.strip():
            files.append(path)
    return files


def load_user_instructions(config: Config) -> str | None:
    """The assembled AGENTS.md text (global, separator, project docs within the byte budget), or `None`."""
    budget = max(0, config.project_doc_max_bytes)
    files = discover_agents_files(config)
    global_text: str | None = None
    if files and files[0] == _global_file(Path(config.codex_home)):
        global_text = (_read_text(files.pop(0)) or "").strip()
    project_parts: list[str] = []
    for path in files:
        data = (_read_text(path) or "").encode("utf-8")
        if len(data) > budget:
            logger.warning("project doc %s truncated to the remaining %d bytes of project_doc_max_bytes", path, budget)
            data = data[:budget]
        budget -= len(data)
        if data:
            project_parts.append(data.decode("utf-8", errors="ignore"))
        if budget <= 0:
            break
    project_text = "\n\n".join(project_parts)
    extra = config.user_instructions
    if extra:
        global_text = f"{global_text}\n\n{extra}" if global_text else str(extra)
    if global_text and project_text:
        return global_text + _PROJECT_SEPARATOR + project_text
    return global_text or project_text or None

"""`history_log_id` / `history_entry_count`: the inode and line count of `$CODEX_HOME/history.jsonl`."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core._history_file import history_metadata
from pycodex_core.testing import ScriptedTransport

ConfigFactory = Callable[..., Config]


def _entry(n: int) -> str:
    return f'{{"session_id":"s","ts":{n},"text":"prompt {n}"}}\n'


@pytest.mark.anyio
async def test_session_configured_reports_the_history_file(make_config: ConfigFactory, codex_home: Path) -> None:
    history = codex_home / "history.jsonl"
    history.write_text("".join(_entry(n) for n in range(3)), encoding="utf-8")
    async with Codex.start(make_config(), transport=ScriptedTransport()) as codex:
        with anyio.fail_after(5):
            configured = (await codex.next_event())["msg"]
    assert configured["type"] == "session_configured"
    assert (configured["history_log_id"], configured["history_entry_count"]) == (history.stat().st_ino, 3)


def test_missing_empty_and_unterminated_files(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    assert history_metadata(path) == (0, 0)
    path.write_bytes(b"")
    assert history_metadata(path) == (path.stat().st_ino, 0)
    path.write_text(_entry(1) + '{"text":"cut', encoding="utf-8")
    assert history_metadata(path) == (path.stat().st_ino, 1)


def test_a_symlinked_file_is_followed(tmp_path: Path) -> None:
    real = tmp_path / "real.jsonl"
    real.write_text(_entry(1) * 2, encoding="utf-8")
    link = tmp_path / "history.jsonl"
    link.symlink_to(real)
    assert history_metadata(link) == (real.stat().st_ino, 2)


@pytest.mark.skipif(sys.platform == "win32", reason="FIFOs are POSIX")
def test_a_fifo_or_a_directory_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "history.jsonl"
    os.mkfifo(fifo)
    assert history_metadata(fifo) == (0, 0)  # returns at once: nothing ever writes to it
    assert history_metadata(tmp_path) == (0, 0)


def test_a_file_past_the_scan_limit_is_counted_by_extrapolation(tmp_path: Path) -> None:
    path = tmp_path / "history.jsonl"
    line = _entry(7)
    path.write_text(line * 1000, encoding="utf-8")
    limit = len(line) * 100
    inode, count = history_metadata(path, scan_limit=limit)
    assert inode == path.stat().st_ino and count == 1000
    assert history_metadata(path, scan_limit=len(line) * 1000) == (inode, 1000)

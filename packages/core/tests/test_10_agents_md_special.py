"""`$CODEX_HOME/AGENTS.md` that is a FIFO or a link to a device is skipped: no hang, no unbounded read."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from pycodex_config import Config
from pycodex_core import load_user_instructions

ConfigFactory = Callable[..., Config]


def _load_within(config: Config, seconds: float = 5.0) -> str | None:
    result: list[str | None] = []
    worker = threading.Thread(target=lambda: result.append(load_user_instructions(config)), daemon=True)
    worker.start()
    worker.join(seconds)
    if worker.is_alive():
        # Unblock the reader so the thread can end, then fail.
        for fifo in Path(config.codex_home).glob("AGENTS*.md"):
            if fifo.is_fifo():
                fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
                os.close(fd)
        pytest.fail("loading AGENTS.md did not finish")
    return result[0]


@pytest.mark.parametrize("name", ["AGENTS.md", "AGENTS.override.md"])
def test_global_fifo_is_skipped(make_config: ConfigFactory, workspace: Path, codex_home: Path, name: str) -> None:
    os.mkfifo(codex_home / name)
    (workspace / "AGENTS.md").write_text("PROJECT\n", encoding="utf-8")
    assert _load_within(make_config(cwd=workspace)) == "PROJECT\n"


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_global_link_to_a_device_is_skipped(
    make_config: ConfigFactory, workspace: Path, codex_home: Path, device: str
) -> None:
    (codex_home / "AGENTS.md").symlink_to(device)
    assert _load_within(make_config(cwd=workspace)) is None


def test_global_override_link_to_zero_falls_back_to_agents_md(
    make_config: ConfigFactory, workspace: Path, codex_home: Path
) -> None:
    (codex_home / "AGENTS.override.md").symlink_to("/dev/zero")
    (codex_home / "AGENTS.md").write_text("GLOBAL\n", encoding="utf-8")
    assert _load_within(make_config(cwd=workspace)) == "GLOBAL"


def test_project_fifo_is_skipped(make_config: ConfigFactory, workspace: Path) -> None:
    os.mkfifo(workspace / "AGENTS.md")
    assert _load_within(make_config(cwd=workspace)) is None

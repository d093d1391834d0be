"""Fixtures of the end-to-end tests of `codex exec`."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from e2e_support import Env


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def env(tmp_path: Path) -> Env:
    home = tmp_path / "home"
    work = tmp_path / "work"
    home.mkdir()
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


@pytest.fixture
def var_tmp() -> Iterator[Path]:
    """A scratch directory under /var/tmp: Codex refuses part of its start-up when CODEX_HOME is under /tmp."""
    path = Path(tempfile.mkdtemp(prefix="pycodex-e2e-", dir="/var/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)

"""Fixtures of the differential tests against Codex 0.169's `apply_patch`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from differential_support import codex_binary


@pytest.fixture(scope="module")
def codex_apply_patch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A symlink named `apply_patch` to Codex's binary, which then runs its patcher."""
    link = tmp_path_factory.mktemp("codexbin") / "apply_patch"
    link.symlink_to(codex_binary())
    return link

"""`project_root_markers` decides where AGENTS.md discovery starts (checked against Codex 0.169)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pycodex_config import Config
from pycodex_core import discover_agents_files

ConfigFactory = Callable[..., Config]


def test_markers_choose_the_project_root(make_config: ConfigFactory, workspace: Path) -> None:
    (workspace / ".git").mkdir()
    (workspace / "AGENTS.md").write_text("ROOT\n", encoding="utf-8")
    inner = workspace / "p"
    (inner / ".hg").mkdir(parents=True)
    (inner / "AGENTS.md").write_text("P\n", encoding="utf-8")
    sub = inner / "sub"
    sub.mkdir()
    (sub / "AGENTS.md").write_text("SUB\n", encoding="utf-8")
    assert discover_agents_files(make_config(cwd=sub)) == [
        workspace / "AGENTS.md",
        inner / "AGENTS.md",
        sub / "AGENTS.md",
    ]
    hg = make_config(cwd=sub, overrides=('project_root_markers=[".hg"]',))
    assert discover_agents_files(hg) == [inner / "AGENTS.md", sub / "AGENTS.md"]
    # `project_root_markers = []`: only the cwd's own file.
    assert discover_agents_files(make_config(cwd=sub, overrides=("project_root_markers=[]",))) == [sub / "AGENTS.md"]

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pycodex_config import Config
from pycodex_core import Codex, discover_agents_files, load_user_instructions
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, response

ConfigFactory = Callable[..., Config]


def _tree(workspace: Path, codex_home: Path) -> Path:
    (workspace / ".git").mkdir()
    (codex_home / "AGENTS.md").write_text("GLOBAL RULE\n", encoding="utf-8")
    (workspace / "AGENTS.md").write_text("# Root rules\nbe nice\n", encoding="utf-8")
    sub = workspace / "sub"
    (sub / "deep").mkdir(parents=True)
    (sub / "AGENTS.md").write_text("SUB PLAIN\n", encoding="utf-8")
    (sub / "AGENTS.override.md").write_text("SUB OVERRIDE\n", encoding="utf-8")
    (sub / "deep" / "AGENTS.md").write_text("DEEP RULE\n", encoding="utf-8")
    return sub / "deep"


def test_agents_chain(make_config: ConfigFactory, workspace: Path, codex_home: Path) -> None:
    deep = _tree(workspace, codex_home)
    config = make_config(cwd=deep)
    assert discover_agents_files(config) == [
        codex_home / "AGENTS.md",
        workspace / "AGENTS.md",
        workspace / "sub" / "AGENTS.override.md",
        deep / "AGENTS.md",
    ]
    assert load_user_instructions(config) == (
        "GLOBAL RULE\n\n--- project-doc ---\n\n# Root rules\nbe nice\n\n\nSUB OVERRIDE\n\n\nDEEP RULE\n"
    )


def test_agents_budget_and_fallback(make_config: ConfigFactory, workspace: Path) -> None:
    (workspace / ".git").mkdir()
    (workspace / "CLAUDE.md").write_text("0123456789", encoding="utf-8")
    config = make_config(overrides=('project_doc_fallback_filenames=["CLAUDE.md"]', "project_doc_max_bytes=4"))
    assert discover_agents_files(config) == [workspace / "CLAUDE.md"]
    assert load_user_instructions(config) == "0123"
    assert load_user_instructions(make_config(overrides=("project_doc_max_bytes=0",))) is None


@pytest.mark.anyio
async def test_agents_text_in_first_request(make_config: ConfigFactory, workspace: Path, codex_home: Path) -> None:
    deep = _tree(workspace, codex_home)
    transport = ScriptedTransport([response(assistant_message("ok"))])
    async with Codex.start(make_config(cwd=deep), transport=transport) as codex:
        await collect_turn(codex, "hi")
    part = transport.requests[0]["input"][2]["content"][0]["text"]
    assert part.startswith(f"# AGENTS.md instructions for {deep}\n\n<INSTRUCTIONS>\nGLOBAL RULE")
    assert part.endswith("DEEP RULE\n\n</INSTRUCTIONS>")

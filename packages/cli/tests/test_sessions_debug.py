"""`codex archive|unarchive|delete` and `codex debug models|prompt-input` (outputs as Codex 0.169's)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

THREAD = "01a233cd-54d1-7281-a596-88be578cc16c"
NAME = f"rollout-2026-12-01T22-50-24-{THREAD}.jsonl"


def _codex(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
    env["CODEX_HOME"] = str(home)
    return subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args],
        capture_output=True, text=True, encoding="utf-8", env=env, stdin=subprocess.DEVNULL, timeout=60, cwd=home,
    )  # fmt: skip


def _session(home: Path) -> Path:
    day = home / "sessions" / "2026" / "12" / "01"
    day.mkdir(parents=True)
    path = day / NAME
    path.write_text('{"type":"session_meta","payload":{"id":"' + THREAD + '"}}\n', encoding="utf-8")
    return path


def test_archive_unarchive_delete(tmp_path: Path) -> None:
    path = _session(tmp_path)
    done = _codex(tmp_path, "archive", THREAD)
    assert (done.returncode, done.stdout) == (0, f"Archived session {THREAD}.\n")
    assert not path.exists() and (tmp_path / "archived_sessions" / NAME).is_file()
    again = _codex(tmp_path, "archive", THREAD)
    assert (again.returncode, again.stderr) == (1, "Error: failed to archive session\n")
    done = _codex(tmp_path, "unarchive", THREAD)
    assert (done.returncode, done.stdout, path.is_file()) == (0, f"Unarchived session {THREAD}.\n", True)
    refused = _codex(tmp_path, "delete", THREAD)
    assert refused.returncode == 1 and "rerun with --force and a session UUID" in refused.stderr and path.is_file()
    done = _codex(tmp_path, "delete", "--force", THREAD)
    assert (done.returncode, done.stdout, path.exists()) == (0, f"Deleted session {THREAD}.\n", False)
    missing = _codex(tmp_path, "archive", "nosuch")
    assert (missing.returncode, missing.stderr) == (1, "Error: No active session found matching 'nosuch'.\n")


def test_session_names_resolve_through_the_index(tmp_path: Path) -> None:
    _session(tmp_path)
    (tmp_path / "session_index.jsonl").write_text(
        json.dumps({"id": THREAD, "thread_name": "fix-ci"}) + "\n", encoding="utf-8"
    )
    assert _codex(tmp_path, "archive", "fix-ci").returncode == 0
    assert (tmp_path / "archived_sessions" / NAME).is_file()
    # --force needs the UUID, never a name.
    assert _codex(tmp_path, "delete", "--force", "fix-ci").returncode == 1


def test_debug_models_and_prompt_input(tmp_path: Path) -> None:
    models = _codex(tmp_path, "debug", "models")
    assert models.returncode == 0
    slugs = {m["slug"]: m for m in json.loads(models.stdout)["models"]}
    assert slugs["gpt-5.5"]["context_window"] > 0 and "truncation_policy" in slugs["gpt-5.5"]
    (tmp_path / "AGENTS.md").write_text("GLOBAL RULE\n", encoding="utf-8")
    shown = _codex(tmp_path, "-c", 'model="gpt-5.5"', "debug", "prompt-input", "hello there")
    assert shown.returncode == 0, shown.stderr
    items = json.loads(shown.stdout)
    assert [i["role"] for i in items][-1] == "user"
    assert items[-1]["content"][-1]["text"] == "hello there"
    assert any("GLOBAL RULE" in p.get("text", "") for i in items for p in i["content"])

"""The scripted server drives the real Codex 0.169 binary (marker `codex`; fails when the binary is missing)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from pycodex_test_support import ScriptedServer, http_error, sse_turn, text_message_events

pytestmark = pytest.mark.codex


def real_codex() -> Path:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    root = Path(__file__).resolve().parents[3] / ".codex-ref" / "node_modules" / "@openai" / "codex-linux-x64"
    found = sorted(root.rglob("codex")) if root.is_dir() else []
    found = [p for p in found if p.is_file()]
    if not found:
        pytest.fail(
            "real Codex binary not found: set PYCODEX_REAL_CODEX or run "
            "`npm install --prefix .codex-ref @openai/codex@0.169.0`"
        )
    return found[0]


def test_codex_exec_against_scripted_server() -> None:
    codex = real_codex()
    home = Path(tempfile.mkdtemp(prefix="pycodex-ts-", dir="/var/tmp"))
    work = home / "work"
    work.mkdir()
    try:
        with ScriptedServer([http_error(500, times=2), sse_turn(text_message_events("Hello from the script"))]) as s:
            (home / "config.toml").write_text(
                'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "never"\n'
                'sandbox_mode = "danger-full-access"\ncheck_for_update_on_startup = false\n'
                f'[model_providers.mock]\nname = "mock"\nbase_url = "{s.base_url}"\nenv_key = "MOCK_API_KEY"\n'
                'wire_api = "responses"\n[analytics]\nenabled = false\n',
                encoding="utf-8",
            )
            env = {**os.environ, "CODEX_HOME": str(home), "MOCK_API_KEY": "dummy"}
            proc = subprocess.run(
                [str(codex), "exec", "--json", "--skip-git-repo-check", "-C", str(work), "say hello"],
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
                encoding="utf-8",
            )
        assert proc.returncode == 0, proc.stderr[-2000:]
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]
        messages = [
            e["item"]["text"] for e in lines if e["type"] == "item.completed" and e["item"]["type"] == "agent_message"
        ]
        assert messages == ["Hello from the script"]
        assert lines[-1]["type"] == "turn.completed"
        posts = [r for r in s.requests if r.path == "/v1/responses"]
        assert len(posts) == 3
        assert posts[0].headers["authorization"] == "Bearer dummy"
        assert posts[0].body == posts[2].body
    finally:
        shutil.rmtree(home, ignore_errors=True)

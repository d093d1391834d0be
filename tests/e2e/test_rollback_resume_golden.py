"""A thread rolled back by pycodex (`thread_rollback`) resumes without the dropped turns, in pycodex and Codex 0.169."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from e2e_support import Env, git_env, message_turn, real_codex

from pycodex_config import load_config
from pycodex_core import Codex
from pycodex_core.testing import collect_turn
from pycodex_test_support import ScriptedServer


async def _rolled_back_thread(env: Env) -> str:
    config = load_config(cwd=env.work, codex_home=env.home)
    async with Codex.start(config, originator="codex_cli_rs") as codex:
        await codex.next_event()
        await collect_turn(codex, "first question")
        await collect_turn(codex, "second question")
        await codex.submit({"type": "thread_rollback", "num_turns": 1})
        with anyio.fail_after(10):
            assert (await codex.next_event())["msg"] == {"type": "thread_rolled_back", "num_turns": 1}
        return codex.thread_id


def _said(body: dict[str, Any]) -> list[str]:
    return [
        "".join(part.get("text", "") for part in item["content"])
        for item in body["input"]
        if item.get("type") == "message" and item.get("role") in ("user", "assistant")
    ]


@pytest.mark.parametrize("resumer", ["ours", "codex"])
def test_resume_after_rollback(resumer: str, var_tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    command: list[str] | None = None
    if resumer == "codex":
        binary = real_codex()
        if binary is None or not binary.exists():
            pytest.skip("the real Codex 0.169 binary is not installed")
        command = [str(binary), "exec"]
    env = git_env(var_tmp, resumer)
    monkeypatch.setenv("MOCK_API_KEY", "test-key")
    turns = [message_turn("first answer"), message_turn("dropped answer"), message_turn("resumed answer")]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false")
        thread_id = anyio.run(_rolled_back_thread, env)
        result = env.run("--json", "resume", thread_id, "after resume", command=command, timeout=90)
        bodies = server.bodies()
    assert result.rc == 0, result.stderr
    said = _said(bodies[-1])
    assert "first question" in said and "first answer" in said and said[-1] == "after resume"
    assert "second question" not in said and "dropped answer" not in said

"""End-to-end tests of `codex exec` options: fork, images, --ephemeral, -p, --add-dir, --show-instructions."""

from __future__ import annotations

import base64
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from e2e_support import ADD_PATCH, Env, message_turn, patch_turn, scenario

from pycodex_test_support import ScriptedServer

JSON = ("--json",)
# A 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def _texts(item: dict[str, Any]) -> list[str]:
    return [part.get("text", "") for part in item.get("content", []) if "text" in part]


def test_fork_copies_history_into_a_new_thread(env: Env) -> None:
    with ScriptedServer([message_turn("first answer"), message_turn("forked answer")]) as server:
        env.write_config(server.base_url)
        one = env.run(*JSON, "first question")
        original = env.rollouts()[0].read_text(encoding="utf-8")
        two = env.run(*JSON, "fork", one.events[0]["thread_id"], "second question")
        second_input = server.requests[1].json["input"]
    assert (one.rc, two.rc) == (0, 0), two.stderr
    assert two.events[0]["thread_id"] != one.events[0]["thread_id"]
    assert two.items("agent_message")[0]["text"] == "forked answer"
    texts = [t for item in second_input for t in _texts(item)]
    assert texts.index("first question") < texts.index("first answer") < texts.index("second question")
    # The original session is untouched; the fork has its own file.
    rollouts = env.rollouts()
    assert len(rollouts) == 2
    assert original in {p.read_text(encoding="utf-8") for p in rollouts}


def test_image_is_sent_inline_before_the_prompt(env: Env) -> None:
    # `-i` takes several values (as in Codex), so the prompt goes first or after `--`.
    (env.work / "px.png").write_bytes(PNG)
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "describe it", "-i", "px.png")
        prompt = server.requests[0].json["input"][-1]
    assert r.rc == 0, r.stderr
    assert prompt["role"] == "user"
    assert prompt["content"] == [
        {"type": "input_text", "text": '<image name=[Image #1] path="px.png">'},
        {
            "type": "input_image",
            "image_url": "data:image/png;base64," + base64.b64encode(PNG).decode(),
            "detail": "original",
        },
        {"type": "input_text", "text": "</image>"},
        {"type": "input_text", "text": "describe it"},
    ]


def test_missing_image_is_a_clear_error(env: Env) -> None:
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "describe it", "-i", "nope.png")
        requests = len(server.requests)
    assert r.rc == 1
    assert "nope.png" in r.stderr
    assert requests == 0


def test_ephemeral_writes_no_rollout(env: Env) -> None:
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "--ephemeral", "hi")
    assert r.rc == 0, r.stderr
    assert env.rollouts() == []


def test_profile_file_layers_over_config(env: Env) -> None:
    with ScriptedServer([*scenario("hello"), *scenario("hello")]) as server:
        env.write_config(server.base_url)
        (env.home / "fast.config.toml").write_text('model = "gpt-5.1-mini"\n', encoding="utf-8")
        assert env.run(*JSON, "-p", "fast", "hi").rc == 0
        assert env.run(*JSON, "hi").rc == 0
        models = [req.json["model"] for req in server.requests]
    assert models == ["gpt-5.1-mini", "gpt-5.5"]


def test_unknown_profile_continues(env: Env) -> None:
    # Codex 0.169: with no `$CODEX_HOME/nosuch.config.toml`, `-p nosuch` runs on the base config.
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "-p", "nosuch", "hi")
        requests = len(server.requests)
    assert r.rc == 0, r.stderr
    assert requests == 1


def test_add_dir_makes_a_root_writable(env: Env) -> None:
    # Outside /tmp, which workspace-write keeps writable anyway.
    scratch = Path(tempfile.mkdtemp(prefix="pycodex-add-dir-", dir="/var/tmp"))
    try:
        extra, outside = scratch / "extra", scratch / "outside"
        extra.mkdir()
        outside.mkdir()
        patch_extra = ADD_PATCH.replace("hello.txt", str(extra / "a.txt"))
        patch_outside = ADD_PATCH.replace("hello.txt", str(outside / "b.txt"))
        turns = [patch_turn("c1", patch_extra), patch_turn("c2", patch_outside), message_turn("done")]
        with ScriptedServer(turns) as server:
            env.write_config(server.base_url)
            r = env.run(*JSON, "-s", "workspace-write", "--add-dir", str(extra), "write")
            outputs = [
                i["output"]
                for req in server.requests
                for i in req.json["input"]
                if i["type"] == "custom_tool_call_output"
            ]
        assert r.rc == 0, r.stderr
        assert (extra / "a.txt").read_text(encoding="utf-8") == "hello\n"
        assert not (outside / "b.txt").exists()
        # As in Codex 0.169, the refused patch prints no file_change item; the model is told why.
        assert [i["status"] for i in r.items("file_change")] == ["completed"]
        assert outputs[-1] == "patch rejected: writing outside of the project; rejected by user approval settings"
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def test_show_instructions_lists_agents_files(env: Env) -> None:
    (env.home / "AGENTS.md").write_text("Global rules.\n", encoding="utf-8")
    (env.work / "AGENTS.md").write_text("Repo rules.\n", encoding="utf-8")
    sub = env.work / "pkg"
    sub.mkdir()
    (sub / "AGENTS.override.md").write_text("Package rules.\n", encoding="utf-8")
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "--show-instructions", "hi", cwd=sub)
        context = json.dumps(server.requests[0].json["input"])
    assert r.rc == 0, r.stderr
    listed = [line.removeprefix("instructions: ") for line in r.stderr.splitlines() if line.startswith("instructions:")]
    assert "prompt profile: default (full instructions, all tools)" in r.stderr.splitlines()
    assert listed == [str(env.home / "AGENTS.md"), str(env.work / "AGENTS.md"), str(sub / "AGENTS.override.md")]
    for text in ("Global rules.", "Repo rules.", "Package rules."):
        assert text in context


def test_resume_last_is_filtered_by_cwd(env: Env) -> None:
    other = env.work / "other"
    other.mkdir()
    turns = [message_turn(f"answer {i}") for i in range(4)]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url)
        here = env.run(*JSON, "question here")
        there = env.run(*JSON, "question there", cwd=other)
        last_here = env.run(*JSON, "resume", "--last", "again here")
        last_any = env.run(*JSON, "resume", "--last", "--all", "again anywhere")
    assert all(r.rc == 0 for r in (here, there, last_here, last_any)), last_here.stderr + last_any.stderr
    assert last_here.events[0]["thread_id"] == here.events[0]["thread_id"]
    assert last_any.events[0]["thread_id"] == there.events[0]["thread_id"]

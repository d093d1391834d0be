"""`codex exec` as a real process against a scripted Responses server on 127.0.0.1."""

from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

import pytest
from e2e_support import (
    Env,
    codex_command,
    exec_turn,
    interrupt,
    message_turn,
    scenario,
    wait_for,
)

from pycodex_test_support import (
    ScriptedServer,
    Turn,
    dropped_stream,
    ev_message,
    ev_response_created,
    http_error,
    rate_limited,
    stalled_stream,
)

JSON = ("--json",)
OVERLOAD = "We’re currently experiencing high demand, which may cause temporary errors."
USAGE_1 = {
    "input_tokens": 100,
    "cached_input_tokens": 10,
    "cache_write_input_tokens": 0,
    "output_tokens": 20,
    "reasoning_output_tokens": 5,
}


def _usage(n: int) -> dict[str, int]:
    return {k: v * n for k, v in USAGE_1.items()}


def test_plain_message(env: Env) -> None:
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "say hello")
    assert r.rc == 0, r.stderr
    thread_id = r.events[0]["thread_id"]
    assert r.events == [
        {"type": "thread.started", "thread_id": thread_id},
        {"type": "turn.started"},
        {"type": "item.completed", "item": {"id": "item_0", "type": "agent_message", "text": "Hello world"}},
        {"type": "turn.completed", "usage": _usage(1)},
    ]
    body = server.requests[0].json
    assert body["model"] == "gpt-5.5"
    assert body["input"][-1]["content"][0]["text"] == "say hello"
    assert server.requests[0].headers.get("authorization") == "Bearer test-key"
    headers = server.requests[0].headers
    for name, value in {
        "originator": "codex_exec",
        "session-id": thread_id,
        "thread-id": thread_id,
        "x-client-request-id": thread_id,
        "x-codex-window-id": f"{thread_id}:0",
        "accept": "text/event-stream",
    }.items():
        assert headers.get(name) == value, name
    metadata = json.loads(headers["x-codex-turn-metadata"])
    assert body["client_metadata"]["x-codex-turn-metadata"] == headers["x-codex-turn-metadata"]
    assert metadata["thread_id"] == thread_id
    assert metadata["turn_id"] == body["client_metadata"]["turn_id"]
    assert metadata["request_kind"] == "turn"
    assert metadata["sandbox_mode"] == "danger-full-access"
    assert metadata["model"] == "gpt-5.5"
    assert metadata["turn_started_at_unix_ms"] > 1_700_000_000_000
    rollout = env.rollouts()
    assert len(rollout) == 1 and thread_id in rollout[0].name


def test_shell_command_then_message(env: Env) -> None:
    with ScriptedServer(scenario("shell")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "run echo")
    assert r.rc == 0, r.stderr
    command = "/bin/bash -lc 'echo hi; echo err 1>&2'"
    assert r.events[2:] == [
        {
            "type": "item.started",
            "item": {
                "id": "item_0",
                "type": "command_execution",
                "command": command,
                "aggregated_output": "",
                "exit_code": None,
                "status": "in_progress",
            },
        },
        {
            "type": "item.completed",
            "item": {
                "id": "item_0",
                "type": "command_execution",
                "command": command,
                "aggregated_output": "hi\nerr\n",
                "exit_code": 0,
                "status": "completed",
            },
        },
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "Done"}},
        {"type": "turn.completed", "usage": _usage(2)},
    ]
    output = server.requests[1].json["input"][-1]
    assert output["type"] == "function_call_output" and output["call_id"] == "call_1"
    assert "Process exited with code 0" in output["output"]


def test_failing_command_keeps_exit_code_and_rc_0(env: Env) -> None:
    with ScriptedServer(scenario("shell_fail")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "fail")
    assert r.rc == 0, r.stderr
    (item,) = r.items("command_execution")
    assert (item["status"], item["exit_code"], item["aggregated_output"]) == ("failed", 3, "out\nerr\n")


def test_two_patches_change_files_on_disk(env: Env) -> None:
    with ScriptedServer(scenario("patch")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "patch")
    assert r.rc == 0, r.stderr
    path = str(env.work / "hello.txt")
    assert r.types == ["thread.started", "turn.started"] + ["item.started", "item.completed"] * 2 + [
        "item.completed",
        "turn.completed",
    ]
    assert [e["item"] for e in r.events[2:6]] == [
        {"id": "item_0", "type": "file_change", "changes": [{"path": path, "kind": "add"}], "status": "in_progress"},
        {"id": "item_0", "type": "file_change", "changes": [{"path": path, "kind": "add"}], "status": "completed"},
        {"id": "item_1", "type": "file_change", "changes": [{"path": path, "kind": "update"}], "status": "in_progress"},
        {"id": "item_1", "type": "file_change", "changes": [{"path": path, "kind": "update"}], "status": "completed"},
    ]
    assert (env.work / "hello.txt").read_text(encoding="utf-8") == "hello world\n"


def test_update_plan_todo_list(env: Env) -> None:
    with ScriptedServer(scenario("plan")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "-c", "tools.update_plan.enabled=true", "plan")
    assert r.rc == 0, r.stderr
    items1 = [{"text": "one", "completed": True}, {"text": "two", "completed": False}]
    items2 = [{"text": "one", "completed": True}, {"text": "two", "completed": True}]
    assert r.events[2:] == [
        {"type": "item.started", "item": {"id": "item_0", "type": "todo_list", "items": items1}},
        {"type": "item.updated", "item": {"id": "item_0", "type": "todo_list", "items": items2}},
        {"type": "item.completed", "item": {"id": "item_1", "type": "agent_message", "text": "Planned"}},
        {"type": "item.completed", "item": {"id": "item_0", "type": "todo_list", "items": items2}},
        {"type": "turn.completed", "usage": _usage(3)},
    ]


def test_thirty_sequential_calls(env: Env) -> None:
    with ScriptedServer(scenario("long")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "thirty", timeout=45)
    assert r.rc == 0, r.stderr
    done = r.items("command_execution")
    assert [i["aggregated_output"] for i in done] == [f"{i}\n" for i in range(30)]
    assert [i["id"] for i in done] == [f"item_{i}" for i in range(30)]
    assert r.events[-1] == {"type": "turn.completed", "usage": _usage(31)}
    assert len(server.requests) == 31


# ---------------------------------------------------------------- model-client faults

FAST = "request_max_retries = 2\nstream_max_retries = 2\n"


def test_5xx_then_success_is_silent(env: Env) -> None:
    with ScriptedServer([http_error(500, times=2), *scenario("hello")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    assert r.rc == 0, r.stderr
    assert r.types == ["thread.started", "turn.started", "item.completed", "turn.completed"]
    assert len(server.requests) == 3


def test_429_with_retry_after_reconnects(env: Env) -> None:
    with ScriptedServer([rate_limited(0.2), *scenario("hello")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    assert r.rc == 0, r.stderr
    assert r.events[2] == {
        "type": "error",
        "message": "Reconnecting... 1/2 (exceeded retry limit, last status: 429 Too Many Requests)",
    }
    assert r.types[3:] == ["item.completed", "turn.completed"]


def test_429_without_retry_after_fails(env: Env) -> None:
    with ScriptedServer([rate_limited(None, "Rate limit reached. Please try again in 2s.")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    assert r.rc == 1
    message = "exceeded retry limit, last status: 429 Too Many Requests"
    assert r.events[2:] == [
        {"type": "error", "message": message},
        {"type": "turn.failed", "error": {"message": message}},
    ]
    assert len(server.requests) == 1


def test_dropped_stream_reconnects(env: Env) -> None:
    partial = [ev_response_created("r1"), ev_message("m1", "partial")]
    with ScriptedServer([dropped_stream(partial, after=2), *scenario("hello")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    assert r.rc == 0, r.stderr
    errors = [e for e in r.events if e["type"] == "error"]
    assert len(errors) == 1
    assert errors[0]["message"].startswith("Reconnecting... 1/2 (stream disconnected before completion")
    assert r.items("agent_message")[-1]["text"] == "Hello world"


def test_idle_timeout_reconnects(env: Env) -> None:
    with ScriptedServer(
        [stalled_stream([ev_response_created("r1"), ev_message("m1", "late")], after=1, seconds=10), *scenario("hello")]
    ) as server:
        env.write_config(server.base_url, provider=FAST + "stream_idle_timeout_ms = 300\n")
        r = env.run(*JSON, "hi")
    assert r.rc == 0, r.stderr
    assert r.events[2] == {
        "type": "error",
        "message": "Reconnecting... 1/2 (stream disconnected before completion: idle timeout waiting for SSE)",
    }


def test_always_500_fails_the_turn(env: Env) -> None:
    with ScriptedServer([http_error(500, times=100)]) as server:
        env.write_config(server.base_url, provider="request_max_retries = 1\nstream_max_retries = 1\n")
        r = env.run(*JSON, "hi")
    assert r.rc == 1
    assert r.events[2:] == [
        {"type": "error", "message": f"Reconnecting... 1/1 ({OVERLOAD})"},
        {"type": "error", "message": OVERLOAD},
        {"type": "turn.failed", "error": {"message": OVERLOAD}},
    ]
    assert len(server.requests) == 4


def test_400_is_verbatim(env: Env) -> None:
    # Codex 0.169 reports an error object with a string `code` by its message, any other 400 body as it is.
    coded = json.dumps({"error": {"message": "Invalid model foo", "type": "invalid_request_error", "code": "bad"}})
    with ScriptedServer([Turn(status=400, body=coded.encode(), content_type="application/json")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    assert r.rc == 1
    assert r.events[-2:] == [
        {"type": "error", "message": "Invalid model foo"},
        {"type": "turn.failed", "error": {"message": "Invalid model foo"}},
    ]
    with ScriptedServer([http_error(400, "Invalid model foo")]) as server:
        env.write_config(server.base_url, provider=FAST)
        r = env.run(*JSON, "hi")
    body = json.dumps({"error": {"message": "Invalid model foo", "type": "error", "code": None}})
    assert r.rc == 1
    assert r.events[-1] == {"type": "turn.failed", "error": {"message": body}}


def test_missing_env_key(env: Env) -> None:
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "hi", env=env.environ(MOCK_API_KEY=""))
    assert r.rc == 1
    message = "Missing environment variable: `MOCK_API_KEY`."
    assert r.events[-2:] == [
        {"type": "error", "message": message},
        {"type": "turn.failed", "error": {"message": message}},
    ]
    assert server.requests == []


# ---------------------------------------------------------------- resume and interrupt


def test_resume_own_rollout(env: Env) -> None:
    with ScriptedServer([message_turn("first answer"), message_turn("second answer")]) as server:
        env.write_config(server.base_url)
        first = env.run(*JSON, "first question")
        thread_id = first.events[0]["thread_id"]
        second = env.run(*JSON, "resume", thread_id, "second question")
        third_args = ("resume", "--last", "third question")
        server.add(message_turn("third answer"))
        third = env.run(*JSON, *third_args)
    assert (first.rc, second.rc, third.rc) == (0, 0, 0), second.stderr + third.stderr
    assert second.events[0] == {"type": "thread.started", "thread_id": thread_id}
    assert third.events[0] == {"type": "thread.started", "thread_id": thread_id}
    texts = json.dumps(server.requests[1].json["input"])
    assert "first question" in texts and "first answer" in texts and "second question" in texts
    assert len(env.rollouts()) == 1


def test_resume_usage_is_thread_total(env: Env) -> None:
    # Codex 0.169 reports the thread's cumulative usage in `turn.completed`, including resumed turns.
    with ScriptedServer([message_turn("first answer"), message_turn("second answer")]) as server:
        env.write_config(server.base_url)
        first = env.run(*JSON, "first question")
        second = env.run(*JSON, "resume", first.events[0]["thread_id"], "second question")
    assert second.events[-1] == {"type": "turn.completed", "usage": _usage(2)}


def _codex_rollout(home: Path, work: Path, thread_id: str) -> Path:
    day = home / "sessions" / "2026" / "11" / "23"
    day.mkdir(parents=True)
    path = day / f"rollout-2026-11-23T19-43-14-{thread_id}.jsonl"
    ts = "2026-11-23T19:43:14.711Z"
    lines = [
        {
            "timestamp": ts,
            "ordinal": 0,
            "type": "session_meta",
            "payload": {
                "session_id": thread_id,
                "id": thread_id,
                "timestamp": ts,
                "cwd": str(work),
                "originator": "codex_exec",
                "cli_version": "0.169.0",
                "source": "exec",
                "model_provider": "mock",
                "base_instructions": {"text": "You are Codex."},
            },
        },
        {
            "timestamp": ts,
            "ordinal": 1,
            "type": "event_msg",
            "payload": {
                "type": "task_started",
                "turn_id": "t1",
                "started_at": 1795462994,
                "model_context_window": 258400,
                "collaboration_mode_kind": "default",
            },
        },
        {
            "timestamp": ts,
            "ordinal": 2,
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "<environment_context>\n  <cwd>/x</cwd>\n</environment_context>"}
                ],
            },
        },
        {"timestamp": ts, "ordinal": 3, "type": "world_state", "payload": {"full": True, "state": {}}},
        {
            "timestamp": ts,
            "ordinal": 4,
            "type": "turn_context",
            "payload": {
                "turn_id": "t1",
                "cwd": str(work),
                "approval_policy": "never",
                "model": "gpt-5.5",
                "summary": "auto",
            },
        },
        {
            "timestamp": ts,
            "ordinal": 5,
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "codex-era question"}],
            },
        },
        {
            "timestamp": ts,
            "ordinal": 6,
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "content": [{"type": "output_text", "text": "codex-era answer"}],
            },
        },
        {
            "timestamp": ts,
            "ordinal": 7,
            "type": "event_msg",
            "payload": {
                "type": "token_count",
                "info": {
                    "total_token_usage": {
                        "input_tokens": 100,
                        "cached_input_tokens": 0,
                        "cache_write_input_tokens": 0,
                        "output_tokens": 10,
                        "reasoning_output_tokens": 0,
                        "total_tokens": 110,
                    },
                    "last_token_usage": {
                        "input_tokens": 100,
                        "cached_input_tokens": 0,
                        "cache_write_input_tokens": 0,
                        "output_tokens": 10,
                        "reasoning_output_tokens": 0,
                        "total_tokens": 110,
                    },
                    "model_context_window": 258400,
                },
                "rate_limits": None,
            },
        },
        {"timestamp": ts, "ordinal": 8, "type": "token_usage_record", "payload": {"thread_id": thread_id}},
        {
            "timestamp": ts,
            "ordinal": 9,
            "type": "event_msg",
            "payload": {
                "type": "task_complete",
                "turn_id": "t1",
                "last_agent_message": "codex-era answer",
                "completed_at": 1795462995,
                "duration_ms": 406,
            },
        },
    ]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_resume_codex_0169_rollout(env: Env) -> None:
    thread_id = "01a209ef-1adf-78e0-a674-f43f57803206"
    path = _codex_rollout(env.home, env.work, thread_id)
    with ScriptedServer([message_turn("continued")]) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "resume", thread_id, "go on")
    assert r.rc == 0, r.stderr
    assert r.events[0] == {"type": "thread.started", "thread_id": thread_id}
    assert r.items("agent_message") == [{"id": "item_0", "type": "agent_message", "text": "continued"}]
    texts = json.dumps(server.requests[0].json["input"])
    assert "codex-era question" in texts and "codex-era answer" in texts and "go on" in texts
    assert "go on" in path.read_text(encoding="utf-8")


def test_sigint_during_sleep_leaves_resumable_rollout(env: Env) -> None:
    with ScriptedServer([exec_turn("call_1", "sleep 30")]) as server:
        env.write_config(server.base_url)
        proc = env.popen(*JSON, "sleep please")
        try:
            wait_for(lambda: len(server.requests) >= 1, timeout=15)
            time.sleep(0.8)  # let the command start
            interrupt(proc)
            stdout, stderr = proc.communicate(timeout=15)
        finally:
            proc.kill()
        assert proc.returncode == 1, stderr
        lines = [json.loads(line) for line in stdout.splitlines()]
        assert [e["type"] for e in lines] == ["thread.started", "turn.started", "item.started"]
        thread_id = lines[0]["thread_id"]
        server.add(message_turn("resumed"))
        r = env.run(*JSON, "resume", thread_id, "continue")
    assert r.rc == 0, r.stderr
    assert r.items("agent_message")[-1]["text"] == "resumed"
    history = server.requests[-1].json["input"]
    outputs = [i for i in history if i.get("type") == "function_call_output" and i.get("call_id") == "call_1"]
    assert len(outputs) == 1


# ---------------------------------------------------------------- files, schema, stdin, git, sandbox


def test_output_last_message(env: Env, tmp_path: Path) -> None:
    target = tmp_path / "last.txt"
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run("-o", str(target), "hi")
    assert r.rc == 0, r.stderr
    assert target.read_text(encoding="utf-8") == "Hello world"
    assert r.stdout == "Hello world\n"


def test_output_last_message_without_message_warns(env: Env, tmp_path: Path) -> None:
    target = tmp_path / "last.txt"
    empty = [ev_response_created("r")]
    from e2e_support import _u

    from pycodex_test_support import sse_turn

    with ScriptedServer([sse_turn([*empty, _u("r")])]) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "-o", str(target), "hi")
    assert r.rc == 0, r.stderr
    assert target.read_text(encoding="utf-8") == ""
    assert f"Warning: no last agent message; wrote empty content to {target}" in r.stderr


def test_output_schema_in_request(env: Env, tmp_path: Path) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    schema_file = tmp_path / "schema.json"
    schema_file.write_text(json.dumps(schema), encoding="utf-8")
    with ScriptedServer([message_turn('{"answer":"42"}')]) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "--output-schema", str(schema_file), "answer")
    assert r.rc == 0, r.stderr
    fmt = server.requests[0].json["text"]["format"]
    assert fmt == {"type": "json_schema", "strict": True, "schema": schema, "name": "codex_output_schema"}
    assert r.items("agent_message")[0]["text"] == '{"answer":"42"}'


def test_prompt_from_stdin_and_stdin_block(env: Env) -> None:
    with ScriptedServer([message_turn("a"), message_turn("b")]) as server:
        env.write_config(server.base_url)
        r1 = env.run(*JSON, stdin="from stdin\n")
        r2 = env.run(*JSON, "main prompt", stdin="extra ctx")
    assert (r1.rc, r2.rc) == (0, 0)
    assert "Reading prompt from stdin..." in r1.stderr
    assert "Reading additional input from stdin..." in r2.stderr
    assert server.requests[0].json["input"][-1]["content"][0]["text"] == "from stdin\n"
    assert server.requests[1].json["input"][-1]["content"][0]["text"] == "main prompt\n\n<stdin>\nextra ctx\n</stdin>"


def test_empty_stdin_without_prompt(env: Env) -> None:
    env.write_config("http://127.0.0.1:9/v1")
    r = env.run(*JSON, stdin="")
    assert (r.rc, r.stdout) == (1, "")
    assert r.stderr.endswith("Reading prompt from stdin...\nNo prompt provided via stdin.\n")


def test_git_repo_check(env: Env, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    env.write_config("http://127.0.0.1:9/v1")
    r = env.run(*JSON, "hi", cwd=outside)
    assert (r.rc, r.stdout) == (1, "")
    assert r.stderr.endswith("Not inside a trusted directory and --skip-git-repo-check was not specified.\n")
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        ok = env.run(*JSON, "--skip-git-repo-check", "hi", cwd=outside)
    assert ok.rc == 0, ok.stderr


def test_config_errors_exit_1(env: Env) -> None:
    (env.home / "config.toml").write_text("model = [\n", encoding="utf-8")
    r = env.run(*JSON, "hi")
    assert (r.rc, r.stdout) == (1, "")
    assert "Error loading config.toml:" in r.stderr


def test_approve_for_me_says_what_it_does(env: Env) -> None:
    # Accepted as in Codex 0.169 (workspace-write sandbox); with no automatic reviewer, stderr says so.
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run("--approve-for-me", "hi")
    assert r.rc == 0, r.stderr
    assert "sandbox: workspace-write" in r.stderr
    assert "--approve-for-me: pycodex has no automatic approval reviewer yet" in r.stderr


def test_read_only_sandbox_refuses_writes(env: Env) -> None:
    target = env.work / "created.txt"
    with ScriptedServer([exec_turn("call_1", f"touch {target}"), message_turn("ok")]) as server:
        env.write_config(server.base_url)
        r = env.run(*JSON, "-s", "read-only", "write a file")
    assert r.rc == 0, r.stderr
    (item,) = r.items("command_execution")
    assert item["status"] in ("failed", "declined")
    assert not target.exists()


@pytest.mark.parametrize("flag", ["--json", "--experimental-json"])
def test_json_alias(env: Env, flag: str) -> None:
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url)
        r = env.run(flag, "hi")
    assert r.types[-1] == "turn.completed"


def test_terminal_bench_invocation(env: Env, tmp_path: Path) -> None:
    # The command line Terminal-Bench's Codex adapter runs, outside any git repository.
    outside = tmp_path / "not-a-repo"
    outside.mkdir()
    task = "-list the files-"
    with ScriptedServer([exec_turn("call_1", "ls"), *scenario("hello")]) as server:
        env.write_config(server.base_url)
        r = env.run(
            "--sandbox",
            "danger-full-access",
            "--skip-git-repo-check",
            "--json",
            "--model",
            "gpt-5.1",
            "--",
            task,
            cwd=outside,
        )
    assert r.rc == 0, r.stderr
    assert r.events[-1]["type"] == "turn.completed"
    assert set(r.events[-1]["usage"]) == {
        "input_tokens",
        "cached_input_tokens",
        "cache_write_input_tokens",
        "output_tokens",
        "reasoning_output_tokens",
    }
    assert [i["status"] for i in r.items("command_execution")] == ["completed"]
    bodies = [req.json for req in server.requests]
    assert {b["model"] for b in bodies} == {"gpt-5.1"}
    assert bodies[0]["input"][-1]["content"][0]["text"] == task


def test_closed_stdout_stops_quietly(env: Env) -> None:
    # `codex exec --json | head -1`: the reader goes away; no traceback, no runaway session.
    turns = [exec_turn(f"call_{i}", f"sleep 0.2; echo {i} >> log.txt") for i in range(20)] + [message_turn("done")]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url)
        proc = subprocess.Popen(
            [*codex_command(), "--json", "hi"],
            cwd=env.work,
            env=env.environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()
        rc = proc.wait(timeout=30)
        stderr = proc.stderr.read().decode("utf-8")
        proc.stderr.close()
    assert json.loads(first)["type"] == "thread.started"
    assert rc == 1
    assert "Traceback" not in stderr
    ran = (env.work / "log.txt").read_text(encoding="utf-8").split() if (env.work / "log.txt").exists() else []
    assert len(ran) < 20

"""Golden comparison: the same scripted turns through Codex 0.169 and through pycodex.

The two `--json` streams must be equal once ids, timestamps and paths are normalised.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from e2e_support import (
    ADD_PATCH,
    UPDATE_PATCH,
    Env,
    Result,
    exec_turn,
    git_env,
    message_turn,
    patch_turn,
    real_codex,
    scenario,
)

from pycodex_test_support import ScriptedServer, Turn, dropped_stream, http_error, rate_limited, stalled_stream

pytestmark = pytest.mark.codex

LOOPBACK = re.compile(r"http://127\.0\.0\.1:\d+")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _normalise(events: list[dict[str, Any]], work: Path) -> list[Any]:
    import json

    text = json.dumps(events, ensure_ascii=False)
    text = UUID.sub("<uuid>", text).replace(str(work), "<work>")
    text = LOOPBACK.sub("http://127.0.0.1:<port>", text)
    normalised = json.loads(text)
    for event in normalised:
        item = event.get("item", {})
        if item.get("type") == "command_execution":
            # Codex reads stdout and stderr from two pipes, so lines written to both close
            # together arrive in either order: compare the lines, not their interleaving.
            item["aggregated_output"] = sorted(item["aggregated_output"].splitlines(keepends=True))
    return normalised


@pytest.fixture
def codex_binary() -> Path:
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail(
            "the real Codex 0.169 binary is missing: set PYCODEX_REAL_CODEX or run "
            "`npm install --prefix .codex-ref @openai/codex@0.169.0`"
        )
    return binary


def _run(env: Env, turns: list[Any], command: list[str] | None, *args: str, provider: str = "") -> Result:
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, provider=provider, extra="check_for_update_on_startup = false")
        with (env.home / "config.toml").open("a", encoding="utf-8") as f:
            f.write("\n[analytics]\nenabled = false\n")
        return env.run("--json", *args, "do the task", command=command, timeout=90)


CASES = {
    "hello": ([], ""),
    "shell": ([], ""),
    "shell_fail": ([], ""),
    "patch": ([], ""),
    "plan": (["-c", "tools.update_plan.enabled=true"], ""),
    "plan_default": ([], ""),
    "hello_fallback_model": (["-m", "mock-model"], ""),
}

# Faults: the model server misbehaves; both must retry, report and exit the same way.
FAST_RETRIES = "request_max_retries = 1\nstream_max_retries = 2\n"
IDLE = "stream_idle_timeout_ms = 1000\n"


def _turns(name: str) -> list[Turn]:
    """Fresh turns for one case (a served script is used up)."""
    if name == "plan_default":
        # update_plan is off by default: the call gets "unsupported call" and prints nothing.
        plan = scenario("plan")
        return [plan[0], plan[-1]]
    if name == "hello_fallback_model":
        return scenario("hello")
    if name in CASES:
        return scenario(name)
    hello = scenario("hello")
    events = hello[0].events
    return {
        "error_fatal": lambda: [http_error(500, times=100)],
        "error_5xx_then_ok": lambda: [http_error(500, times=1), *hello],
        "error_429_retry_after": lambda: [rate_limited(retry_after=1), *hello],
        "error_429_fatal": lambda: [rate_limited()],
        "error_400": lambda: [http_error(400, "Invalid model foo")],
        "error_404": lambda: [http_error(404, "no such route", times=100)],
        "error_401": lambda: [http_error(401, "Incorrect API key provided", times=100)],
        "error_stream": lambda: [dropped_stream(events, after=1), *hello],
        "error_idle": lambda: [stalled_stream(events, after=1, seconds=10), *hello],
    }[name]()


FAULTS = {
    "error_fatal": FAST_RETRIES,
    "error_5xx_then_ok": FAST_RETRIES,
    "error_429_retry_after": FAST_RETRIES,
    "error_429_fatal": FAST_RETRIES,
    "error_400": FAST_RETRIES,
    "error_404": FAST_RETRIES,
    "error_401": FAST_RETRIES,
    "error_stream": FAST_RETRIES,
    "error_idle": FAST_RETRIES + IDLE,
}


@pytest.mark.parametrize("name", [*CASES, *FAULTS])
def test_jsonl_matches_codex(name: str, codex_binary: Path, var_tmp: Path) -> None:
    args, provider = CASES.get(name, ([], FAULTS.get(name, "")))
    theirs_env, ours_env = git_env(var_tmp, "codex"), git_env(var_tmp, "ours")
    theirs = _run(theirs_env, _turns(name), [str(codex_binary), "exec"], *args, provider=provider)
    ours = _run(ours_env, _turns(name), None, *args, provider=provider)
    assert ours.rc == theirs.rc, ours.stderr
    assert _normalise(ours.events, ours_env.work) == _normalise(theirs.events, theirs_env.work)


def _texts(item: dict[str, Any]) -> str:
    return "".join(part.get("text", "") for part in item.get("content", []))


@pytest.mark.parametrize(("first", "second"), [("ours", "codex"), ("codex", "ours")])
def test_resume_across_programs(first: str, second: str, codex_binary: Path, var_tmp: Path) -> None:
    # A session written by one program continues in the other, with the same thread and history.
    env = git_env(var_tmp, f"{first}-{second}")
    commands: dict[str, list[str] | None] = {"ours": None, "codex": [str(codex_binary), "exec"]}
    with ScriptedServer([*scenario("hello"), *scenario("hello")]) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false")
        one = env.run("--json", "first question", command=commands[first], timeout=90)
        thread_id = one.events[0]["thread_id"]
        two = env.run("--json", "resume", thread_id, "second question", command=commands[second], timeout=90)
        requests = [r.json for r in server.requests]
    assert (one.rc, two.rc) == (0, 0), two.stderr
    assert two.events[0] == {"type": "thread.started", "thread_id": thread_id}
    assert [e["type"] for e in two.events[1:]] == ["turn.started", "item.completed", "turn.completed"]
    messages = [i for i in requests[1]["input"] if i.get("type") == "message"]
    bases = [i for i in messages if i["role"] == "developer" and _texts(i).startswith("You are ")]
    assert bases == [messages[0]], "the base instructions are sent once, first"
    conversation = [(i["role"], _texts(i)) for i in messages if i["role"] in ("user", "assistant")]
    asked = [c for c in conversation if c[1] in ("first question", "Hello world", "second question")]
    assert asked == [("user", "first question"), ("assistant", "Hello world"), ("user", "second question")]


HUMAN_VOLATILE = [
    (re.compile(r"^(OpenAI Codex v[^\n]*|pycodex exec v[^\n]*)$", re.M), "<banner>"),
    (re.compile(r" in \d+ms:"), " in <n>ms:"),
]


def _human(stderr: str, work: Path) -> str:
    text = UUID.sub("<uuid>", stderr).replace(str(work), "<work>")
    for pattern, repl in HUMAN_VOLATILE:
        text = pattern.sub(repl, text)
    return text


def test_human_output_matches_codex(codex_binary: Path, var_tmp: Path) -> None:
    # Without --json: everything but the final message on stderr, in Codex's layout.
    delete = "*** Begin Patch\n*** Delete File: gone.txt\n*** End Patch\n"
    update_exec = "*** Begin Patch\n*** Update File: run.sh\n@@\n-echo\n+echo hi\n*** End Patch\n"

    def turns() -> list[Turn]:
        return [
            exec_turn("c1", "echo one; echo two"),
            exec_turn("c2", "exit 3"),
            patch_turn("c3", ADD_PATCH),
            patch_turn("c4", UPDATE_PATCH),
            patch_turn("c5", delete),
            patch_turn("c6", update_exec),
            message_turn("All done"),
        ]

    outputs: dict[str, tuple[str, str]] = {}
    for who, command in (("codex", [str(codex_binary), "exec"]), ("ours", None)):
        env = git_env(var_tmp, f"human-{who}")
        (env.work / "gone.txt").write_text("bye\n", encoding="utf-8")
        (env.work / "run.sh").write_text("echo\n", encoding="utf-8")
        (env.work / "run.sh").chmod(0o755)
        with ScriptedServer(turns()) as server:
            env.write_config(server.base_url, extra="check_for_update_on_startup = false")
            result = env.run("do the task", command=command, timeout=90)
        assert result.rc == 0, result.stderr
        outputs[who] = (_human(result.stderr, env.work), result.stdout)
    assert outputs["ours"][1] == outputs["codex"][1] == "All done\n"
    assert outputs["ours"][0] == outputs["codex"][0]

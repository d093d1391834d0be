"""The real interactive `codex` under tmux against the scripted model server."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Env, exec_turn, message_turn
from tmux_support import Tmux, clean_env, codex_argv, have_tmux

from pycodex_test_support import ScriptedServer, sse_turn, text_message_events

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")


@pytest.fixture
def env(tmp_path: Path) -> Env:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


def _trusted(env: Env) -> str:
    return f'[projects."{env.work}"]\ntrust_level = "trusted"\n'


@pytest.fixture
def tmux_sessions() -> Iterator[list[Tmux]]:
    made: list[Tmux] = []
    yield made
    for t in made:
        t.close()


def _start(env: Env, made: list[Tmux], *args: str) -> Tmux:
    t = Tmux(codex_argv(*args), cwd=env.work, env=clean_env(env.home))
    made.append(t)
    return t


STREAMED = "# Answer\n\nHello **there**, this is\na streamed answer.\n"


def test_task_answer_approval_diff_status_and_transcript_in_scrollback(env: Env, tmux_sessions: list[Tmux]) -> None:
    turns = [
        sse_turn(text_message_events(STREAMED, pieces=8), event_delay_s=0.03),
        exec_turn("call_1", "printf hi-from-cmd"),
        message_turn("Ran it"),
    ]
    (env.work / "notes.txt").write_text("untracked file\n", encoding="utf-8")
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions, "-s", "danger-full-access", "-a", "untrusted")
        t.wait_for("Ask Codex to do anything", 30)
        t.type("say hello")
        t.send("Enter")
        t.wait_for("a streamed answer.")
        t.wait_idle()
        t.type("run it")
        t.send("Enter")
        t.wait_for("Would you like to run the following command?")
        t.wait_for("$ printf hi-from-cmd")
        t.send("y")
        t.wait_for("Ran it")
        screen = t.wait_for("hi-from-cmd")
        assert "Ran printf hi-from-cmd" in screen
        t.wait_idle()
        t.type("/diff")
        t.send("Enter")
        t.wait_for("+untracked file")
        t.type("/status")
        t.send("Enter")
        t.wait_for("Token usage")
        t.send("C-d")
        final = t.wait_for("__EXIT_0__", 20, scrollback=True)
    for expected in (
        "› say hello",
        "a streamed answer.",
        "Ran printf hi-from-cmd",
        "Ran it",
        "notes.txt",
        "Token usage",
    ):
        assert expected in final
    rows = (env.home / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert '"text": "say hello"' in rows[0] and '"text": "run it"' in rows[1]


def test_esc_interrupts_a_long_command(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([exec_turn("call_1", "sleep 30"), message_turn("after")]) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions)
        t.wait_for("Ask Codex to do anything", 30)
        t.type("sleep please")
        t.send("Enter")
        t.wait_for("Running sleep 30")
        t.send("Escape")
        t.wait_for("Conversation interrupted", 15)
        t.wait_idle()
        t.send("C-c")
        t.wait_for("__EXIT_0__", 20, scrollback=True)


def test_resume_last_shows_the_earlier_session_and_continues(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn("first answer"), message_turn("second answer")]) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions)
        t.wait_for("Ask Codex to do anything", 30)
        t.type("first question")
        t.send("Enter")
        t.wait_for("first answer")
        t.wait_idle()
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
        r = _start(env, tmux_sessions, "resume", "--last")
        screen = r.wait_for("first answer", 30)
        assert "› first question" in screen
        r.type("second question")
        r.send("Enter")
        r.wait_for("second answer")
        r.wait_idle()
        r.send("C-d")
        r.wait_for("__EXIT_0__", 20, scrollback=True)
    second = server.requests[-1].json
    assert second is not None and "first answer" in str(second["input"])


def test_trust_prompt_records_the_decision(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn("hi")]) as server:
        env.write_config(server.base_url)
        t = _start(env, tmux_sessions)
        t.wait_for("Do you trust the contents of this directory?", 30)
        t.send("1")
        t.wait_for("Ask Codex to do anything", 30)
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
    config = (env.home / "config.toml").read_text(encoding="utf-8")
    assert f'[projects."{env.work}"]' in config and 'trust_level = "trusted"' in config


def test_esc_esc_edits_the_first_message_in_the_same_thread(env: Env, tmux_sessions: list[Tmux]) -> None:
    turns = [message_turn("first answer"), message_turn("second answer"), message_turn("edited answer")]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions)
        t.wait_for("Ask Codex to do anything", 30)
        for question, answer in (("first question", "first answer"), ("second question", "second answer")):
            t.type(question)
            t.send("Enter")
            t.wait_for(answer)
            t.wait_idle()
        t.send("Escape")
        t.wait_for("esc again to edit previous message")
        t.send("Escape")
        t.wait_for("Edit an earlier message")
        t.send("Down")
        t.send("Enter")
        t.wait_for("Rolled back 2 turns", 20)
        assert "› first question" in t.screen().rsplit("Rolled back 2 turns", 1)[1]
        t.send("C-e")
        t.type(" (edited)")
        t.send("Enter")
        t.wait_for("edited answer", 20)
        t.wait_idle()
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
    last = str(server.requests[-1].json)
    assert "first question (edited)" in last
    assert "second question" not in last and "first answer" not in last
    (rollout,) = env.rollouts()  # one thread, rolled back in place
    assert '"thread_rolled_back"' in rollout.read_text(encoding="utf-8")


def test_bang_command_runs_and_the_model_sees_it(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn("I saw it")]) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions)
        t.wait_for("Ask Codex to do anything", 30)
        t.type("!echo hi")
        t.send("Enter")
        t.wait_for("You ran echo hi", 20)
        t.wait_idle()
        t.type("what did I run?")
        t.send("Enter")
        t.wait_for("I saw it", 20)
        t.wait_idle()
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
    body = str(server.requests[-1].json)
    assert "<user_shell_command>" in body and "echo hi" in body and "Exit code: 0" in body


def test_bang_command_stays_inside_the_sandbox(env: Env, tmux_sessions: list[Tmux], tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with ScriptedServer([]) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        no_tmp = ("-c", "sandbox_workspace_write.exclude_slash_tmp=true")
        no_tmpdir = ("-c", "sandbox_workspace_write.exclude_tmpdir_env_var=true")
        t = _start(env, tmux_sessions, "-s", "workspace-write", *no_tmp, *no_tmpdir)
        t.wait_for("Ask Codex to do anything", 30)
        t.type(f"!touch {outside}/escaped.txt")
        t.send("Enter")
        t.wait_for("You ran touch", 20)
        t.wait_for("cannot touch", 20)
        t.wait_for("exit 1", 20)
        t.wait_idle()
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
    assert not (outside / "escaped.txt").exists()


def test_alternate_screen_prints_the_transcript_at_exit(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn("alt screen answer")]) as server:
        env.write_config(server.base_url, extra=_trusted(env))
        t = _start(env, tmux_sessions, "-c", 'tui.alternate_screen="always"')
        t.wait_for("Ask Codex to do anything", 30)
        t.type("question in alt screen")
        t.send("Enter")
        t.wait_for("alt screen answer")
        t.wait_idle()
        t.send("C-d")
        final = t.wait_for("__EXIT_0__", 20, scrollback=True)
    assert "› question in alt screen" in final and "alt screen answer" in final


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_oss_with_the_embedded_model_answers(env: Env, tmux_sessions: list[Tmux]) -> None:
    pytest.importorskip("xllamacpp")
    (env.home / "config.toml").write_text(_trusted(env), encoding="utf-8")
    t = _start(env, tmux_sessions, "--oss", "--local-provider", "llamacpp")
    t.wait_for("Ask Codex to do anything", 180)
    t.type("Say hello in one word.")
    t.send("Enter")
    t.wait_for("esc to interrupt", 30)
    t.wait_idle(240)
    t.send("C-d")
    final = t.wait_for("__EXIT_0__", 30, scrollback=True)
    answer = final.split("› Say hello in one word.", 1)[1]
    assert "•" in answer  # the model's reply was rendered as an agent message

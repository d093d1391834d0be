"""The real interactive `codex` under tmux: Ctrl-T transcript overlay, Vim mode, Ctrl-G editor, focus."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from e2e_support import Env, message_turn
from tmux_support import Tmux, clean_env, codex_argv, have_tmux

from pycodex_test_support import ScriptedServer

pytestmark = pytest.mark.skipif(not have_tmux(), reason="tmux is not installed")

LONG = "\n\n".join(f"paragraph {i:02} of the long answer" for i in range(60))


@pytest.fixture
def env(tmp_path: Path) -> Env:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


@pytest.fixture
def tmux_sessions() -> Iterator[list[Tmux]]:
    made: list[Tmux] = []
    yield made
    for t in made:
        t.close()


def _start(env: Env, made: list[Tmux], tui: str = "", **extra: str) -> Tmux:
    (env.home / "config.toml").write_text(
        (env.home / "config.toml").read_text(encoding="utf-8")
        + f'\n[projects."{env.work}"]\ntrust_level = "trusted"\n'
        + (f"\n[tui]\n{tui}" if tui else ""),
        encoding="utf-8",
    )
    t = Tmux(codex_argv(), cwd=env.work, env=clean_env(env.home, **extra))
    made.append(t)
    t.wait_for("Ask Codex to do anything", 30)
    return t


def test_ctrl_t_pages_the_whole_transcript_and_q_returns(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn(LONG)]) as server:
        env.write_config(server.base_url)
        t = _start(env, tmux_sessions)
        t.type("write a lot")
        t.send("Enter")
        t.wait_for("paragraph 59 of the long answer")
        t.wait_idle()
        assert "paragraph 00 " not in t.screen()  # scrolled off into the scrollback
        t.send("C-t")
        t.wait_for("/ T R A N S C R I P T /")
        t.send("Home")
        screen = t.wait_for("paragraph 00 of the long answer")
        assert "› write a lot" in screen and "0%" in screen
        t.send("End")
        t.wait_for("paragraph 59 of the long answer")
        t.send("q")
        screen = t.wait_for("Ask Codex to do anything")
        assert "T R A N S C R I P T" not in screen
        t.type("still here")
        t.wait_for("still here")
        t.send("C-c", "C-c")
        history = t.wait_for("__EXIT_0__", 20, scrollback=True)
    assert "T R A N S C R I P T" not in history  # the overlay never reached the scrollback
    assert history.count("paragraph 30 of the long answer") == 1


def test_vim_mode_edits_in_normal_mode_and_submits(env: Env, tmux_sessions: list[Tmux]) -> None:
    with ScriptedServer([message_turn("got it")]) as server:
        env.write_config(server.base_url)
        t = _start(env, tmux_sessions, "vim_mode_default = true\n")
        t.wait_for("Vim: Normal")
        t.type("ihello big world")
        t.wait_for("Vim: Insert")
        t.send("Escape")
        t.wait_for("Vim: Normal")
        t.type("bdb")  # back to "world", delete the word before it
        t.wait_for("› hello world")
        t.send("Enter")
        t.wait_for("got it")
        t.wait_idle()
        t.wait_for("Vim: Insert")
        t.send("Escape")
        t.wait_for("Vim: Normal")
        t.type("/vim")
        t.send("Enter")
        screen = t.wait_for("Vim mode disabled.")
        assert "Vim: " not in screen.splitlines()[-1]
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)

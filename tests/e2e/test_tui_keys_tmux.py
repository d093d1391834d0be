"""The real interactive `codex` under tmux: Ctrl-T transcript overlay, Vim mode, Ctrl-G editor, focus."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable, Iterator
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


def test_ctrl_g_edits_the_draft_in_the_editor(env: Env, tmux_sessions: list[Tmux], tmp_path: Path) -> None:
    script = tmp_path / "editor.py"
    script.write_text(
        "import sys\nfrom pathlib import Path\np = Path(sys.argv[1])\n"
        "p.write_text(p.read_text() + ' and more from the editor\\n')\n",
        encoding="utf-8",
    )
    with ScriptedServer([message_turn("edited answer")]) as server:
        env.write_config(server.base_url)
        t = _start(env, tmux_sessions, EDITOR=f"{sys.executable} {script}")
        t.type("draft text")
        t.wait_for("› draft text")
        t.send("C-g")
        screen = t.wait_for("› draft text and more from the editor")
        assert "Save and close external editor" not in screen  # the waiting note is gone again
        t.send("Enter")
        t.wait_for("edited answer")
        t.wait_idle()
        t.send("C-d")
        t.wait_for("__EXIT_0__", 20, scrollback=True)
    rows = (env.home / "history.jsonl").read_text(encoding="utf-8")
    assert "draft text and more from the editor" in rows


def _pane(t: Tmux, pane: str) -> str:
    return t._tmux("capture-pane", "-p", "-t", f"{t.target}.{pane}")


def _wait(predicate: Callable[[], bool], what: str, timeout: float = 45.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not seen within {timeout}s")
        time.sleep(0.05)


def test_turn_notification_only_when_the_pane_is_unfocused(env: Env, tmux_sessions: list[Tmux], tmp_path: Path) -> None:
    """tmux forwards focus changes (`focus-events on`) to a pane that asked for them, with a client attached."""
    raw = tmp_path / "pane-output.bin"
    with ScriptedServer([message_turn("first answer"), message_turn("second answer")]) as server:
        env.write_config(server.base_url)
        t = _start(env, tmux_sessions, 'notification_method = "osc9"\n')
        tmux = t._tmux
        tmux("set-option", "-g", "focus-events", "on")
        tmux("pipe-pane", "-t", f"{t.target}.0", f"cat > {raw}")
        client = subprocess.Popen(
            ["script", "-qfc", f"tmux -L {t.socket} attach -t {t.target}", "/dev/null"],
            stdin=subprocess.PIPE,  # kept open: at end of input `script` would type Ctrl-D into the client
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait(lambda: tmux("list-clients") != "", "an attached client")
            tmux("send-keys", "-t", f"{t.target}.0", "-l", "one")
            tmux("send-keys", "-t", f"{t.target}.0", "Enter")
            _wait(lambda: "first answer" in _pane(t, "0"), "the first answer")
            _wait(lambda: "esc to interrupt" not in _pane(t, "0"), "the end of the first turn")
            time.sleep(0.3)
            assert b"\x1b]9;" not in raw.read_bytes()  # focused: no notification
            tmux("split-window", "-d", "-t", f"{t.target}.0", "sleep 60")
            tmux("select-pane", "-t", f"{t.target}.1")  # the codex pane loses focus
            time.sleep(0.3)
            tmux("send-keys", "-t", f"{t.target}.0", "-l", "two")
            tmux("send-keys", "-t", f"{t.target}.0", "Enter")
            _wait(lambda: b"\x1b]9;second answer\x07" in raw.read_bytes(), "the OSC 9 notification")
            assert "[O" not in _pane(t, "0") and "[I" not in _pane(t, "0")  # reports never reach the composer
        finally:
            client.terminate()
            client.communicate(timeout=10)

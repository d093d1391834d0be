import json
import os
import re
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from pycodex_tui import _sessions
from pycodex_tui._picker import Picker, ansi_frame
from pycodex_tui._sessions import SessionIndex
from pycodex_tui._text import markup, plain


def write_rollout(home: Path, n: int, *, cwd: str = "/w", source: str = "cli", text: str | None = None) -> Path:
    day = home / "sessions" / "2026" / "11" / f"{1 + n % 28:02d}"
    day.mkdir(parents=True, exist_ok=True)
    sid = f"0199{n:04d}-0000-7000-8000-{n:012d}"
    path = day / f"rollout-2026-11-01T10-00-{n % 60:02d}-{sid}.jsonl"
    lines = [
        {
            "timestamp": "t",
            "type": "session_meta",
            "payload": {
                "id": sid,
                "cwd": cwd,
                "source": source,
                "timestamp": "t",
                "git": {"branch": f"feature-{n % 3}"},
            },
        },
        {
            "timestamp": "t",
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": "<environment_context>x</environment_context>"}],
            },
        },
        {
            "timestamp": "t",
            "type": "response_item",
            "payload": {
                "type": "message",
                "role": "user",
                "content": [{"type": "input_text", "text": text or f"task number {n}"}],
            },
        },
    ]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    os.utime(path, (1_700_000_000 + n, 1_700_000_000 + n))
    return path


def test_index_lists_newest_first_and_filters(tmp_path: Path) -> None:
    for n in range(6):
        write_rollout(tmp_path, n, cwd="/w" if n % 2 else "/other", source="exec" if n == 5 else "cli")
    (tmp_path / "sessions" / "2026" / "11" / "01" / "rollout-broken.jsonl").write_text("{nope\n\x00", encoding="utf-8")
    index = SessionIndex(tmp_path)
    rows = index.select(cwd="/w")
    assert [r.preview for r in rows] == ["task number 3", "task number 1"]
    assert len(index.select(cwd="/w", include_non_interactive=True)) == 3
    assert len(index.select(cwd=None)) == 5


def test_index_rereads_only_changed_files(tmp_path: Path) -> None:
    path = write_rollout(tmp_path, 1)
    index = SessionIndex(tmp_path)
    assert index.list()[0].preview == "task number 1"
    write_rollout(tmp_path, 1, text="rewritten")
    os.utime(path, (1_800_000_000, 1_800_000_000))
    assert index.list()[0].preview == "rewritten"
    path.unlink()
    assert index.list() == []


def test_index_of_three_thousand_sessions_is_reused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(3000):
        write_rollout(tmp_path, n)
    first = SessionIndex(tmp_path).list()
    reads: list[Path] = []
    real = _sessions.read_head
    monkeypatch.setattr(_sessions, "read_head", lambda p: reads.append(p) or real(p))
    second = SessionIndex(tmp_path).list()
    assert len(second) == 3000 and first == second
    assert reads == []  # nothing re-read: the index answered


def test_picker_snapshot_search_and_paging(tmp_path: Path, snapshot: Callable[[str, str], None]) -> None:
    for n in range(30):
        write_rollout(tmp_path, n, text="fix the parser" if n == 7 else None)
    sessions = SessionIndex(tmp_path).select(cwd="/w")
    picker = Picker(sessions, show_cwd=True)
    snapshot("picker", markup(picker.lines(width=100, now=1_700_000_000 + 3600 * 5)))
    picker.move(26)
    assert "page 2/2" in markup(picker.lines(width=100))
    picker.set_query("parser")
    assert [s.preview for s in picker.matches] == ["fix the parser"]
    assert picker.current() is not None and picker.current() == picker.matches[0]
    picker.set_query("no such words")
    assert picker.current() is None and "No sessions match." in markup(picker.lines())


@pytest.mark.anyio
async def test_run_picker_types_a_search_and_picks_with_enter(tmp_path: Path) -> None:
    import anyio
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from pycodex_tui._picker import NEW_SESSION, run_picker

    for n in range(5):
        write_rollout(tmp_path, n, text="fix the parser" if n == 2 else None)
    index = SessionIndex(tmp_path)
    fresh = index.select(cwd="/w")
    stale = fresh[:1]  # the cached listing knew only one session
    result: list[object] = []
    with create_pipe_input() as inp:
        inp.send_text("parser")
        with anyio.fail_after(5):
            async with anyio.create_task_group() as tg:

                async def run() -> None:
                    result.append(
                        await run_picker(
                            stale, show_cwd=False, title="t", refresh=lambda: fresh, input=inp, output=DummyOutput()
                        )
                    )

                tg.start_soon(run)
                while not result:  # Enter does nothing until the refreshed listing has a match
                    await anyio.sleep(0.1)
                    inp.send_text("\r")
    assert getattr(result[0], "preview", None) == "fix the parser"
    with create_pipe_input() as inp:
        inp.send_text("\x1b")
        with anyio.fail_after(5):
            assert await run_picker(fresh, show_cwd=False, title="t", input=inp, output=DummyOutput()) == NEW_SESSION


def test_read_head_stops_early_and_bounds_what_it_reads(tmp_path: Path) -> None:
    from pycodex_tui._sessions import read_head

    big = tmp_path / "rollout-big.jsonl"
    meta = {"type": "session_meta", "payload": {"id": "x1", "cwd": "/w", "base_instructions": {"text": "i" * 200_000}}}
    user = {"type": "event_msg", "payload": {"type": "user_message", "message": "the first ask"}}
    tail = "\n".join(
        json.dumps({"type": "event_msg", "payload": {"type": "agent_message", "message": "m" * 1000}})
        for _ in range(3000)
    )
    big.write_text(json.dumps(meta) + "\n" + json.dumps(user) + "\n" + tail + "\n", encoding="utf-8")
    assert read_head(big)["preview"] == "the first ask" and read_head(big)["id"] == "x1"
    endless = tmp_path / "rollout-endless.jsonl"
    endless.write_bytes(b"x" * (5 * 1024 * 1024))
    assert read_head(endless)["preview"] == ""
    assert read_head(tmp_path / "missing.jsonl")["id"] == ""


_SGR = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def test_ansi_frame_draws_the_pickers_lines(tmp_path: Path) -> None:
    for n in range(30):
        write_rollout(tmp_path, n, text="ünïcode 日本 task" if n == 29 else None)
    picker = Picker(SessionIndex(tmp_path).select(cwd="/w"), title="Resume a previous session")
    frame = ansi_frame(
        picker,
        80,
        12,
    )
    assert frame.startswith("\x1b[?1049h\x1b[H\x1b[2J\x1b[?7l") and frame.endswith("\x1b[?7h")
    rows = _SGR.sub("", frame).split("\r\n")
    assert rows == [plain(line) for line in picker.lines(80)[:11]]
    assert "\x1b[1mResume a previous session\x1b[0m" in frame
    assert "\x1b[36;1m› " in frame  # the highlighted row, as the application styles it


def test_first_paint_happens_before_the_application_loads(tmp_path: Path) -> None:
    home, work = tmp_path / "home", tmp_path / "work"
    work.mkdir()
    for n in range(50):
        write_rollout(home, n, cwd=str(work))
    (home / "config.toml").write_text(f'[projects."{work}"]\ntrust_level = "trusted"\n', encoding="utf-8")
    probe = textwrap.dedent(
        f"""
        import fcntl, os, struct, sys, termios
        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 20, 100, 0, 0))
        sys.stdout = os.fdopen(slave, "w", encoding="utf-8", closefd=False)
        from pycodex_tui._args import parse_args
        from pycodex_tui._main import _early_picker
        os.chdir({str(work)!r})
        early = _early_picker(parse_args([], "resume"))
        sys.stdout.flush()
        screen = os.read(master, 1 << 16).decode("utf-8")
        loaded = [m for m in ("prompt_toolkit", "asyncio", "pycodex_core", "wcwidth") if m in sys.modules]
        print(early is not None and early[1].painted, "task number 49" in screen, loaded, file=sys.stderr)
        """
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")} | {"CODEX_HOME": str(home)}
    env["TERM"] = "xterm-256color"
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env, encoding="utf-8"
    )
    assert out.stderr.strip().splitlines()[-1] == "True True []", out.stderr

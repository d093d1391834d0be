import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from pycodex_tui import _sessions
from pycodex_tui._picker import Picker
from pycodex_tui._sessions import SessionIndex
from pycodex_tui._text import markup


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

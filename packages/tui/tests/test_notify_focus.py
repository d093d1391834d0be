"""Focus reports from the terminal and the desktop notifications that depend on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from tui_harness import Harness, running, until

from pycodex_config import TuiConfig
from pycodex_tui._notify import approval_text, escape_sequence, resolve_method, turn_complete_text

pytestmark = pytest.mark.anyio


async def _turn(h: Harness, answer: str = "All\n done.") -> None:
    """A whole turn from core; returns once the app has handled its end."""
    await h.fake.emit({"type": "task_started", "turn_id": "t1"})
    await h.fake.emit({"type": "task_complete", "turn_id": "t1", "last_agent_message": answer})
    await until(lambda: not h.ui.chat.running and h.ui.chat.last_agent_message == answer)


async def test_focus_reporting_is_on_while_running_and_off_at_exit(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await until(lambda: "\x1b[?1004h" in h.output.text())
        assert "\x1b[?1004l" not in h.output.text()
    assert h.output.text().rindex("\x1b[?1004l") > h.output.text().rindex("\x1b[?1004h")


async def test_focus_reports_never_reach_the_composer(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("ab\x1b[O")
        await until(lambda: not h.ui.focus.focused)
        h.keys("c\x1b[Id")
        await until(lambda: h.ui.buffer.text == "abcd")
        assert h.ui.focus.focused


async def test_unfocused_condition_notifies_only_when_the_terminal_is_unfocused(tmp_path: Path) -> None:
    tui = TuiConfig(notification_method="osc9")
    async with running(tmp_path, tui) as h:
        await _turn(h, "first")
        assert "\x1b]9;" not in h.output.text()  # focused: no notification
        h.keys("\x1b[O")
        await until(lambda: not h.ui.focus.focused)
        await _turn(h)
        await until(lambda: "\x1b]9;" in h.output.text())
        assert "\x1b]9;All done.\x07" in h.output.text()


async def test_always_condition_and_type_list(tmp_path: Path) -> None:
    tui = TuiConfig(notification_method="bel", notification_condition="always", notifications=("approval-requested",))
    async with running(tmp_path, tui) as h:
        await _turn(h)
        assert "\x07" not in h.output.text()  # agent-turn-complete is not in the list
        await h.fake.emit({"type": "exec_approval_request", "call_id": "c1", "command": ["ls"], "cwd": "/w"})
        await until(lambda: h.ui.modal is not None)
        await until(lambda: h.output.text().count("\x07") == 1)
        await h.fake.emit({"type": "apply_patch_approval_request", "call_id": "c2", "changes": {"/w/a": {}}})
        await until(lambda: len(h.ui.chat.approvals) == 2)
        assert h.output.text().count("\x07") == 2  # the one queued behind the open modal notifies too


async def test_notifications_off(tmp_path: Path) -> None:
    tui = TuiConfig(notification_method="osc9", notification_condition="always", notifications=False)
    async with running(tmp_path, tui) as h:
        h.keys("\x1b[O")
        await until(lambda: not h.ui.focus.focused)
        await _turn(h)
        await h.fake.emit({"type": "exec_approval_request", "call_id": "c1", "command": ["ls"], "cwd": "/w"})
        await until(lambda: h.ui.modal is not None)
        assert "\x1b]9;" not in h.output.text()


def test_notification_texts() -> None:
    assert turn_complete_text(None) == "Agent turn complete"
    assert turn_complete_text("  line one\n\tline two ") == "line one line two"
    assert len(turn_complete_text("x" * 500)) == 200
    assert approval_text("exec", {"command": ["bash", "-lc", "rm -rf build && make all -j8 install"]}) == (
        "Approval requested: rm -rf build && make all -j8 …"
    )
    assert approval_text("patch", {"changes": {"/w/src/a.py": {}}}, "/w") == "Codex wants to edit src/a.py"
    assert approval_text("patch", {"changes": {"/w/a": {}, "/w/b": {}}}, "/w") == "Codex wants to edit 2 files"


def test_escape_sequences_cannot_be_broken_by_the_text() -> None:
    assert escape_sequence("osc9", "a\x07b\x1b]c") == "\x1b]9;a b ]c\x07"
    assert escape_sequence("osc777", "done") == "\x1b]777;notify;Codex;done\x07"
    assert escape_sequence("bel", "done") == "\x07"


def test_auto_method_follows_the_terminal() -> None:
    assert resolve_method("auto", {"TERM": "xterm-256color"}) == "bel"
    assert resolve_method("auto", {"TERM": "xterm-kitty"}) == "osc9"
    assert resolve_method("auto", {"ITERM_SESSION_ID": "x"}) == "osc9"
    assert resolve_method("auto", {"TERM_PROGRAM": "WezTerm", "WT_SESSION": "1"}) == "bel"
    assert resolve_method("osc777", {}) == "osc777"

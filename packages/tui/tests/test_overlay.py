"""Ctrl-T: the transcript overlay (pager over the whole transcript)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from tui_harness import Harness, running, until

from pycodex_tui._overlay import wrap_line
from pycodex_tui._text import markup, plain

pytestmark = pytest.mark.anyio


def _screen(h: Harness) -> list[str]:
    """The overlay as drawn on the (30 x 80) test terminal."""
    assert h.ui.overlay is not None
    return [plain(line) for line in h.ui.overlay.screen(h.ui, 80, 30)]


async def _fill(h: Harness, count: int) -> None:
    text = "\n".join(f"line {i:03}" for i in range(count))
    await h.fake.emit({"type": "agent_message", "message": text})
    await until(lambda: f"line {count - 1:03}" in h.transcript())


async def test_ctrl_t_opens_the_transcript_and_q_closes_it(
    tmp_path: Path, snapshot: Callable[[str, str], None]
) -> None:
    async with running(tmp_path) as h:
        await _fill(h, 30)
        h.keys("draft")
        await until(lambda: h.ui.buffer.text == "draft")
        h.keys("\x14")
        await until(lambda: h.ui.overlay is not None)
        assert h.ui.app.renderer.full_screen  # drawn on the alternate screen
        assert h.ui.overlay is not None
        snapshot("overlay_bottom", markup(h.ui.overlay.screen(h.ui, 40, 10)))
        h.keys("x\r")  # keys of the composer do nothing while the overlay is open
        h.keys("q")
        await until(lambda: h.ui.overlay is None)
        assert h.ui.buffer.text == "draft" and "user_input" not in h.fake.kinds()
        assert not h.ui.app.renderer.full_screen


async def test_overlay_scrolls_and_jumps(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await _fill(h, 60)
        h.keys("\x14")
        await until(lambda: h.ui.overlay is not None)
        bottom = _screen(h)
        assert bottom[0].startswith("/ T R A N S C R I P T /") and bottom[-1].endswith("100%")
        assert "line 059" in "".join(bottom)
        assert bottom[-3] == "  line 059"
        h.keys("k")
        await until(lambda: _screen(h)[-3] == "  line 058")
        h.keys("\x1b[H")  # Home
        await until(lambda: "line 000" in "".join(_screen(h)))
        top = _screen(h)
        assert top[-1].endswith("0%") and "line 059" not in "".join(top)
        h.keys("j")
        await until(lambda: "line 000" not in "".join(_screen(h)))
        h.keys("G")
        await until(lambda: "line 059" in "".join(_screen(h)))
        h.keys("\x1b")
        await until(lambda: h.ui.overlay is None)


async def test_lines_committed_while_open_are_shown_and_printed_after(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("\x14")
        await until(lambda: h.ui.overlay is not None)
        await h.fake.emit({"type": "agent_message", "message": "arrived while open"})
        await until(lambda: "arrived while open" in "".join(_screen(h)))
        assert h.ui.scrollback.paused
        h.keys("\x14")
        await until(lambda: h.ui.overlay is None and not h.ui.scrollback.paused)


def test_wrap_line_keeps_styles_and_wide_characters() -> None:
    assert wrap_line([], 5) == [[]]
    assert wrap_line([("b", "abc"), ("", "defg")], 3) == [[("b", "abc")], [("", "def")], [("", "g")]]
    assert [plain(r) for r in wrap_line([("", "日本語ab")], 4)] == ["日本", "語ab"]
    assert wrap_line([("a", "ab"), ("b", "cd"), ("", "e")], 4) == [[("a", "ab"), ("b", "cd")], [("", "e")]]
    assert wrap_line([("", "abcd")], 4) == [[("", "abcd")]]  # exactly full: no empty row after it
    assert [plain(r) for r in wrap_line([("", "a日")], 2)] == ["a", "日"]  # a wide character never splits

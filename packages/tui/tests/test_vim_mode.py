"""Vim editing in the composer: `[tui] vim_mode_default`, `/vim`, Esc in insert and normal mode, the footer label."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from prompt_toolkit.enums import EditingMode
from tui_harness import Harness, running, until

from pycodex_config import TuiConfig
from pycodex_tui._text import markup, plain

pytestmark = pytest.mark.anyio

VIM = TuiConfig(vim_mode_default=True)


def _footer(h: Harness) -> str:
    return plain(h.ui.footer_line())


async def test_vim_mode_default_starts_in_normal_mode_and_edits_like_vim(
    tmp_path: Path, snapshot: Callable[[str, str], None]
) -> None:
    async with running(tmp_path, VIM) as h:
        assert h.ui.app.editing_mode == EditingMode.VI
        assert _footer(h).endswith("Vim: Normal")
        h.keys("xhl")  # normal-mode keys, not text
        h.keys("ihello world")
        await until(lambda: h.ui.buffer.text == "hello world")
        assert _footer(h).endswith("Vim: Insert")
        snapshot("footer_vim_insert", markup([h.ui.footer_line()]))
        h.keys("\x1b")
        await until(lambda: _footer(h).endswith("Vim: Normal"))
        h.keys("0dw")
        await until(lambda: h.ui.buffer.text == "world")
        h.keys("A!\x1b")
        await until(lambda: h.ui.buffer.text == "world!" and _footer(h).endswith("Vim: Normal"))
        h.keys("\r")
        await until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == "world!"
        await until(lambda: _footer(h).endswith("Vim: Insert"))  # ready for the next message


async def test_esc_in_insert_mode_does_not_interrupt_and_esc_in_normal_mode_does(tmp_path: Path) -> None:
    async with running(tmp_path, VIM) as h:
        h.keys("i")
        await until(lambda: _footer(h).endswith("Vim: Insert"))
        await h.fake.emit({"type": "task_started", "turn_id": "t1"})
        await until(lambda: h.ui.chat.running)
        h.keys("\x1b")
        await until(lambda: _footer(h).endswith("Vim: Normal"))
        assert "interrupt" not in h.fake.kinds()
        h.keys("\x1b")
        await until(lambda: "interrupt" in h.fake.kinds())


async def test_esc_esc_backtrack_hint_comes_from_normal_mode(tmp_path: Path) -> None:
    async with running(tmp_path, VIM) as h:
        h.keys("i")
        await until(lambda: _footer(h).endswith("Vim: Insert"))
        h.keys("\x1b")
        await until(lambda: _footer(h).endswith("Vim: Normal"))
        assert "esc again" not in _footer(h)  # the first Esc only left insert mode
        h.keys("\x1b")
        await until(lambda: "esc again to edit previous message" in _footer(h))


async def test_slash_in_normal_mode_opens_the_command_popup(tmp_path: Path) -> None:
    async with running(tmp_path, VIM) as h:
        h.keys("/st")
        await until(lambda: h.ui.buffer.text == "/st")
        assert h.ui.popup_kind() == "slash"
        assert _footer(h).endswith("Vim: Insert")


async def test_slash_vim_toggles_vim_mode(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        assert h.ui.app.editing_mode == EditingMode.EMACS
        assert "Vim" not in _footer(h)
        h.keys("/vim\r")
        await until(lambda: "Vim mode enabled." in h.transcript())
        assert h.ui.app.editing_mode == EditingMode.VI and _footer(h).endswith("Vim: Normal")
        h.keys("i/vim\r")
        await until(lambda: "Vim mode disabled." in h.transcript())
        assert h.ui.app.editing_mode == EditingMode.EMACS
        h.keys("plain text")
        await until(lambda: h.ui.buffer.text == "plain text")


async def test_normal_mode_letters_do_not_edit_the_composer_under_the_modal(tmp_path: Path) -> None:
    async with running(tmp_path, VIM) as h:
        h.keys("idraft\x1b")
        await until(lambda: h.ui.buffer.text == "draft" and _footer(h).endswith("Vim: Normal"))
        await h.fake.emit({"type": "exec_approval_request", "call_id": "c1", "command": ["ls"], "cwd": "/w"})
        await until(lambda: h.ui.modal is not None)
        h.keys("x0D")  # Vim commands; with the modal open they do nothing
        h.keys("\x14")  # the transcript overlay opens over the modal; its keys are its own
        await until(lambda: h.ui.overlay is not None)
        h.keys("y")
        h.keys("q")
        await until(lambda: h.ui.overlay is None)
        assert "exec_approval" not in h.fake.kinds()
        h.keys("y")
        await until(lambda: "exec_approval" in h.fake.kinds())
        assert h.fake.ops[-1]["decision"] == "approved"
        assert h.ui.buffer.text == "draft"

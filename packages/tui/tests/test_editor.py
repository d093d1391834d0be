"""Ctrl-G: the composer's text edited in `$VISUAL` / `$EDITOR`."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from tui_harness import running, until

from pycodex_tui._editor import EDITOR_UNSET, EditorError, edit_text, editor_command

pytestmark = pytest.mark.anyio


def _editor_script(tmp_path: Path, body: str) -> str:
    """An `$EDITOR` value running a small Python program on the draft file (its path is `sys.argv[1]`)."""
    script = tmp_path / "fake_editor.py"
    script.write_text("import sys\nfrom pathlib import Path\np = Path(sys.argv[1])\n" + body, encoding="utf-8")
    return f"{sys.executable} {script}"


async def test_ctrl_g_puts_the_edited_text_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor_script(tmp_path, "p.write_text(p.read_text().upper() + ' edited\\n')\n"))
    async with running(tmp_path) as h:
        h.keys("fix the bug")
        await until(lambda: h.ui.buffer.text == "fix the bug")
        h.keys("\x07")
        await until(lambda: h.ui.buffer.text == "FIX THE BUG edited", seconds=20)
        assert h.ui.buffer.cursor_position == len("FIX THE BUG edited")
        assert h.ui.focus.reporting and not h.ui.scrollback.paused
        shown = h.output.text()
        hint = shown.index("Save and close external editor to continue.")
        assert shown.rindex("\x1b[?1004l", 0, hint) > shown.rindex("\x1b[?1004h", 0, hint)  # no reports meanwhile
        assert shown.index("\r\x1b[2K", hint) < shown.index("\x1b[?1004h", hint)


async def test_visual_wins_over_editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VISUAL", _editor_script(tmp_path, "p.write_text('from visual')\n"))
    monkeypatch.setenv("EDITOR", "false")
    async with running(tmp_path) as h:
        h.keys("\x07")
        await until(lambda: h.ui.buffer.text == "from visual", seconds=20)


async def test_a_failing_editor_is_reported_and_the_text_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", _editor_script(tmp_path, "p.write_text('lost')\nsys.exit(3)\n"))
    async with running(tmp_path) as h:
        h.keys("keep me")
        await until(lambda: h.ui.buffer.text == "keep me")
        h.keys("\x07")
        await until(lambda: "exited with status 3" in h.transcript(), seconds=20)
        assert h.ui.buffer.text == "keep me"


async def test_no_editor_configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    async with running(tmp_path) as h:
        h.keys("draft\x07")
        await until(lambda: EDITOR_UNSET in h.transcript())
        assert h.ui.buffer.text == "draft"


def test_editor_command_parsing() -> None:
    assert editor_command({"EDITOR": "code --wait"}) == ["code", "--wait"]
    assert editor_command({"VISUAL": "  ", "EDITOR": "'my editor' -n"}) == ["my editor", "-n"]
    with pytest.raises(EditorError, match="failed to parse"):
        editor_command({"VISUAL": "vim 'unclosed"})
    with pytest.raises(EditorError, match=r"set \$VISUAL or \$EDITOR"):
        editor_command({})


def test_missing_editor_binary(tmp_path: Path) -> None:
    with pytest.raises(EditorError, match="Failed to open the editor"):
        edit_text([str(tmp_path / "no-such-editor")], "x")


def test_draft_replaced_by_a_fifo_or_a_huge_file_is_refused(tmp_path: Path) -> None:
    fifo = _editor_script(tmp_path, "import os\np.unlink()\nos.mkfifo(p)\n").split()
    with pytest.raises(EditorError, match="no longer a regular file"):
        edit_text(fifo, "x")
    huge = _editor_script(tmp_path, "p.write_bytes(b'a' * (5 * 1024 * 1024))\n").split()
    with pytest.raises(EditorError, match="larger than 4 MiB"):
        edit_text(huge, "x")
    invalid = _editor_script(tmp_path, "p.write_bytes(b'ok \\xff\\r\\nend\\n')\n").split()
    assert edit_text(invalid, "x") == "ok \ufffd\nend"

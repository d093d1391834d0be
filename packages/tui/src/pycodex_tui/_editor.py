"""Ctrl-G: edit the composer's text in `$VISUAL` / `$EDITOR`, with the terminal handed over meanwhile."""

from __future__ import annotations

import os
import shlex
import stat
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit.application import run_in_terminal
from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

from ._cells import error_cell

if TYPE_CHECKING:
    from ._app import TuiApp

__all__ = ["EDITOR_UNSET", "EditorError", "add_editor_keys", "edit_text", "editor_command", "open_editor"]

EDITOR_UNSET = "Cannot open external editor: set $VISUAL or $EDITOR before starting Codex."
WAITING = "Save and close external editor to continue."
MAX_DRAFT_BYTES = 4 * 1024 * 1024
"""A draft read back from the editor larger than this is refused (the composer keeps its text)."""


class EditorError(Exception):
    """The editor could not be found, started, or gave back no usable text."""


def editor_command(env: Mapping[str, str]) -> list[str]:
    """The editor's argv from `$VISUAL`, else `$EDITOR` (split as a shell would, without running a shell)."""
    for var in ("VISUAL", "EDITOR"):
        value = env.get(var, "").strip()
        if not value:
            continue
        try:
            argv = shlex.split(value)
        except ValueError as exc:
            raise EditorError(f"Cannot open external editor: failed to parse ${var} ({exc}).") from None
        if argv:
            return argv
    raise EditorError(EDITOR_UNSET)


def _read_draft(path: Path) -> str:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        raise EditorError(f"Could not read the edited draft: {exc.strerror or exc}.") from None
    with os.fdopen(fd, "rb") as f:
        info = os.fstat(f.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise EditorError("Could not read the edited draft: it is no longer a regular file.")
        data = f.read(MAX_DRAFT_BYTES + 1)
    if len(data) > MAX_DRAFT_BYTES:
        raise EditorError(f"The edited draft is larger than {MAX_DRAFT_BYTES // (1024 * 1024)} MiB; it was not loaded.")
    text = data.decode("utf-8", errors="replace").replace("\r\n", "\n")
    return text.removesuffix("\n")  # editors end the file with a newline the draft did not have


def edit_text(argv: Sequence[str], text: str) -> str:
    """Run the editor on a private temporary file holding `text`; return the file's text afterwards.

    Blocking: it waits for the editor to exit. Raises `EditorError` when the editor cannot be started,
    exits with a failure status, or leaves something unreadable behind.
    """
    with tempfile.TemporaryDirectory(prefix="codex-draft-") as tmp:  # a 0700 directory
        path = Path(tmp) / "draft.md"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        try:
            done = subprocess.run([*argv, str(path)], check=False)
        except OSError as exc:
            raise EditorError(f"Failed to open the editor `{argv[0]}`: {exc.strerror or exc}.") from None
        if done.returncode != 0:
            raise EditorError(f"The editor exited with status {done.returncode}; the draft is unchanged.")
        return _read_draft(path)


async def open_editor(ui: TuiApp, env: Mapping[str, str] | None = None) -> None:
    """Hand the terminal to the editor with the composer's text, and put the edited text back."""
    try:
        argv = editor_command(os.environ if env is None else env)
    except EditorError as exc:
        ui.scrollback.write([*error_cell(str(exc)), []])
        return
    text = ui.buffer.text
    output = ui.app.output
    ui.scrollback.paused = True  # nothing is printed over the editor
    ui.focus.disable(output)

    def edit() -> str:
        # Shown while a windowed editor (`code --wait`) has the draft; cleared when it returns.
        output.write_raw(f"\x1b[2m{WAITING}\x1b[0m")
        output.flush()
        try:
            return edit_text(argv, text)
        finally:
            output.write_raw("\r\x1b[2K")
            output.flush()

    try:
        edited = await run_in_terminal(edit, in_executor=True)
    except EditorError as exc:
        ui.scrollback.write([*error_cell(str(exc)), []])
        return
    finally:
        ui.focus.enable(output)
        ui.scrollback.resume()
    ui.buffer.set_document(Document(edited, len(edited)), bypass_readonly=True)


def add_editor_keys(ui: TuiApp, kb: KeyBindings) -> None:
    """Ctrl-G opens the editor (not while an approval is asked, nor while the editor is already open)."""
    busy: list[bool] = []

    async def edit() -> None:
        busy.append(True)
        try:
            await open_editor(ui)
        finally:
            busy.clear()

    @kb.add("c-g", filter=Condition(lambda: ui.modal is None and not busy))
    def _edit(event: KeyPressEvent) -> None:
        ui.app.create_background_task(edit())

"""Key bindings: composer, popups, approval modal, interrupt and quit."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from prompt_toolkit.document import Document
from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys

from ._editor import add_editor_keys
from ._overlay import add_overlay_keys
from ._vim import add_vim_keys, after_submit

if TYPE_CHECKING:
    from ._app import TuiApp

__all__ = ["build_keys"]

_DOUBLE_ESC_S = 1.0


def build_keys(ui: TuiApp) -> KeyBindings:
    """All bindings of the application (later ones win over earlier ones for the same key)."""
    kb = KeyBindings()
    _composer(ui, kb)
    _paste(ui, kb)
    _control(ui, kb)
    _history_keys(ui, kb)
    _popup(ui, kb)
    add_vim_keys(ui, kb, Condition(lambda: ui.modal is not None))
    add_editor_keys(ui, kb)
    _modal(ui, kb)
    add_overlay_keys(ui, kb)
    _focus_reports(ui, kb)
    return kb


def _focus_reports(ui: TuiApp, kb: KeyBindings) -> None:
    @kb.add(Keys.Ignore, eager=True)
    def _report(event: KeyPressEvent) -> None:
        """Focus-in / focus-out reports arrive as ignored keys; other ignored keys stay ignored."""
        ui.focus.feed(event.data)


def _accept(ui: TuiApp) -> None:
    text = ui.buffer.text
    ui.buffer.reset()
    after_submit(ui.app)
    ui.app.create_background_task(ui.submit_text(text))


def _composer(ui: TuiApp, kb: KeyBindings) -> None:
    @kb.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        _accept(ui)

    @kb.add("c-j")
    @kb.add("escape", "enter")
    def _newline(event: KeyPressEvent) -> None:
        ui.buffer.insert_text("\n")

    @kb.add("tab")
    def _tab(event: KeyPressEvent) -> None:
        text = ui.buffer.text
        if ui.chat.running and text.strip():
            ui.queued.append(text)
            ui.buffer.reset()
        else:
            ui.buffer.insert_text("    ")


def _control(ui: TuiApp, kb: KeyBindings) -> None:
    @kb.add("escape")
    def _esc(event: KeyPressEvent) -> None:
        if ui.chat.running:
            ui.interrupt()
            return
        now = time.monotonic()
        if not ui.buffer.text and now - ui.last_esc < _DOUBLE_ESC_S:
            ui.last_esc = 0.0
            from ._commands import backtrack

            backtrack(ui)
            return
        ui.last_esc = now
        if not ui.buffer.text:
            ui.show_hint("esc again to edit previous message")

    @kb.add("c-c")
    def _ctrl_c(event: KeyPressEvent) -> None:
        if ui.buffer.text:
            ui.history.draft = ui.buffer.text
            ui.buffer.reset()
        elif ui.chat.running:
            ui.interrupt()
        else:
            ui.quit()

    @kb.add("c-d")
    def _ctrl_d(event: KeyPressEvent) -> None:
        if not ui.buffer.text:
            ui.quit()
        else:
            ui.buffer.delete()


def _history_keys(ui: TuiApp, kb: KeyBindings) -> None:
    @kb.add("up")
    def _up(event: KeyPressEvent) -> None:
        doc = ui.buffer.document
        if doc.cursor_position_row > 0 and ui.history.cursor is None:
            ui.buffer.cursor_up()
            return
        entry = ui.history.older(ui.buffer.text)
        if entry is not None:
            ui.buffer.set_document(_doc(entry), bypass_readonly=True)
            ui.history.cursor = ui.history.cursor  # keep browsing state

    @kb.add("down")
    def _down(event: KeyPressEvent) -> None:
        doc = ui.buffer.document
        if ui.history.cursor is None:
            if doc.cursor_position_row < doc.line_count - 1:
                ui.buffer.cursor_down()
            return
        entry = ui.history.newer()
        if entry is not None:
            cursor = ui.history.cursor
            ui.buffer.set_document(_doc(entry), bypass_readonly=True)
            ui.history.cursor = cursor

    @kb.add("c-r")
    def _search(event: KeyPressEvent) -> None:
        needle = ui.buffer.text
        found = ui.history.search(needle, ui.history.cursor) if needle else None
        if found is None:
            ui.show_hint(f"no earlier prompt contains {needle!r}" if needle else "type text, then ctrl+r to search")
            return
        index, text = found
        ui.buffer.set_document(_doc(text), bypass_readonly=True)
        ui.history.cursor = index


LARGE_PASTE = 1000
"""Pastes longer than this (in characters) show as a placeholder in the composer."""
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp")


def _paste(ui: TuiApp, kb: KeyBindings) -> None:
    @kb.add(Keys.BracketedPaste)
    def _pasted(event: KeyPressEvent) -> None:
        data = event.data.replace("\r\n", "\n").replace("\r", "\n")
        candidate = data.strip().strip("'\"")
        if "\n" not in candidate and candidate.lower().endswith(_IMAGE_SUFFIXES):
            path = Path(candidate).expanduser()
            if path.is_file():
                ui.images.append(str(path))
                ui.buffer.insert_text(f"[Image #{len(ui.images)}] ")
                return
        if len(data) > LARGE_PASTE:
            placeholder = f"[Pasted Content {len(data)} chars]"
            if placeholder in ui.pastes:  # the same size pasted twice: number them
                placeholder = f"[Pasted Content {len(data)} chars #{len(ui.pastes) + 1}]"
            ui.pastes[placeholder] = data
            ui.buffer.insert_text(placeholder)
            return
        ui.buffer.insert_text(data)


def _doc(text: str) -> Document:
    return Document(text, len(text))


def _popup(ui: TuiApp, kb: KeyBindings) -> None:
    shown = Condition(lambda: ui.popup_kind() is not None)

    @kb.add("up", filter=shown)
    def _up(event: KeyPressEvent) -> None:
        _move(ui, -1)

    @kb.add("down", filter=shown)
    def _down(event: KeyPressEvent) -> None:
        _move(ui, 1)

    @kb.add("tab", filter=shown)
    def _tab(event: KeyPressEvent) -> None:
        _pick(ui, run=False)

    @kb.add("enter", filter=shown)
    def _enter(event: KeyPressEvent) -> None:
        _pick(ui, run=True)

    @kb.add("escape", filter=shown)
    @kb.add("c-c", filter=shown)
    def _close(event: KeyPressEvent) -> None:
        if ui.choice is not None:
            ui.choice = None
        elif ui.popup_kind() == "slash":
            ui.buffer.reset()
        else:
            word = ui.buffer.document.get_word_before_cursor(WORD=True)
            ui.buffer.delete_before_cursor(len(word))


def _move(ui: TuiApp, delta: int) -> None:
    if ui.choice is not None:
        ui.choice.selected = (ui.choice.selected + delta) % max(len(ui.choice.items), 1)
        return
    count = len(ui.popup_items())
    if count:
        ui.popup_selected = (ui.popup_selected + delta) % count


def _pick(ui: TuiApp, *, run: bool) -> None:
    kind = ui.popup_kind()
    if kind == "choice" and ui.choice is not None:
        choice, ui.choice = ui.choice, None
        if choice.items:
            choice.items[choice.selected][2]()
        return
    items = ui.popup_items()
    if not items:
        if run:  # nothing to pick (no match, or files still being listed): Enter sends the text
            _accept(ui)
        return
    picked = items[min(ui.popup_selected, len(items) - 1)]
    if kind == "slash":
        typed = ui.buffer.text[1:]
        name = typed if run and typed in items else picked
        ui.buffer.set_document(_doc(f"/{name}" + ("" if run else " ")))
        if run:
            _accept(ui)
    elif kind == "file":
        word = ui.buffer.document.get_word_before_cursor(WORD=True)
        ui.buffer.delete_before_cursor(len(word))
        ui.buffer.insert_text(picked + " ")


def _modal(ui: TuiApp, kb: KeyBindings) -> None:
    # Eager, so that no other binding of a key (Vim's normal-mode letters, Emacs' control keys) edits
    # the hidden composer while the modal is open; the transcript overlay, drawn over it, comes first.
    open_ = Condition(lambda: ui.modal is not None and ui.overlay is None)

    @kb.add("<any>", filter=open_, eager=True)
    def _swallow(event: KeyPressEvent) -> None:
        """Keys other than the modal's do nothing while it is open."""

    for key in ("y", "a", "p", "g", "d", "n", "1", "2", "3", "4", "5", "6"):

        @kb.add(key, filter=open_, eager=True)
        def _choose(event: KeyPressEvent, key: str = key) -> None:
            modal = ui.modal
            choice = modal.choice_for_key(key) if modal is not None else None
            if choice is not None:
                ui.answer_modal(choice.decision)

    @kb.add("escape", filter=open_, eager=True)
    def _abort(event: KeyPressEvent) -> None:
        ui.answer_modal("abort")

    @kb.add("up", filter=open_, eager=True)
    def _up(event: KeyPressEvent) -> None:
        if ui.modal is not None:
            ui.modal.move(-1)

    @kb.add("down", filter=open_, eager=True)
    def _down(event: KeyPressEvent) -> None:
        if ui.modal is not None:
            ui.modal.move(1)

    @kb.add("enter", filter=open_, eager=True)
    def _confirm(event: KeyPressEvent) -> None:
        if ui.modal is not None:
            ui.answer_modal(ui.modal.choices[ui.modal.selected].decision)

    @kb.add("c-c", filter=open_, eager=True)
    def _ctrl_c(event: KeyPressEvent) -> None:
        ui.answer_modal("abort")

"""Vim editing in the composer (`[tui] vim_mode_default`, `/vim`), on prompt-toolkit's vi mode.

How Esc is shared with the application's own Esc (interrupt a turn, Esc-Esc to backtrack):

- In insert or replace mode, with a visual selection, or with an operator pending (`d`, `c`, `y`),
  Esc belongs to the editor: it returns to normal mode and does nothing else, even while a turn runs
  and even when a popup is open (as in Codex, one Esc never both leaves insert mode and acts on the UI).
- In normal mode Esc is the application's: it interrupts a running turn, closes a popup, or on an
  empty idle composer shows `esc again to edit previous message` and a second Esc backtracks.

So from insert mode an interrupt takes two presses (Esc to normal mode, Esc to interrupt); Ctrl-C
interrupts in any mode. Enabling Vim mode (at start-up or with `/vim`) starts in normal mode; after a
message is submitted the empty composer is back in insert mode, as readline's vi mode does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.enums import EditingMode
from prompt_toolkit.filters import Condition, Filter, vi_mode, vi_navigation_mode
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.key_binding.vi_state import InputMode

from ._text import Line

if TYPE_CHECKING:
    from prompt_toolkit.application import Application

    from ._app import TuiApp

__all__ = ["add_vim_keys", "after_submit", "set_vim", "vim_enabled", "vim_indicator"]

_LABELS = {
    InputMode.NAVIGATION: ("Normal", "fg:ansimagenta"),
    InputMode.INSERT: ("Insert", "fg:ansigreen"),
    InputMode.INSERT_MULTIPLE: ("Insert", "fg:ansigreen"),
    InputMode.REPLACE: ("Replace", "fg:ansicyan"),
    InputMode.REPLACE_SINGLE: ("Replace", "fg:ansicyan"),
}


def vim_enabled(app: Application[int]) -> bool:
    """Whether the composer edits the Vim way."""
    return app.editing_mode == EditingMode.VI


def set_vim(app: Application[int], enabled: bool) -> None:
    """Turn Vim editing on (in normal mode) or off (back to the default, Emacs-like keys)."""
    app.editing_mode = EditingMode.VI if enabled else EditingMode.EMACS
    state = app.vi_state
    state.operator_func = None
    state.operator_arg = None
    state.input_mode = InputMode.NAVIGATION if enabled else InputMode.INSERT
    app.invalidate()


def vim_indicator(app: Application[int]) -> Line:
    """The footer's mode label (`Vim: Normal`, `Vim: Insert`, ...), empty when Vim editing is off."""
    if not vim_enabled(app):
        return []
    if app.current_buffer.selection_state is not None:
        return [("fg:ansicyan", "Vim: Visual")]
    label, style = _LABELS.get(app.vi_state.input_mode, ("Normal", "fg:ansimagenta"))
    return [(style, f"Vim: {label}")]


def after_submit(app: Application[int]) -> None:
    """The composer was emptied by a submit: type the next message straight away."""
    if vim_enabled(app):
        app.vi_state.input_mode = InputMode.INSERT


def add_vim_keys(ui: TuiApp, kb: KeyBindings, modal_open: Filter) -> None:
    """Esc out of insert mode (before the application's Esc), and `/` on an empty normal-mode composer."""
    editor_owns_esc = vi_mode & ~vi_navigation_mode & ~modal_open

    @kb.add("escape", filter=editor_owns_esc)
    def _to_normal(event: KeyPressEvent) -> None:
        state = event.app.vi_state
        buffer = ui.buffer
        if state.input_mode != InputMode.NAVIGATION:
            buffer.cursor_position += buffer.document.get_cursor_left_position()
        state.input_mode = InputMode.NAVIGATION
        state.operator_func = None
        state.operator_arg = None
        if buffer.selection_state is not None:
            buffer.exit_selection()

    empty = Condition(lambda: not ui.buffer.text)

    @kb.add("/", filter=vi_navigation_mode & empty & ~modal_open)
    def _slash(event: KeyPressEvent) -> None:
        """As in Codex: `/` on an empty composer in normal mode starts a slash command."""
        ui.buffer.insert_text("/")
        event.app.vi_state.input_mode = InputMode.INSERT

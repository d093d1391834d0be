"""Ctrl-T: the transcript overlay, a pager over the whole transcript drawn on the alternate screen.

In inline mode the live area is erased and the terminal switches to its alternate screen while the
overlay is open, so the scrollback is left as it was; committed lines that arrive meanwhile are held
back (and shown in the overlay) and printed into the scrollback when it closes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.keys import Keys
from prompt_toolkit.utils import get_cwidth

from ._cells import DIM
from ._text import Line, truncate

if TYPE_CHECKING:
    from ._app import TuiApp

__all__ = ["TranscriptOverlay", "add_overlay_keys", "close_overlay", "open_overlay", "wrap_line"]

TITLE = "T R A N S C R I P T"
HINTS = "↑/↓ scroll · PgUp/PgDn page · Home/End jump · q quit"


def _fit(text: str, room: int) -> str:
    """The longest start of `text` that fits in `room` columns."""
    if text.isascii():
        return text[:room]
    used = 0
    for i, ch in enumerate(text):
        used += get_cwidth(ch)
        if used > room:
            return text[:i]
    return text


def wrap_line(line: Line, width: int) -> list[Line]:
    """`line` cut into rows of at most `width` columns (an empty line stays one empty row)."""
    width = max(width, 1)
    rows: list[Line] = [[]]
    used = 0
    for style, text in line:
        while text:
            piece = _fit(text, width - used)
            if not piece:
                if used == 0:  # a character wider than the whole row: give it a row of its own
                    piece = text[0]
                else:
                    rows.append([])
                    used = 0
                    continue
            rows[-1].append((style, piece))
            used += len(piece) if piece.isascii() else get_cwidth(piece)
            text = text[len(piece) :]
            if text and used >= width:
                rows.append([])
                used = 0
    return rows


class TranscriptOverlay:
    """Scroll state of the pager (`top` is None while it follows the bottom, as new lines arrive)."""

    def __init__(self) -> None:
        self.top: int | None = None
        self._pending = 0
        """Rows to move at the next draw (known only then: the content and the page size)."""
        self._cache: tuple[int, int, list[Line]] = (-1, 0, [])

    def _rows(self, ui: TuiApp, width: int) -> list[Line]:
        committed = ui.scrollback.count
        if self._cache[:2] != (committed, width):
            rows: list[Line] = []
            for line in ui.scrollback.lines:
                rows += wrap_line(line, width)
            self._cache = (committed, width, rows)
        live: list[Line] = []
        for line in ui.live_lines():
            live += wrap_line(line, width)
        return self._cache[2] + live

    def scroll(self, delta: int) -> None:
        """Move by `delta` rows (negative is up); reaching the bottom follows it again."""
        self._pending += delta

    def jump(self, *, top: bool) -> None:
        """Home (`top=True`) or End."""
        self.top = 0 if top else None
        self._pending = 0

    def screen(self, ui: TuiApp, width: int, height: int) -> list[Line]:
        """Title row, the visible rows of the transcript, and the hint row: exactly `height` lines."""
        body = max(height - 2, 1)
        rows = self._rows(ui, width)
        last = max(len(rows) - body, 0)
        top = last if self.top is None else min(self.top, last)
        top = max(min(top + self._pending, last), 0)
        self._pending = 0
        self.top = None if top >= last else top
        shown = rows[top : top + body]
        shown += [[] for _ in range(body - len(shown))]
        title = f"/ {TITLE} "
        title += "/ " * max((width - get_cwidth(title)) // 2, 0)
        percent = f"{100 if last == 0 else round(top * 100 / last)}%"
        hints = truncate(f"  {HINTS}", max(width - len(percent) - 2, 0))
        pad = max(width - get_cwidth(hints) - len(percent) - 1, 1)
        return [[(DIM, title[:width])], *shown, [(DIM, f"{hints}{' ' * pad}{percent}")]]


def open_overlay(ui: TuiApp) -> None:
    """Show the overlay (on the alternate screen in inline mode)."""
    if ui.overlay is not None:
        return
    ui.overlay = TranscriptOverlay()
    ui.scrollback.paused = True
    if ui.scrollback.inline:
        renderer = ui.app.renderer
        renderer.erase(leave_alternate_screen=False)
        renderer.full_screen = True  # the next draw enters the alternate screen
    ui.app.invalidate()


def close_overlay(ui: TuiApp) -> None:
    """Back to the live area; lines committed meanwhile are printed into the scrollback now."""
    if ui.overlay is None:
        return
    ui.overlay = None
    if ui.scrollback.inline:
        renderer = ui.app.renderer
        renderer.reset(leave_alternate_screen=True)
        renderer.full_screen = False
        ui.app._request_absolute_cursor_position()  # pyright: ignore[reportPrivateUsage]  (as run_in_terminal does)
    ui.scrollback.resume()
    ui.app.invalidate()


def add_overlay_keys(ui: TuiApp, kb: KeyBindings) -> None:
    """Ctrl-T opens the overlay; while it is open every key is its own (scroll, q / Esc / Ctrl-T close)."""
    shown = Condition(lambda: ui.overlay is not None)

    @kb.add("c-t", filter=~shown, eager=True)  # eager: it opens over the approval modal too
    def _open(event: KeyPressEvent) -> None:
        open_overlay(ui)

    # Eager: the overlay's keys win over the composer's and the modal's while it is open.
    @kb.add(Keys.Any, filter=shown, eager=True)
    def _swallow(event: KeyPressEvent) -> None:
        """Other keys do nothing while the overlay is open."""

    # key: (rows, pages) to move; a page is the screen's height less the title and hint rows.
    moves = {
        "up": (-1, 0.0),
        "k": (-1, 0.0),
        "down": (1, 0.0),
        "j": (1, 0.0),
        "pageup": (0, -1.0),
        "b": (0, -1.0),
        "pagedown": (0, 1.0),
        " ": (0, 1.0),
        "c-u": (0, -0.5),
        "c-d": (0, 0.5),
    }
    for key, (rows, pages) in moves.items():

        @kb.add(key, filter=shown, eager=True)
        def _move(event: KeyPressEvent, rows: int = rows, pages: float = pages) -> None:
            page = max(ui.app.output.get_size().rows - 2, 1)
            if ui.overlay is not None:
                ui.overlay.scroll(rows + int(pages * page))

    for key, top in (("home", True), ("g", True), ("end", False), ("G", False)):

        @kb.add(key, filter=shown, eager=True)
        def _jump(event: KeyPressEvent, top: bool = top) -> None:
            if ui.overlay is not None:
                ui.overlay.jump(top=top)

    for key in ("q", "escape", "c-t", "c-c"):

        @kb.add(key, filter=shown, eager=True)
        def _close(event: KeyPressEvent) -> None:
            close_overlay(ui)

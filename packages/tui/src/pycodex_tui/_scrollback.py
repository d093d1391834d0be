"""Printing finished cells above the live area, into the terminal's own scrollback."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import anyio
from prompt_toolkit.application import Application
from prompt_toolkit.application.current import set_app
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.shortcuts import print_formatted_text
from prompt_toolkit.styles import BaseStyle

from ._text import Line

logger = logging.getLogger(__name__)

__all__ = ["Scrollback"]

_FRAME_S = 0.008
"""Committed lines are printed at most about this often (a burst of deltas becomes one print)."""
_KEEP_LINES = 20_000
"""Lines kept in memory for the alternate-screen transcript and tests; older ones live only in the terminal."""


class Scrollback:
    """Collects committed lines and prints them in batches above the running application.

    In inline mode the lines go to the terminal (native scrollback, selection and copy); with the
    alternate screen they are kept for the transcript pane and printed to the normal screen at exit.
    """

    def __init__(self, style: BaseStyle, *, inline: bool = True) -> None:
        self.style = style
        self.inline = inline
        self.lines: list[Line] = []
        """The most recent committed lines (capped)."""
        self.count = 0
        """Lines committed so far."""
        self._pending: list[Line] = []
        self._wake = anyio.Event()
        self.paused = False
        """While True (the transcript overlay is open), queued lines wait instead of being printed."""

    def resume(self) -> None:
        """Print again, starting with what was held back."""
        self.paused = False
        self._wake.set()

    def write(self, lines: list[Line]) -> None:
        """Queue `lines` for printing."""
        if not lines:
            return
        self._pending.extend(lines)
        self.lines.extend(lines)
        self.count += len(lines)
        if len(self.lines) > _KEEP_LINES:
            del self.lines[: len(self.lines) - _KEEP_LINES]
        self._wake.set()

    def _fragments(self, lines: list[Line]) -> FormattedText:
        frags: list[tuple[str, str]] = []
        for line in lines:
            frags.extend(line)
            frags.append(("", "\n"))
        return FormattedText(frags)

    def print_now(self, app: Application[Any] | None, lines: list[Line]) -> None:
        """Print `lines` directly (the application is not drawing, e.g. before it starts or after it ends)."""
        output = app.output if app is not None else None
        print_formatted_text(self._fragments(lines), style=self.style, output=output, end="")

    async def run(self, app: Application[Any]) -> None:
        """Print queued lines whenever there are some, until cancelled."""
        with set_app(app):
            while True:
                await self._wake.wait()
                await anyio.sleep(_FRAME_S)  # let a burst of events land in one print
                self._wake = anyio.Event()
                await self.flush(app)

    async def flush(self, app: Application[Any]) -> None:
        """Print what is queued now."""
        if not self._pending or (self.paused and app.is_running):
            return
        batch, self._pending = self._pending, []
        if not self.inline:
            app.invalidate()
            return
        if not app.is_running:
            self.print_now(app, batch)
            return
        print_above(app, lambda: self.print_now(app, batch))


def print_above(app: Application[Any], write: Callable[[], None]) -> None:
    """Erase the live area, let `write` print, and have the live area drawn again below it.

    Unlike `run_in_terminal`, the terminal stays in raw mode and input stays attached, so keys
    typed while lines are printed are neither echoed by the terminal nor turned into newlines.
    """
    app.renderer.erase(leave_alternate_screen=False)
    write()
    app._request_absolute_cursor_position()  # pyright: ignore[reportPrivateUsage]  (what run_in_terminal does too)
    app.invalidate()

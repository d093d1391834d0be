"""The resume / fork picker: a page of saved sessions, searched as you type."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ._sessions import SessionInfo
from ._text import Line, truncate

if TYPE_CHECKING:
    from prompt_toolkit.application import Application
    from prompt_toolkit.input import Input
    from prompt_toolkit.key_binding import KeyBindings
    from prompt_toolkit.output import Output

# prompt-toolkit is imported when the application is built: `ansi_frame` paints the first screen
# from the index before that import (about a hundred milliseconds) has even started.

__all__ = ["NEW_SESSION", "Picker", "ansi_frame", "run_picker"]

PAGE = 25
NEW_SESSION = "new"
"""What `run_picker` returns when the user chose to start a new session instead (Esc)."""


def _ago(ts: float, now: float) -> str:
    secs = max(0, int(now - ts))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if secs >= size:
            n = secs // size
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return f"{secs} seconds ago"


class Picker:
    """Filter and selection over `sessions` (newest first)."""

    def __init__(
        self, sessions: list[SessionInfo], *, show_cwd: bool = False, title: str = "Resume a previous session"
    ):
        self.sessions = sessions
        self.show_cwd = show_cwd
        self.title = title
        self.query = ""
        self.selected = 0
        self.matches = sessions
        self._haystack: list[str] | None = None  # built at the first search, not for the first paint

    def replace_sessions(self, sessions: list[SessionInfo]) -> None:
        """Swap in a fresher listing, keeping the query (and the selection when it still exists)."""
        current = self.current()
        self.sessions = sessions
        self._haystack = None
        self.set_query(self.query)
        if current is not None:
            for i, s in enumerate(self.matches):
                if s.file == current.file:
                    self.selected = i
                    break

    def set_query(self, query: str) -> None:
        """Filter on `query` (every word must appear in the preview, branch, cwd or id)."""
        self.query = query
        words = query.lower().split()
        if not words:
            self.matches = self.sessions
        else:
            if self._haystack is None:
                self._haystack = [f"{s.preview}\n{s.branch}\n{s.cwd}\n{s.id}".lower() for s in self.sessions]
            hay = self._haystack
            self.matches = [s for s, h in zip(self.sessions, hay, strict=True) if all(w in h for w in words)]
        self.selected = 0

    def move(self, delta: int) -> None:
        """Move the selection, clamped to the matches."""
        if self.matches:
            self.selected = max(0, min(len(self.matches) - 1, self.selected + delta))

    def current(self) -> SessionInfo | None:
        """The highlighted session."""
        return self.matches[self.selected] if self.matches else None

    def lines(self, width: int = 120, now: float | None = None) -> list[Line]:
        """The picker's screen."""
        now = time.time() if now is None else now
        out: list[Line] = [[("bold", self.title)], [("", "  Type to search: "), ("fg:ansicyan", self.query or "")]]
        out.append([])
        head = f"  {'Updated':<16} {'Branch':<16} " + (f"{'CWD':<24} " if self.show_cwd else "") + "Conversation"
        out.append([("bold", head)])
        page_start = (self.selected // PAGE) * PAGE
        for i, s in enumerate(self.matches[page_start : page_start + PAGE], page_start):
            row = f"{_ago(s.updated, now):<16} {truncate(s.branch or '-', 16):<16} "
            if self.show_cwd:
                row += f"{truncate(s.cwd, 24):<24} "
            row += s.preview or "(no message yet)"
            style = "fg:ansicyan bold" if i == self.selected else ""
            out.append([(style, ("› " if i == self.selected else "  ") + truncate(row, max(width - 2, 20)))])
        if not self.matches:
            out.append([("fg:ansibrightblack", "  No sessions match." if self.query else "  No saved sessions.")])
        total = len(self.matches)
        pages = max(1, (total + PAGE - 1) // PAGE)
        out.append([])
        out.append(
            [
                (
                    "fg:ansibrightblack",
                    f"  {total} sessions · page {self.selected // PAGE + 1}/{pages} · "
                    "enter resume · esc new session · ctrl+c quit · ↑/↓ pgup/pgdn",
                )
            ]
        )
        return out


_SGR = {"bold": "1", "fg:ansicyan": "36", "fg:ansibrightblack": "90"}


def ansi_frame(picker: Picker, width: int, height: int) -> str:
    """The picker's screen as terminal output: alternate screen, cleared, the lines drawn with SGR colours.

    It is what the application draws for the same state, written before prompt-toolkit is loaded; the
    application takes over the same screen and redraws it in place. Auto-wrap is off while it is
    written, so the terminal clips a line at its right edge.
    """
    out = ["\x1b[?1049h\x1b[H\x1b[2J\x1b[?7l"]
    for row, line in enumerate(picker.lines(width)[: max(height - 1, 1)]):
        out.append("\r\n" if row else "")
        for style, text in line:
            codes = ";".join(_SGR[word] for word in style.split() if word in _SGR)
            out.append(f"\x1b[{codes}m{text}\x1b[0m" if codes and text else text)
    out.append("\x1b[?7h")
    return "".join(out)


def _bindings(picker: Picker) -> KeyBindings:
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

    kb = KeyBindings()

    @kb.add("up")
    def _up(event: KeyPressEvent) -> None:
        picker.move(-1)

    @kb.add("down")
    def _down(event: KeyPressEvent) -> None:
        picker.move(1)

    @kb.add("pageup")
    def _pgup(event: KeyPressEvent) -> None:
        picker.move(-PAGE)

    @kb.add("pagedown")
    def _pgdn(event: KeyPressEvent) -> None:
        picker.move(PAGE)

    @kb.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        if picker.current() is not None:
            event.app.exit(result=picker.current())

    @kb.add("escape", eager=True)
    def _esc(event: KeyPressEvent) -> None:
        event.app.exit(result=NEW_SESSION)

    @kb.add("c-c")
    @kb.add("c-d")
    def _quit(event: KeyPressEvent) -> None:
        event.app.exit(result=None)

    @kb.add("backspace")
    def _bs(event: KeyPressEvent) -> None:
        picker.set_query(picker.query[:-1])

    @kb.add("<any>")
    def _type(event: KeyPressEvent) -> None:
        text = event.data
        if text and text.isprintable():
            picker.set_query(picker.query + text)

    return kb


def build_picker_app(picker: Picker, *, input: Input | None = None, output: Output | None = None) -> Application[Any]:
    """The picker as a full-screen application (the caller runs it)."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl

    def render() -> StyleAndTextTuples:
        from prompt_toolkit.application import get_app

        width = get_app().output.get_size().columns
        frags: StyleAndTextTuples = []
        for line in picker.lines(width):
            frags += line
            frags.append(("", "\n"))
        return frags

    body = Window(FormattedTextControl(render, show_cursor=False), wrap_lines=False)
    return Application(
        layout=Layout(HSplit([body])),
        key_bindings=_bindings(picker),
        full_screen=True,
        input=input,
        output=output,
        erase_when_done=True,
    )


async def run_picker(
    sessions: list[SessionInfo],
    *,
    show_cwd: bool,
    title: str,
    refresh: Callable[[], list[SessionInfo]] | None = None,
    input: Input | None = None,
    output: Output | None = None,
) -> SessionInfo | str | None:
    """Show the picker; the chosen session, `NEW_SESSION`, or `None` to quit.

    With `refresh`, the picker opens on `sessions` at once and swaps in `refresh()` (run on a
    thread) when it returns.
    """
    import anyio

    picker = Picker(sessions, show_cwd=show_cwd, title=title)
    app = build_picker_app(picker, input=input, output=output)
    result: SessionInfo | str | None = None
    async with anyio.create_task_group() as tg:
        if refresh is not None:
            drawn = anyio.Event()
            app.after_render += lambda _app: drawn.set()  # pyright: ignore[reportUnknownLambdaType]

            async def update() -> None:
                await drawn.wait()  # the re-check competes for the GIL: let the first paint go out
                fresh = await anyio.to_thread.run_sync(refresh)
                picker.replace_sessions(fresh)
                app.invalidate()

            tg.start_soon(update)
        result = await app.run_async()
        tg.cancel_scope.cancel()
    return result

"""The live area's layout: transcript pane (alternate screen only), live cells, modal, composer, popup, footer."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import StyleAndTextTuples
from prompt_toolkit.layout import ConditionalContainer, HSplit, Layout, Window
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.dimension import Dimension
from prompt_toolkit.layout.processors import Processor, Transformation, TransformationInput
from prompt_toolkit.styles import Style, merge_styles
from prompt_toolkit.styles.pygments import style_from_pygments_cls

from ._text import Line

if TYPE_CHECKING:
    from ._app import TuiApp

__all__ = ["PLACEHOLDER", "build_layout", "build_style"]

PLACEHOLDER = "Ask Codex to do anything"
TRANSCRIPT_TAIL = 400
"""Lines of the transcript pane rendered with the alternate screen (only the bottom is visible anyway)."""


class _Placeholder(Processor):
    """Dim hint text in the empty composer; the cursor stays before it."""

    def apply_transformation(self, transformation_input: TransformationInput) -> Transformation:
        ti = transformation_input
        if ti.lineno == 0 and not ti.document.text:
            return Transformation([*ti.fragments, ("class:placeholder", PLACEHOLDER)])
        return Transformation(ti.fragments)


def _join(lines: list[Line]) -> StyleAndTextTuples:
    out: StyleAndTextTuples = []
    for i, line in enumerate(lines):
        if i:
            out.append(("", "\n"))
        out.extend(line)
    return out


def build_style(theme: str | None = None) -> Style:
    """The app style: syntax colours of the `[tui] theme` (pygments name) plus our classes."""
    from pygments.styles import get_style_by_name  # pyright: ignore[reportUnknownVariableType]  (pygments is untyped)
    from pygments.util import ClassNotFound

    try:
        pyg = get_style_by_name(theme or "monokai")
    except ClassNotFound:
        pyg = get_style_by_name("monokai")
    own = Style.from_dict({"placeholder": "fg:ansibrightblack", "prompt": "bold", "popup": ""})
    return merge_styles([style_from_pygments_cls(pyg), own])  # pyright: ignore[reportReturnType]


def build_layout(ui: TuiApp) -> Layout:
    """The layout of the running application."""
    has_modal = Condition(lambda: ui.modal is not None)
    has_popup = Condition(lambda: bool(ui.popup_lines()))
    alt = Condition(lambda: not ui.scrollback.inline)
    overlay = Condition(lambda: ui.overlay is not None)

    def overlay_screen() -> StyleAndTextTuples:
        size = ui.app.output.get_size()
        return _join(ui.overlay.screen(ui, size.columns, size.rows)) if ui.overlay is not None else []

    def transcript() -> StyleAndTextTuples:
        return _join(ui.scrollback.lines[-TRANSCRIPT_TAIL:])

    def prefix(lineno: int, wrap_count: int) -> StyleAndTextTuples:
        return [("class:prompt", "› " if lineno == 0 and wrap_count == 0 else "  ")]

    composer = Window(
        BufferControl(ui.buffer, input_processors=[_Placeholder()]),
        height=Dimension(min=1, max=12),
        dont_extend_height=True,
        wrap_lines=True,
        get_line_prefix=prefix,
    )
    live = HSplit(
        [
            ConditionalContainer(
                Window(FormattedTextControl(transcript), wrap_lines=True, always_hide_cursor=True), filter=alt
            ),
            Window(FormattedTextControl(lambda: _join(ui.live_lines())), dont_extend_height=True, wrap_lines=True),
            ConditionalContainer(
                Window(FormattedTextControl(lambda: _join(ui.modal_lines())), dont_extend_height=True, wrap_lines=True),
                filter=has_modal,
            ),
            composer,
            ConditionalContainer(
                Window(FormattedTextControl(lambda: _join(ui.popup_lines())), dont_extend_height=True),
                filter=has_popup,
            ),
            Window(FormattedTextControl(lambda: _join([ui.footer_line()])), height=1),
        ]
    )
    pager = Window(FormattedTextControl(overlay_screen), always_hide_cursor=True)
    body = HSplit([ConditionalContainer(pager, filter=overlay), ConditionalContainer(live, filter=~overlay)])
    return Layout(body, focused_element=composer)

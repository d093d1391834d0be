"""Markdown to styled lines, and a stream that commits only complete lines.

Styles follow Codex's renderer: H1 bold underlined, H2 bold, H3 bold italic, H4-H6 italic,
inline code cyan, links cyan underlined with the destination shown, blockquotes green, ordered
list markers light blue, fenced code highlighted by its info-string language. Lines are not
wrapped here: the terminal wraps them, so copying a long line from the scrollback gives it back
whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ._text import Fragment, Line

__all__ = ["MarkdownStream", "render_inline", "render_markdown"]

HEAD_CHARS = 4096
MAX_LINE = 64 * 1024
"""A streamed line longer than this is committed without waiting for its newline."""

_INLINE = re.compile(
    r"(?P<code>`[^`\n]+`)"
    r"|(?P<link>\[(?P<ltext>[^\]\n]+)\]\((?P<href>[^)\s]+)\))"
    r"|(?P<strong>\*\*(?P<stext>[^*\n]+)\*\*|__(?P<stext2>[^_\n]+)__)"
    r"|(?P<strike>~~(?P<xtext>[^~\n]+)~~)"
    r"|(?P<em>(?<![\w*])\*(?P<etext>[^*\n]+)\*(?![\w*])|(?<!\w)_(?P<etext2>[^_\n]+)_(?!\w))"
)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_BULLET = re.compile(r"^(\s*)([-*+])\s+(.*)$")
_ORDERED = re.compile(r"^(\s*)(\d{1,9}[.)])\s+(.*)$")
_FENCE = re.compile(r"^\s*(```+|~~~+)\s*([\w+#.-]*)")
_TABLE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_HEADING_STYLES = {1: "bold underline", 2: "bold", 3: "bold italic"}


def render_inline(text: str, base: str = "") -> Line:
    """Spans for one line of inline markdown (code, links, strong, emphasis, strike-through)."""
    out: Line = []
    pos = 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            out.append((base, text[pos : m.start()]))
        if m.group("code"):
            out.append((f"{base} fg:ansicyan".strip(), m.group("code")[1:-1]))
        elif m.group("link"):
            label, href = m.group("ltext"), m.group("href")
            out.append((f"{base} fg:ansicyan underline".strip(), label))
            if href != label and not href.startswith(("/", "./", "../", "file:")):
                out.append((base, f" ({href})"))
        elif m.group("strong"):
            out.append((f"{base} bold".strip(), m.group("stext") or m.group("stext2")))
        elif m.group("strike"):
            out.append((f"{base} strike".strip(), m.group("xtext")))
        else:
            out.append((f"{base} italic".strip(), m.group("etext") or m.group("etext2")))
        pos = m.end()
    if pos < len(text):
        out.append((base, text[pos:]))
    return out


def _highlight(code: str, lang: str) -> Line:
    """One line of code, coloured by pygments when it knows `lang`."""
    if not lang:
        return [("", code)]
    try:
        from pygments.lexers import get_lexer_by_name  # pyright: ignore[reportUnknownVariableType]  (untyped)
        from pygments.util import ClassNotFound
    except ImportError:  # pragma: no cover - pygments is a dependency
        return [("", code)]
    try:
        lexer = get_lexer_by_name(lang, stripnl=False, ensurenl=False)
    except ClassNotFound:
        return [("", code)]
    from prompt_toolkit.styles.pygments import pygments_token_to_classname  # pyright: ignore[reportUnknownVariableType]

    frags: Line = []
    for token, value in lexer.get_tokens(code):
        if value:
            frags.append((f"class:{pygments_token_to_classname(token)}", value.replace("\n", "")))
    return frags


def _split_row(line: str) -> list[str]:
    body = line.strip()
    body = body.removeprefix("|")
    body = body.removesuffix("|")
    return [cell.strip() for cell in body.split("|")]


def _render_table(rows: list[str]) -> list[Line]:
    cells = [_split_row(r) for r in rows if not _TABLE_SEP.match(r)]
    if not cells:
        return []
    ncols = max(len(r) for r in cells)
    widths = [max((len(r[i]) if i < len(r) else 0) for r in cells) for i in range(ncols)]
    out: list[Line] = []
    for n, row in enumerate(cells):
        line: Line = []
        for i in range(ncols):
            text = row[i] if i < len(row) else ""
            line += [("fg:ansibrightblack", "│ " if i == 0 else " │ ")]
            line += render_inline(text.ljust(widths[i]), "bold" if n == 0 else "")
        line.append(("fg:ansibrightblack", " │"))
        out.append(line)
        if n == 0:
            out.append([("fg:ansibrightblack", "├" + "┼".join("─" * (w + 2) for w in widths) + "┤")])
    return out


@dataclass
class _State:
    fence: str | None = None
    lang: str = ""
    table: list[str] = field(default_factory=list[str])


def _render_line(line: str, st: _State) -> list[Line]:
    fence = _FENCE.match(line)
    if st.fence is not None:
        if fence and fence.group(1).startswith(st.fence[0]) and len(fence.group(1)) >= len(st.fence):
            st.fence = None
            return []
        return [[("", "  "), *_highlight(line, st.lang)]]
    if fence:
        st.fence, st.lang = fence.group(1), fence.group(2).lower()
        return []
    if (m := _HEADING.match(line)) is not None:
        level = len(m.group(1))
        style = _HEADING_STYLES.get(level, "italic")
        return [[(style, m.group(1) + " "), *render_inline(m.group(2), style)]]
    if (m := _BULLET.match(line)) is not None:
        indent = m.group(1)
        return [[("", f"{indent}- "), *render_inline(m.group(3))]]
    if (m := _ORDERED.match(line)) is not None:
        return [[("", m.group(1)), ("fg:ansiblue", m.group(2) + " "), *render_inline(m.group(3))]]
    if line.lstrip().startswith(">"):
        return [[("fg:ansigreen", "> "), *render_inline(line.lstrip()[1:].lstrip(), "fg:ansigreen")]]
    if re.fullmatch(r"\s*([-*_])(\s*\1){2,}\s*", line):
        return [[("fg:ansibrightblack", "———")]]
    return [render_inline(line)]


def _feed(line: str, st: _State) -> list[Line]:
    """Render one complete source line; table rows are held until the table ends."""
    if st.fence is None and line.lstrip().startswith("|"):
        st.table.append(line)
        return []
    out: list[Line] = []
    if st.table:
        out += _render_table(st.table)
        st.table = []
    return out + _render_line(line, st)


def render_markdown(text: str) -> list[Line]:
    """All of `text` as styled lines."""
    stream = MarkdownStream()
    return stream.push(text) + stream.finish()


class MarkdownStream:
    """Takes deltas; gives back the lines that are complete (newline-terminated), rendered.

    A table is given back once a line that is not a table row follows it, or at `finish`.
    """

    def __init__(self) -> None:
        self._buf = ""
        self._state = _State()
        self.received = 0
        """Characters pushed so far."""
        self.head = ""
        """The first `HEAD_CHARS` characters pushed (enough to find a reasoning title)."""

    def push(self, delta: str) -> list[Line]:
        """Add `delta`; return the rendered lines it completed."""
        self.received += len(delta)
        if len(self.head) < HEAD_CHARS:
            self.head = (self.head + delta)[:HEAD_CHARS]
        self._buf += delta
        if len(self._buf) > MAX_LINE:  # a line that never ends is committed in pieces
            delta += "\n"
            self._buf += "\n"
        if "\n" not in delta:
            return []
        *complete, self._buf = self._buf.split("\n")
        out: list[Line] = []
        for line in complete:
            out += _feed(line, self._state)
        return out

    @property
    def pending(self) -> str:
        """The incomplete last line, not yet committed."""
        return self._buf

    def finish(self) -> list[Line]:
        """Flush the last line and any held table."""
        out: list[Line] = []
        if self._buf:
            out += _feed(self._buf, self._state)
            self._buf = ""
        if self._state.table:
            out += _render_table(self._state.table)
            self._state.table = []
        return out


def strip_blank_edges(lines: list[Line]) -> list[Line]:
    """`lines` without leading and trailing empty lines."""

    def blank(line: list[Fragment]) -> bool:
        return not "".join(t for _, t in line).strip()

    start, end = 0, len(lines)
    while start < end and blank(lines[start]):
        start += 1
    while end > start and blank(lines[end - 1]):
        end -= 1
    return lines[start:end]

"""Styled text: a line is a list of `(style, text)` fragments, as prompt-toolkit takes them."""

from __future__ import annotations

from prompt_toolkit.utils import get_cwidth

__all__ = ["Fragment", "Line", "markup", "plain", "truncate"]

Fragment = tuple[str, str]
Line = list[Fragment]


def plain(line: Line) -> str:
    """The text of `line` without styles."""
    return "".join(text for _, text in line)


def markup(lines: list[Line]) -> str:
    """A readable, style-preserving dump of `lines` (used by snapshot files).

    A styled fragment is written `[style]text[/]`; unstyled text as it is.
    """
    out: list[str] = []
    for line in lines:
        parts: list[str] = []
        for style, text in line:
            if not text:
                continue
            parts.append(f"[{style}]{text}[/]" if style else text)
        out.append("".join(parts).rstrip())
    return "\n".join(out) + "\n"


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns, with `…` when cut."""
    if get_cwidth(text) <= width:
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        w = get_cwidth(ch)
        if used + w > max(width - 1, 0):
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"

"""Styled text: a line is a list of `(style, text)` fragments, as prompt-toolkit takes them."""

from __future__ import annotations

from functools import lru_cache

__all__ = ["Fragment", "Line", "cwidth", "markup", "plain", "truncate"]

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


@lru_cache(maxsize=4096)
def _char_width(ch: str) -> int:
    from wcwidth import wcwidth  # the table costs tens of milliseconds to load: only for non-ASCII text

    return max(0, wcwidth(ch))


def cwidth(text: str) -> int:
    """Terminal columns of `text`, as prompt-toolkit counts them (control characters count 0)."""
    if text.isascii() and text.isprintable():
        return len(text)
    return sum(_char_width(ch) for ch in text)


def truncate(text: str, width: int) -> str:
    """`text` cut to `width` terminal columns, with `…` when cut."""
    if 2 * len(text) <= width or cwidth(text) <= width:  # no character is wider than two columns
        return text
    out: list[str] = []
    used = 0
    for ch in text:
        w = cwidth(ch)
        if used + w > max(width - 1, 0):
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"

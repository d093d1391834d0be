"""Locate a block of lines in a file, with Codex's decreasing strictness."""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from ._parser import RUST_WHITESPACE

_PUNCTUATION = str.maketrans(
    {
        **dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"), "-"),
        **dict.fromkeys(map(ord, "\u2018\u2019\u201a\u201b"), "'"),
        **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f"), '"'),
        **dict.fromkeys(
            map(ord, "\u00a0\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"), " "
        ),
    }
)


def _rstrip(line: str) -> str:
    return line.rstrip(RUST_WHITESPACE)


def _strip(line: str) -> str:
    return line.strip(RUST_WHITESPACE)


_PUNCTUATION_PAIRS = tuple((chr(code), str(ascii_char)) for code, ascii_char in _PUNCTUATION.items())


def normalise_line(line: str) -> str:
    """Trim a line and map typographic dashes, quotes and spaces to ASCII (the last matching pass)."""
    trimmed = line.strip(RUST_WHITESPACE)
    return trimmed if trimmed.isascii() else trimmed.translate(_PUNCTUATION)


def _normalise_all(trimmed: list[str]) -> list[str]:
    """`normalise_line` of many lines already trimmed: one `str.replace` per character over all of them."""
    text = "\n".join(trimmed)  # a line never holds "\n"
    if not text.isascii():
        for char, ascii_char in _PUNCTUATION_PAIRS:
            if char in text:
                text = text.replace(char, ascii_char)
    return text.split("\n")


_NOT_RUST_WHITESPACE = "\x1c\x1d\x1e\x1f"
"""Characters Python's argument-less `str.strip` removes but Rust's `str::trim` keeps."""

_WINDOW = 32
"""Lines scanned for an exact match before consulting the index (patches usually go down the file)."""


class LineIndex:
    """The lines of one file version, with their trimmed forms indexed on first use.

    Equal lines, lines equal up to trailing whitespace and lines equal up to surrounding whitespace
    all have equal trimmed forms, so the positions of a trimmed line are the candidates for the
    first three passes.
    """

    __slots__ = ("_normalised", "_positions", "_python_strip_ok", "_stripped", "lines")

    def __init__(self, lines: list[str], python_strip_ok: bool | None = None) -> None:
        self.lines = lines
        self._python_strip_ok = python_strip_ok
        self._stripped: list[str] | None = None
        self._positions: dict[str, list[int]] | None = None
        self._normalised: list[str] | None = None

    def stripped(self) -> list[str]:
        """Every line trimmed like Rust's `str::trim`."""
        if self._stripped is None:
            if self._python_strip_ok is None:
                joined = "".join(self.lines)
                self._python_strip_ok = not any(char in joined for char in _NOT_RUST_WHITESPACE)
            # Python's str.strip() trims the same characters as Rust's, minus U+001C..U+001F; it runs in C.
            self._stripped = list(map(str.strip if self._python_strip_ok else _strip, self.lines))
        return self._stripped

    def positions(self) -> dict[str, list[int]]:
        """Trimmed line -> ascending positions where it occurs."""
        if self._positions is None:
            positions: dict[str, list[int]] = {}
            for number, line in enumerate(self.stripped()):
                found = positions.get(line)
                if found is None:
                    positions[line] = [number]
                else:
                    found.append(number)
            self._positions = positions
        return self._positions

    def normalised(self) -> list[str]:
        """Every line trimmed and with Unicode punctuation mapped to ASCII."""
        if self._normalised is None:
            self._normalised = _normalise_all(self.stripped()) if self.lines else []
        return self._normalised


def seek_sequence(lines: list[str], pattern: list[str], start: int = 0, eof: bool = False) -> int | None:
    """Find `pattern` in `lines` at or after `start`, like Codex's `seek_sequence`.

    Passes, each over every candidate position before the next: exact; equal after trimming trailing
    whitespace; equal after trimming both ends; equal after trimming and normalising Unicode
    punctuation (dashes, quotes, non-breaking and other odd spaces). With `eof`, the only candidate
    is the position that ends at the end of the file.

    Args:
        lines: The file's lines, without line endings.
        pattern: The lines to find.
        start: First candidate position.
        eof: The pattern must end at the end of the file.

    Returns:
        The index of the first line of the match, or None.
    """
    return seek_in(LineIndex(lines), pattern, start, eof)


def seek_in(index: LineIndex, pattern: list[str], start: int, eof: bool) -> int | None:
    """`seek_sequence` over a `LineIndex`, which caches the fuzzy variants of the lines between calls."""
    if not pattern:
        return start
    lines = index.lines
    count = len(pattern)
    last = len(lines) - count
    if last < 0:
        return None
    first = last if eof else start
    if first > last:
        return None
    head = pattern[0]
    try:  # an exact match close by is the common case and needs no index
        position = lines.index(head, first, min(first + _WINDOW, last) + 1)
        if count == 1 or lines[position : position + count] == pattern:
            return position
    except ValueError:
        pass
    stripped_pattern = [_strip(line) for line in pattern]
    candidates = index.positions().get(stripped_pattern[0], [])
    candidates = candidates[bisect_left(candidates, first) : bisect_right(candidates, last)]
    for candidate in candidates:
        if lines[candidate : candidate + count] == pattern:
            return candidate
    trailing = [_rstrip(line) for line in pattern]
    for candidate in candidates:
        if all(_rstrip(lines[candidate + k]) == trailing[k] for k in range(count)):
            return candidate
    stripped = index.stripped()
    for candidate in candidates:
        if stripped[candidate : candidate + count] == stripped_pattern:
            return candidate
    return _scan(index.normalised(), [normalise_line(line) for line in pattern], first, last)


def _scan(lines: list[str], pattern: list[str], first: int, last: int) -> int | None:
    head = pattern[0]
    count = len(pattern)
    position = first
    while True:
        try:
            position = lines.index(head, position, last + 1)
        except ValueError:
            return None
        if count == 1 or lines[position : position + count] == pattern:
            return position
        position += 1

"""Find the line of each key in a TOML document.

Used only on the error and warning paths: the hot path parses with `tomllib`, which keeps no
positions. The scanner assumes the text is valid TOML (tomllib accepted it) and records the
first line where each dotted key path is defined: table headers, `key = value` lines (dotted
keys included) and keys inside inline tables. Array-of-tables entries share one path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

logger = logging.getLogger(__name__)

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", '"': '"', "\\": "\\"}


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[tuple[str, ...], int] = {}

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def advance(self, n: int = 1) -> None:
        self.line += self.text.count("\n", self.pos, self.pos + n)
        self.pos += n

    def record(self, path: tuple[str, ...], line: int) -> None:
        self.lines.setdefault(path, line)

    def skip_ws(self, newlines: bool = False) -> None:
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch in " \t\r" or (newlines and ch == "\n"):
                self.advance()
            elif newlines and ch == "#":
                self.skip_comment()
            else:
                return

    def skip_comment(self) -> None:
        end = self.text.find("\n", self.pos)
        self.pos = len(self.text) if end < 0 else end

    def read_key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self.skip_ws()
            ch = self.peek()
            if ch in ('"', "'"):
                parts.append(self.read_string())
            else:
                start = self.pos
                while self.pos < len(self.text) and self.text[self.pos] in _BARE:
                    self.pos += 1
                if self.pos == start:
                    raise ValueError("expected a key")
                parts.append(self.text[start : self.pos])
            self.skip_ws()
            if self.peek() != ".":
                return parts
            self.advance()

    def read_string(self) -> str:
        """Read a basic/literal (possibly multi-line) string and return its value."""
        quote = self.peek()
        if self.peek(3) == quote * 3:
            self.advance(3)
            end = self.text.find(quote * 3, self.pos)
            while quote == '"' and end > 0 and _escaped(self.text, end):
                end = self.text.find(quote * 3, end + 1)
            if end < 0:
                raise ValueError("unterminated string")
            while self.text[end + 3 : end + 4] == quote:  # up to two quotes may close the string
                end += 1
            value = self.text[self.pos : end]
            self.advance(end + 3 - self.pos)
            return value
        self.advance()
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == quote:
                self.advance()
                return "".join(out)
            if ch == "\\" and quote == '"':
                out.append(self._escape())
                continue
            out.append(ch)
            self.advance()
        raise ValueError("unterminated string")

    def _escape(self) -> str:
        code = self.text[self.pos + 1 : self.pos + 2]
        if code in _ESCAPES:
            self.advance(2)
            return _ESCAPES[code]
        width = {"u": 4, "U": 8}.get(code)
        if width is None:
            raise ValueError("bad escape")
        digits = self.text[self.pos + 2 : self.pos + 2 + width]
        self.advance(2 + width)
        return chr(int(digits, 16))

    def skip_value(self, path: tuple[str, ...]) -> None:
        ch = self.peek()
        if ch in ('"', "'"):
            self.read_string()
        elif ch == "[":
            self.advance()
            index = 0
            while True:
                self.skip_ws(newlines=True)
                if self.peek() in ("]", ""):
                    self.advance()
                    return
                self.record((*path, str(index)), self.line)
                self.skip_value((*path, str(index)))
                index += 1
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.advance()
        elif ch == "{":
            self.advance()
            while True:
                self.skip_ws(newlines=True)
                if self.peek() in ("}", ""):
                    self.advance()
                    return
                self.key_value(path)
                self.skip_ws(newlines=True)
                if self.peek() == ",":
                    self.advance()
        else:
            while self.pos < len(self.text) and self.text[self.pos] not in ",]}\n#":
                self.pos += 1

    def key_value(self, table: tuple[str, ...]) -> None:
        line = self.line
        full = (*table, *self.read_key())
        for depth in range(len(table) + 1, len(full) + 1):
            self.record(full[:depth], line)
        self.skip_ws()
        if self.peek() != "=":
            raise ValueError("expected '='")
        self.advance()
        self.skip_ws()
        self.skip_value(full)

    def header(self) -> tuple[str, ...]:
        double = self.peek(2) == "[["
        self.advance(2 if double else 1)
        path = tuple(self.read_key())
        self.advance(2 if double else 1)
        for depth in range(1, len(path) + 1):
            self.record(path[:depth], self.line)
        return path

    def scan(self) -> None:
        table: tuple[str, ...] = ()
        while True:
            self.skip_ws(newlines=True)
            if self.pos >= len(self.text):
                return
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)
            self.skip_ws()
            if self.peek() == "#":
                self.skip_comment()


def _escaped(text: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and text[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


def key_lines(text: str) -> dict[tuple[str, ...], int]:
    """Map each dotted key path defined in `text` to the 1-based line where it first appears.

    Array elements are recorded with their index as a path segment (`("a", "0")`).
    """
    scanner = _Scanner(text)
    try:
        scanner.scan()
    except (ValueError, IndexError):
        logger.debug("key scan stopped at line %d", scanner.line)
    return scanner.lines


def find_line(lines: dict[tuple[str, ...], int], path: Sequence[str]) -> int | None:
    """Return the line of `path` or of its longest prefix that has one."""
    for depth in range(len(path), 0, -1):
        found = lines.get(tuple(path[:depth]))
        if found is not None:
            return found
    return None

"""POSIX word splitting and quoting, with the exact output Codex prints for examples and commands."""

from __future__ import annotations

__all__ = ["shell_join", "shell_split"]

_UNQUOTED_OK = frozenset("+-./:@]_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
_PLAIN, _SINGLE, _DOUBLE = 1, 2, 4


def shell_split(text: str) -> list[str] | None:
    """Split `text` into words as a POSIX shell would, or None on an unclosed quote or escape."""
    words: list[str] = []
    word: list[str] = []
    in_word = False
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in " \t\n":
            if in_word:
                words.append("".join(word))
                word, in_word = [], False
        elif ch == "#" and not in_word:
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif ch == "\\":
            if i + 1 >= n:
                return None
            if text[i + 1] != "\n":
                word.append(text[i + 1])
                in_word = True
            i += 1
        elif ch == "'":
            end = text.find("'", i + 1)
            if end < 0:
                return None
            word.append(text[i + 1 : end])
            in_word, i = True, end
        elif ch == '"':
            i = _double_quoted(text, i + 1, word)
            if i < 0:
                return None
            in_word = True
        else:
            word.append(ch)
            in_word = True
        i += 1
    if in_word:
        words.append("".join(word))
    return words


def _double_quoted(text: str, i: int, word: list[str]) -> int:
    """Append the body of a double-quoted string starting at `i`; the closing quote's index or -1."""
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            return i
        if ch == "\\" and i + 1 < n and text[i + 1] in '$`"\\\n':
            if text[i + 1] != "\n":
                word.append(text[i + 1])
            i += 2
            continue
        word.append(ch)
        i += 1
    return -1


def shell_join(words: list[str]) -> str:
    """Quote each word so a POSIX shell reads it back unchanged, and join them with spaces."""
    return " ".join(_quote(word) for word in words)


def _quote(word: str) -> str:
    if not word:
        return "''"
    out: list[str] = []
    rest = word
    while rest:
        length, strategy = _chunk(rest)
        chunk, rest = rest[:length], rest[length:]
        if strategy == _PLAIN:
            out.append(chunk)
        elif strategy == _SINGLE:
            out.append(f"'{chunk}'")
        else:
            escaped = "".join("\\" + c if c in '$`"\\' else c for c in chunk)
            out.append(f'"{escaped}"')
    return "".join(out)


def _allowed(ch: str) -> int:
    """The quoting styles under which `ch` stands for itself."""
    if ord(ch) >= 0x80:
        return _SINGLE | _DOUBLE
    ok = _PLAIN if ch in _UNQUOTED_OK else 0
    if ch not in "'^\\":
        ok |= _SINGLE
    if ch not in "`$!^":
        ok |= _DOUBLE
    return ok


def _chunk(text: str) -> tuple[int, int]:
    """The longest prefix of `text` one quoting style can carry, and that style."""
    ok = _PLAIN | _SINGLE | _DOUBLE
    i = 0
    if text[0] == "^":
        ok, i = _SINGLE, 1
    while i < len(text):
        cur = ok & _allowed(text[i])
        if not cur:
            break
        ok = cur
        i += 1
    if ok & _PLAIN:
        return i, _PLAIN
    return i, _SINGLE if ok & _SINGLE else _DOUBLE

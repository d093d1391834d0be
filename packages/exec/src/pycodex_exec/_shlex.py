r"""Shell-quote an argv the way Codex prints `command` strings.

Codex joins argv with the Rust `shlex` crate, whose quoting differs from Python's `shlex.join`: each word
is split into the longest chunks that one strategy can hold (bare, `'single'`, `"double"`), preferring bare,
then single, then double quotes. So `echo a\b` becomes `"echo a\\b"` rather than `'echo a\b'`.
"""

from __future__ import annotations

__all__ = ["quote", "shlex_join"]

_BARE = 1
_SINGLE = 2
_DOUBLE = 4
_BARE_OK = frozenset(b"+-./:@]_0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _strategy(data: bytes) -> tuple[int, int]:
    """Return (length of the longest quotable prefix, strategy) for non-empty `data`."""
    ok = _BARE | _SINGLE | _DOUBLE
    i = 0
    if data[0] == ord("^"):  # zsh would expand a leading caret
        ok = _SINGLE
        i = 1
    while i < len(data):
        c = data[i]
        cur = ok
        if c not in _BARE_OK:
            cur &= ~_BARE
        if c in (0x27, 0x5C):  # ' and \ cannot appear inside single quotes
            cur &= ~_SINGLE
        if c in (0x24, 0x60):  # $ and ` expand inside double quotes
            cur &= ~_DOUBLE
        if cur == 0:
            break
        ok = cur
        i += 1
    if ok & _BARE:
        return i, _BARE
    if ok & _SINGLE:
        return i, _SINGLE
    return i, _DOUBLE


def quote(word: str) -> str:
    """Quote one word for a POSIX shell, byte-for-byte like Rust's `shlex::try_quote`."""
    if not word:
        return "''"
    data = word.encode("utf-8", "surrogateescape")
    out = bytearray()
    while data:
        n, strategy = _strategy(data)
        chunk, data = data[:n], data[n:]
        if strategy == _BARE:
            out += chunk
        elif strategy == _SINGLE:
            out += b"'" + chunk + b"'"
        else:
            out += b'"' + chunk.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
    return out.decode("utf-8", "surrogateescape")


def shlex_join(argv: list[str]) -> str:
    """Join argv into one shell command line, quoting each word with `quote`."""
    return " ".join(quote(word) for word in argv)

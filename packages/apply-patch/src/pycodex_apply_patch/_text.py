"""A text file as lines plus their endings, so untouched bytes are written back unchanged."""

from __future__ import annotations

from ._errors import PatchIOError

BOM = b"\xef\xbb\xbf"
CRLF = "\r\n"
LF = "\n"


class TextFile:
    """One version of a file's text.

    The bytes are decoded as UTF-8 with `surrogateescape`, so bytes that are not UTF-8 (Latin-1 text,
    binary junk) survive unchanged on lines the patch does not touch. A UTF-8 byte order mark is
    kept aside and written back.
    """

    __slots__ = ("bom", "endings", "python_strip_ok", "texts")

    def __init__(self, texts: list[str], endings: list[str], bom: bool, python_strip_ok: bool | None = None) -> None:
        self.texts = texts
        """Each line without its line ending (what the patch is matched against)."""
        self.endings = endings
        """Each line's ending: `"\\n"`, `"\\r\\n"`, or `""` for a last line without one."""
        self.bom = bom
        """The file started with a UTF-8 byte order mark."""
        self.python_strip_ok = python_strip_ok
        """True when no line holds U+001C..U+001F, so Python's `str.strip()` trims exactly like Rust's."""

    @classmethod
    def from_bytes(cls, data: bytes) -> TextFile:
        """Split file bytes into lines and endings."""
        bom = data.startswith(BOM)
        text = (data[3:] if bom else data).decode("utf-8", "surrogateescape")
        if "\r" in text and text.count("\n") == text.count(CRLF):  # all CRLF: split in C
            texts = text.split(CRLF)
            tail = texts.pop()
            endings = [CRLF] * len(texts)
        elif "\r" in text:
            parts = text.split("\n")
            tail = parts.pop()
            texts = [part[:-1] if part.endswith("\r") else part for part in parts]
            endings = [CRLF if part.endswith("\r") else LF for part in parts]
        else:
            texts = text.split("\n")
            tail = texts.pop()
            endings = [LF] * len(texts)
        if tail:
            texts.append(tail)
            endings.append("")
        strip_ok = not any(char in data for char in (b"\x1c", b"\x1d", b"\x1e", b"\x1f"))
        return cls(texts, endings, bom, strip_ok)

    @property
    def has_final_newline(self) -> bool:
        """The last line ends with a line ending (an empty file counts as having one)."""
        return not self.endings or self.endings[-1] != ""

    def preferred_ending(self) -> str:
        """The dominant line ending; on a tie the first one in the file; LF for a file without any."""
        crlf = self.endings.count(CRLF)
        lf = self.endings.count(LF)
        if crlf != lf:
            return CRLF if crlf > lf else LF
        for ending in self.endings:
            if ending:
                return ending
        return LF

    def replaced(self, replacements: list[tuple[int, int, list[str | int]]]) -> TextFile:
        """Return a new version with `(start, old_len, new_lines)` replacements (sorted) applied.

        In `new_lines` an int keeps that line of this version, text and ending, byte for byte; a str
        is a new line, which takes the file's preferred ending. Whether the file ends with a newline
        is kept.
        """
        ending = self.preferred_ending()
        pairs = zip(replacements, replacements[1:], strict=False)
        if any(nxt[0] < prev[0] + prev[1] for prev, nxt in pairs):
            return self._replaced_overlapping(replacements, ending)
        texts: list[str] = []
        endings: list[str] = []
        cursor = 0
        for start, old_len, new_lines in replacements:
            texts += self.texts[cursor:start]
            endings += self.endings[cursor:start]
            self._append(texts, endings, new_lines, ending)
            cursor = start + old_len
        texts += self.texts[cursor:]
        endings += self.endings[cursor:]
        return self._finish(texts, endings, ending)

    def _append(self, texts: list[str], endings: list[str], new_lines: list[str | int], ending: str) -> None:
        for line in new_lines:
            if isinstance(line, int):
                texts.append(self.texts[line])
                endings.append(self.endings[line])
            else:
                texts.append(line)
                endings.append(ending)

    def _replaced_overlapping(self, replacements: list[tuple[int, int, list[str | int]]], ending: str) -> TextFile:
        # Codex applies replacements from the last to the first; do the same when regions overlap.
        texts = list(self.texts)
        endings = list(self.endings)
        for start, old_len, new_lines in reversed(replacements):
            new_texts: list[str] = []
            new_endings: list[str] = []
            self._append(new_texts, new_endings, new_lines, ending)
            texts[start : start + old_len] = new_texts
            endings[start : start + old_len] = new_endings
        return self._finish(texts, endings, ending)

    def _finish(self, texts: list[str], endings: list[str], ending: str) -> TextFile:
        # A line that lost its place at the end gets an ending; the last line keeps the old state.
        last = len(endings) - 1
        try:
            position = endings.index("")
            while position < last:
                endings[position] = ending
                position = endings.index("", position + 1)
        except ValueError:
            pass
        if endings:
            endings[-1] = (endings[-1] or ending) if self.has_final_newline else ""
        return TextFile(texts, endings, self.bom)

    def to_bytes(self, path: str) -> bytes:
        """Encode back to bytes (UTF-8, undecodable bytes restored, BOM re-added).

        Raises:
            PatchIOError: A new line holds a character that cannot be encoded.
        """
        body = self.to_text()
        try:
            data = body.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as error:
            raise PatchIOError(f"Failed to write file {path}: {error}", path) from error
        return BOM + data if self.bom else data

    def to_text(self) -> str:
        """The text with its line endings and without the BOM (undecodable bytes as lone surrogates)."""
        endings = self.endings
        if not endings:
            return ""
        for uniform in (LF, CRLF):  # fast path: one ending everywhere (the last line may lack it)
            if endings.count(uniform) >= len(endings) - 1 and endings[:-1].count(uniform) == len(endings) - 1:
                return uniform.join(self.texts) + endings[-1]
        return "".join([text + ending for text, ending in zip(self.texts, endings, strict=True)])

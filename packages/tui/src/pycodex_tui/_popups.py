"""The popups under the composer: slash commands, `@` file matches, and choice lists."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._cells import DIM
from ._slash import filter_commands, popup_lines
from ._text import Line

if TYPE_CHECKING:
    from prompt_toolkit.buffer import Buffer

    from pycodex_file_search import BackgroundIndex

    from ._approval import ApprovalModal

__all__ = ["Choice", "Popups"]


@dataclass
class Choice:
    """A selection list in the popup area (/model, /approvals, /resume)."""

    title: str
    items: list[tuple[str, str, Callable[[], Any]]]
    """(label, description, action)."""
    selected: int = 0


class Popups:
    """What the popup area shows, decided from the composer's text (mixed into `TuiApp`)."""

    buffer: Buffer
    files: BackgroundIndex
    modal: ApprovalModal | None
    choice: Choice | None
    popup_selected: int
    _file_cache: tuple[str, list[str]] | None

    def _file_query(self) -> str | None:
        doc = self.buffer.document
        word = doc.get_word_before_cursor(WORD=True)
        if word.startswith("@") and "\n" not in word:
            return word[1:]
        return None

    def popup_kind(self) -> str | None:
        """`choice`, `slash`, `file`, or `None`."""
        if self.modal is not None:
            return None
        if self.choice is not None:
            return "choice"
        text = self.buffer.text
        if text.startswith("/") and " " not in text and "\n" not in text and "/" not in text[1:]:
            return "slash"
        if self._file_query() is not None:
            return "file"
        return None

    def file_matches(self) -> list[str] | None:
        """Paths for the `@` popup (`None` while the file list is being built); cached per query."""
        query = self._file_query()
        if query is None:
            return []
        if self._file_cache is not None and self._file_cache[0] == query:
            return self._file_cache[1]
        found = self.files.search(query, limit=8)
        paths = None if found is None else [m.path for m in found]
        if paths is not None:
            self._file_cache = (query, paths)
        return paths

    def popup_items(self) -> list[str]:
        """What Enter / Tab would pick from the popup, in order."""
        kind = self.popup_kind()
        if kind == "slash":
            return [c.name for c in filter_commands(self.buffer.text)]
        if kind == "file":
            return self.file_matches() or []
        if kind == "choice" and self.choice is not None:
            return [label for label, _, _ in self.choice.items]
        return []

    def popup_lines(self) -> list[Line]:
        """The popup rows."""
        kind = self.popup_kind()
        if kind == "slash":
            return popup_lines(filter_commands(self.buffer.text), self.popup_selected)
        if kind == "file":
            found = self.file_matches()
            if found is None:
                return [[(DIM, "  searching files…")]]
            if not found:
                return [[(DIM, "  no matches")]]
            return [[("fg:ansicyan bold" if i == self.popup_selected else "", f"  {p}")] for i, p in enumerate(found)]
        if kind == "choice" and self.choice is not None:
            out: list[Line] = [[("bold", f"  {self.choice.title}")]]
            for i, (label, desc, _) in enumerate(self.choice.items):
                sel = i == self.choice.selected
                out.append(
                    [("fg:ansicyan bold" if sel else "", f"{'›' if sel else ' '} {i + 1}. {label}  "), (DIM, desc)]
                )
            out.append([(DIM, "  enter select · esc cancel")])
            return out
        return []

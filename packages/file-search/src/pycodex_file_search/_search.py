"""Fuzzy matching of a query against many paths, with the scanning done by `re` in C.

The paths are kept in one newline-joined string, and their file names in another. A query
becomes five patterns, tried tier by tier: file-name prefix, file-name substring, path substring,
file-name subsequence, path subsequence. Each pattern scans a whole string at once; a match is
mapped back to its path by bisecting the line offsets. Only a bounded number of matches per tier
is ranked (shortest path first), so a one-letter query over 100,000 paths costs milliseconds.
Subsequence patterns exclude the next wanted character from each gap (`a[^b]*b[^c]*c`), so
matching never backtracks.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ._walk import list_files

__all__ = ["FileIndex", "FileMatch", "fuzzy_indices"]

_MAX_QUERY = 256


@dataclass(frozen=True)
class FileMatch:
    """One search result."""

    path: str
    """Relative path, `/`-separated."""
    score: int
    """Lower is better."""
    indices: tuple[int, ...]
    """Positions in `path` of the query's characters (for highlighting)."""


def fuzzy_indices(query: str, path: str) -> tuple[int, ...] | None:
    """Positions of `query`'s characters in `path` (case-insensitive), preferring the file name.

    Returns `None` when `query` is not a subsequence of `path`.
    """
    q = query.lower()
    p = path.lower()
    if not q:
        return ()
    base = p.rfind("/") + 1
    found = p.find(q, base)
    if found < 0:
        found = p.find(q)
    if found >= 0:
        return tuple(range(found, found + len(q)))
    out: list[int] = []
    pos = 0
    for ch in q:
        pos = p.find(ch, pos)
        if pos < 0:
            return None
        out.append(pos)
        pos += 1
    return tuple(out)


_CANDIDATES_PER_TIER = 5_000
"""Matches of one tier looked at before ranking (the shortest of them win)."""


def _subsequence(query: str) -> str:
    parts = [re.escape(query[0])]
    for ch in query[1:]:
        parts.append(f"[^{re.escape(ch)}\n]*{re.escape(ch)}")
    return "".join(parts)


def _patterns(query: str) -> list[tuple[re.Pattern[str], bool]]:
    """(pattern, runs on file names) for each tier, best tier first; `query` is lower-cased."""
    lit = re.escape(query)
    seq = _subsequence(query)
    return [
        (re.compile("^" + lit, re.MULTILINE), True),
        (re.compile(lit), True),
        (re.compile(lit), False),
        (re.compile(seq), True),
        (re.compile(seq), False),
    ]


class FileIndex:
    """The files under a root, ready for fast fuzzy queries.

    ```python
    index = FileIndex.build(Path("."))
    for match in index.search("mainpy", limit=8):
        print(match.path)
    ```
    """

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self.root = root
        """The directory the paths are relative to."""
        self.paths = list(paths)
        """Every indexed path."""
        self.built_at = time.monotonic()
        """When the listing was made (monotonic seconds)."""
        self._lines = [p for p in self.paths if "\n" not in p]
        # Lower-cased copies, aligned with `_lines` by index: case-sensitive patterns over them
        # keep `re`'s fast literal search, which IGNORECASE would turn off.
        low = [p.lower() for p in self._lines]
        self._blob = "\n".join(low)
        self._names = "\n".join(p[p.rfind("/") + 1 :] for p in low)
        self._starts = self._offsets(low, full=True)
        self._name_starts = self._offsets(low, full=False)

    @staticmethod
    def _offsets(lines: list[str], *, full: bool) -> list[int]:
        lengths = (len(p) if full else len(p) - p.rfind("/") - 1 for p in lines)
        return [0, *itertools.accumulate(n + 1 for n in lengths)][: len(lines)]

    @classmethod
    def build(cls, root: Path, *, respect_gitignore: bool = True, max_files: int = 2_000_000) -> FileIndex:
        """List `root` (see `list_files`) and index it."""
        return cls(root, list_files(root, respect_gitignore=respect_gitignore, max_files=max_files))

    def __len__(self) -> int:
        return len(self.paths)

    def search(self, query: str, limit: int = 20) -> list[FileMatch]:
        """The best `limit` paths for `query` (spaces ignored), best first.

        An empty query lists the shortest paths.
        """
        q = "".join(query.split())[:_MAX_QUERY]
        if not q:
            best = heapq.nsmallest(limit, self.paths, key=lambda p: (p.count("/"), len(p), p))
            return [FileMatch(p, 0, ()) for p in best]
        lq = q.lower()
        results: list[FileMatch] = []
        taken: set[int] = set()
        for tier, (pattern, on_names) in enumerate(_patterns(lq)):
            blob, starts = (self._names, self._name_starts) if on_names else (self._blob, self._starts)
            lines = self._lines
            found: list[int] = []
            for m in itertools.islice(pattern.finditer(blob), _CANDIDATES_PER_TIER):
                i = bisect.bisect_right(starts, m.start()) - 1
                if i not in taken and (not found or found[-1] != i):
                    found.append(i)
            for i in heapq.nsmallest(limit - len(results), set(found), key=lambda i: (len(lines[i]), lines[i])):
                taken.add(i)
                path = lines[i]
                results.append(FileMatch(path, tier * 10_000 + min(len(path), 9_999), fuzzy_indices(lq, path) or ()))
            if len(results) >= limit:
                break
        return results


class BackgroundIndex:
    """A `FileIndex` built on a thread, refreshed when older than `max_age_s`; queries never wait."""

    def __init__(self, root: Path, *, max_age_s: float = 30.0) -> None:
        self.root = root
        self._max_age_s = max_age_s
        self._index: FileIndex | None = None
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()
        """Set once the first listing is done."""

    def start(self) -> None:
        """Begin (re)building unless a build is running."""
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._thread = threading.Thread(target=self._build, name="file-index", daemon=True)
            self._thread.start()

    def _build(self) -> None:
        index = FileIndex.build(self.root)
        with self._lock:
            self._index = index
        self.ready.set()

    def search(self, query: str, limit: int = 20) -> list[FileMatch] | None:
        """Results from the current index, or `None` while the first listing is still running."""
        index = self._index
        if index is None:
            self.start()
            return None
        if time.monotonic() - index.built_at > self._max_age_s:
            self.start()
        return index.search(query, limit)

    def paths(self) -> Iterable[str]:
        """The paths of the current index (empty before the first listing)."""
        index = self._index
        return index.paths if index is not None else ()

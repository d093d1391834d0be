"""Unified diffs for plans (imported only when a diff is asked for: difflib is not free to import)."""

from __future__ import annotations

import difflib


def unified_diff(old: str, new: str, context: int = 1) -> str:
    """Return a unified diff of two texts without the `---`/`+++` header lines."""
    old_lines = _lines(old)
    new_lines = _lines(new)
    out: list[str] = []
    for line in list(difflib.unified_diff(old_lines, new_lines, n=context))[2:]:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    parts = text.split("\n")
    lines = [part + "\n" for part in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines

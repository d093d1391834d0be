"""Starlark diagnostics: traceback, message and the source lines under a marker."""

from __future__ import annotations

from pycodex_execpolicy._starlark import Span, StarlarkError

__all__ = ["render_starlark_error"]


def render_starlark_error(error: StarlarkError, path: str, source: str) -> str:
    """The diagnostic Codex prints after `starlark error: `."""
    lines = source.split("\n")
    out: list[str] = []
    if error.frames:
        out.append("Traceback (most recent call last):")
        for frame in error.frames:
            out.append(f"  * {path}:{frame.span.line}, in {frame.function}")
            out.append(f"      {_line(lines, frame.span.line).strip()}")
    out.append(f"error: {error.message}")
    if error.span is not None:
        out.extend(_snippet(error.span, path, lines))
    return "\n".join(out) + "\n"


def _line(lines: list[str], number: int) -> str:
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _snippet(span: Span, path: str, lines: list[str]) -> list[str]:
    width = len(str(span.end_line))
    pad = " " * width
    out = [f"{pad}--> {path}:{span.line}:{span.col}", f"{pad} |"]
    if span.end_line == span.line:
        out.append(f"{span.line:>{width}} | {_line(lines, span.line)}".rstrip())
        length = max(span.end_col - span.col, 1)
        out.append(f"{pad} | {' ' * (span.col - 1)}{'^' * length}")
    else:
        out.append(f"{span.line:>{width}} | / {_line(lines, span.line)}".rstrip())
        for number in range(span.line + 1, span.end_line + 1):
            out.append(f"{number:>{width}} | | {_line(lines, number)}".rstrip())
        out.append(f"{pad} | |{'_' * max(span.end_col - 1, 0)}^")
    out.append(f"{pad} |")
    return out

"""Transcript cells: what each kind of event looks like once it is printed into the scrollback."""

from __future__ import annotations

import base64
import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._json import as_list, as_map
from ._markdown import strip_blank_edges
from ._text import Line, truncate

__all__ = [
    "ExecCell",
    "command_text",
    "diff_lines",
    "error_cell",
    "info_cell",
    "patch_cell",
    "plan_cell",
    "prefixed",
    "user_cell",
    "warning_cell",
]

DIM = "fg:ansibrightblack"
_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")
TAIL_LINES = 5
"""Output lines shown under a running command."""
PREVIEW_HEAD = 2
PREVIEW_TAIL = 3


def prefixed(lines: Sequence[Line], first: Line, rest: Line) -> list[Line]:
    """`lines` with `first` before the first line and `rest` before the others."""
    return [[*(first if i == 0 else rest), *line] for i, line in enumerate(lines)]


def user_cell(text: str) -> list[Line]:
    """`› text`, the way a submitted message is echoed."""
    lines = text.split("\n") or [""]
    body = [[("", ln)] for ln in lines]
    return prefixed(body, [("bold", "› ")], [("", "  ")])


def agent_lines(lines: Sequence[Line], *, first: bool) -> list[Line]:
    """Rendered markdown lines of an agent message; the message's first line gets the bullet."""
    return [[("", "• " if first and i == 0 else "  "), *line] for i, line in enumerate(lines)]


def reasoning_lines(lines: Sequence[Line], *, first: bool) -> list[Line]:
    """Reasoning summary lines, dim and italic."""
    return [
        [(DIM, "• " if first and i == 0 else "  "), *[(f"{s} {DIM} italic".strip(), t) for s, t in line]]
        for i, line in enumerate(lines)
    ]


def info_cell(text: str) -> list[Line]:
    """A dim note (`• text`)."""
    return prefixed([[(DIM, ln)] for ln in text.split("\n")], [(DIM, "• ")], [("", "  ")])


def warning_cell(text: str) -> list[Line]:
    """`⚠ text` in yellow."""
    return prefixed([[("fg:ansiyellow", ln)] for ln in text.split("\n")], [("fg:ansiyellow", "⚠ ")], [("", "  ")])


def error_cell(text: str) -> list[Line]:
    """`■ text` in red."""
    return prefixed([[("fg:ansired", ln)] for ln in text.split("\n")], [("fg:ansired bold", "■ ")], [("", "  ")])


def command_text(command: Any) -> str:
    """The command as the user would type it (`bash -lc SCRIPT` shows just the script)."""
    if isinstance(command, str):
        return command
    argv = [str(a) for a in as_list(command)]
    if len(argv) == 3 and argv[1] in ("-lc", "-c") and argv[0].rsplit("/", 1)[-1] in ("bash", "sh", "zsh"):
        return argv[2]
    return shlex.join(argv)


def _seconds(duration: Any) -> float | None:
    d = as_map(duration)
    if d:
        return float(d.get("secs", 0) or 0) + float(d.get("nanos", 0) or 0) / 1e9
    if isinstance(duration, int | float):
        return float(duration)
    return None


def _fmt_duration(secs: float) -> str:
    if secs < 1:
        return f"{int(secs * 1000)}ms"
    if secs < 60:
        return f"{secs:.1f}s"
    return f"{int(secs // 60)}m {int(secs % 60):02d}s"


@dataclass
class ExecCell:
    """A command the agent (or the user, with `!cmd`) runs: live while running, a summary when done."""

    call_id: str
    command: str
    output: bytearray = field(default_factory=bytearray)
    exit_code: int | None = None
    duration_s: float | None = None
    status: str = "running"
    user_shell: bool = False
    _cap: int = 64 * 1024

    def add_output(self, chunk: Any) -> None:
        """Append a base64 (or text) output chunk; only the last 64 KiB are kept."""
        if isinstance(chunk, str):
            try:
                data = base64.b64decode(chunk, validate=True)
            except ValueError:
                data = chunk.encode("utf-8", "replace")
        elif as_list(chunk):
            ints: list[int] = [b for b in as_list(chunk) if isinstance(b, int)]
            data = bytes(b & 0xFF for b in ints)
        else:
            return
        self.output += data
        if len(self.output) > self._cap:
            del self.output[: len(self.output) - self._cap]

    def finish(self, msg: Mapping[str, Any]) -> None:
        """Take the end event's exit code, duration and (if no delta came) its output."""
        code = msg.get("exit_code")
        self.exit_code = code if isinstance(code, int) else None
        self.duration_s = _seconds(msg.get("duration"))
        self.status = str(msg.get("status") or ("completed" if self.exit_code == 0 else "failed"))
        if not self.output:
            text = msg.get("aggregated_output") or msg.get("formatted_output") or ""
            if isinstance(text, str):
                self.output += text.encode("utf-8", "replace")[-self._cap :]

    def _output_lines(self) -> list[str]:
        text = self.output.decode("utf-8", "replace").replace("\r\n", "\n")
        text = re.sub(r"\x1b\[[0-9;?]*[ -/]*[@-~]", "", text)
        return [ln.rsplit("\r", 1)[-1] for ln in text.rstrip("\n").split("\n")] if text.strip() else []

    def lines(self, width: int = 100) -> list[Line]:
        """The cell as it looks now."""
        running = self.status == "running"
        ok = self.status == "completed" and self.exit_code == 0
        bullet = ("fg:ansibrightblack", "• ") if running else (("fg:ansigreen bold" if ok else "fg:ansired bold"), "• ")
        verb = "Running" if running else ("You ran" if self.user_shell else "Ran")
        cmd_lines = self.command.split("\n")
        out: list[Line] = [[bullet, ("bold", verb + " "), ("", cmd_lines[0])]]
        out += [[("fg:ansibrightblack", "  │ "), ("", ln)] for ln in cmd_lines[1:]]
        body = self._output_lines()
        shown: list[str]
        if running:
            shown = body[-TAIL_LINES:]
        elif len(body) > PREVIEW_HEAD + PREVIEW_TAIL + 1:
            hidden = len(body) - PREVIEW_HEAD - PREVIEW_TAIL
            shown = [*body[:PREVIEW_HEAD], f"… +{hidden} lines", *body[-PREVIEW_TAIL:]]
        else:
            shown = body
        for i, ln in enumerate(shown):
            lead = "  └ " if i == 0 else "    "
            style = DIM if ln.startswith("… +") and not running else DIM if running else ""
            out.append([(DIM, lead), (style, truncate(ln, max(width - 4, 10)))])
        if not running:
            out.append([(DIM, "    " + self._summary())])
        return out

    def _summary(self) -> str:
        parts: list[str] = []
        if self.status in ("declined", "interrupted"):
            parts.append(self.status)
        elif self.exit_code is not None:
            parts.append(f"exit {self.exit_code}")
        if self.duration_s is not None:
            parts.append(_fmt_duration(self.duration_s))
        return " · ".join(parts) or self.status


def diff_lines(diff: str) -> list[Line]:
    """A unified diff as line-numbered, coloured lines (`    2 -old` / `    2 +new`)."""
    out: list[Line] = []
    old = new = 0
    for raw in diff.split("\n"):
        if raw.startswith(("--- ", "+++ ", "diff ", "index ")):
            continue
        if (m := _HUNK.match(raw)) is not None:
            old, new = int(m.group(1)), int(m.group(2))
            if out:
                out.append([(DIM, "    ⋮")])
            continue
        if raw.startswith("+"):
            out.append([(DIM, f"{new:>5} "), ("fg:ansigreen", raw)])
            new += 1
        elif raw.startswith("-"):
            out.append([(DIM, f"{old:>5} "), ("fg:ansired", raw)])
            old += 1
        elif raw.startswith(" "):
            out.append([(DIM, f"{new:>5} "), ("", raw)])
            old += 1
            new += 1
    return out


def _counts(change: Mapping[str, Any]) -> tuple[int, int, list[Line]]:
    kind = change.get("type")
    if kind in ("add", "delete"):
        text = str(change.get("content") or "")
        body = text.split("\n")
        if body and body[-1] == "":
            body.pop()
        sign, style = ("+", "fg:ansigreen") if kind == "add" else ("-", "fg:ansired")
        lines: list[Line] = [[(DIM, f"{i:>5} "), (style, sign + ln)] for i, ln in enumerate(body, 1)]
        return (len(body), 0, lines) if kind == "add" else (0, len(body), lines)
    diff = str(change.get("unified_diff") or "")
    added = sum(1 for ln in diff.split("\n") if ln.startswith("+") and not ln.startswith("+++"))
    removed = sum(1 for ln in diff.split("\n") if ln.startswith("-") and not ln.startswith("---"))
    return added, removed, diff_lines(diff)


def patch_cell(changes: Mapping[str, Any], *, title: str | None = None, cwd: str = "") -> list[Line]:
    """`• Edited path (+A -D)` and the diff of each file; `title` replaces the verb (`Proposed Change`)."""
    out: list[Line] = []
    for n, (path, change) in enumerate(sorted(changes.items())):
        ch = as_map(change)
        if not ch:
            continue
        added, removed, body = _counts(ch)
        shown = path[len(cwd) + 1 :] if cwd and path.startswith(cwd + "/") else path
        if ch.get("move_path"):
            shown += f" → {ch['move_path']}"
        verb = title or {"add": "Added", "delete": "Deleted"}.get(str(ch.get("type")), "Edited")
        counts = [("", " ("), ("fg:ansigreen", f"+{added}"), ("", " "), ("fg:ansired", f"-{removed}"), ("", ")")]
        head: Line = [("bold", "• " if n == 0 else "  "), ("bold", f"{verb} "), ("", shown), *counts]
        out.append(head)
        out += [[("", "  "), *ln] for ln in body]
    return out


_PLAN_MARKS = {"completed": ("fg:ansigreen", "✔ "), "in_progress": ("fg:ansicyan bold", "□ "), "pending": (DIM, "□ ")}


def plan_cell(msg: Mapping[str, Any]) -> list[Line]:
    """`• Updated Plan` with a checkbox per step."""
    out: list[Line] = [[("bold", "• "), ("bold", "Updated Plan")]]
    explanation = msg.get("explanation")
    if isinstance(explanation, str) and explanation.strip():
        out.append([(DIM, "  └ "), (f"{DIM} italic", explanation.strip())])
    steps = msg.get("plan")
    for i, step in enumerate(as_list(steps)):
        s = as_map(step)
        if not s:
            continue
        status = str(s.get("status"))
        mark = _PLAN_MARKS.get(status, _PLAN_MARKS["pending"])
        text_style = {"completed": f"{DIM} strike", "in_progress": "fg:ansicyan"}.get(status, "")
        lead = "  └ " if i == 0 and not explanation else "    "
        out.append([(DIM, lead), mark, (text_style, str(s.get("step", "")))])
    return out


def message_block(lines: list[Line]) -> list[Line]:
    """Trim blank edges of a finished message."""
    return strip_blank_edges(lines)

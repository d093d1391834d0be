"""Pieces of the screen built from session state: header box, status indicator, status line, /status."""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from ._chat import ChatState
from ._json import as_map
from ._text import Line

__all__ = ["header_cell", "status_card", "status_indicator", "status_line"]

DIM = "fg:ansibrightblack"
SPINNER = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"


def short_dir(path: str) -> str:
    """`path` with the home directory shown as `~`."""
    home = os.path.expanduser("~")
    if home and home != "/" and (path == home or path.startswith(home + os.sep)):
        return "~" + path[len(home) :]
    return path


def git_branch(cwd: str) -> str | None:
    """The checked-out branch of the repository holding `cwd`, read from `.git/HEAD`."""
    for directory in (Path(cwd), *Path(cwd).parents):
        head = directory / ".git"
        if head.is_file():  # a worktree: `gitdir: <path>`
            try:
                text = head.read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            head = Path(text.removeprefix("gitdir:").strip())
        if (head / "HEAD").is_file():
            try:
                ref = (head / "HEAD").read_text(encoding="utf-8", errors="replace").strip()
            except OSError:
                return None
            return ref.removeprefix("ref: refs/heads/") if ref.startswith("ref:") else ref[:8]
    return None


def _model_with_reasoning(session: Mapping[str, Any]) -> str:
    model = str(session.get("model", ""))
    effort = session.get("reasoning_effort")
    return f"{model} {effort}" if effort else model


def header_cell(session: Mapping[str, Any], version: str) -> list[Line]:
    """The box printed when a session starts."""
    rows = [
        f">_ pycodex (v{version})",
        "",
        f"model:     {_model_with_reasoning(session)}   /model to change",
        f"directory: {short_dir(str(session.get('cwd', '')))}",
    ]
    width = max(len(r) for r in rows) + 2
    out: list[Line] = [[(DIM, "╭" + "─" * width + "╮")]]
    for i, row in enumerate(rows):
        style = "bold" if i == 0 else ""
        out.append([(DIM, "│ "), (style, row.ljust(width - 1)), (DIM, "│")])
    out.append([(DIM, "╰" + "─" * width + "╯")])
    return out


def status_indicator(chat: ChatState, *, now: float | None = None, animate: bool = True) -> Line:
    """`⠋ Working (3s • esc to interrupt)` while a turn runs."""
    now = time.monotonic() if now is None else now
    secs = max(0, int(now - chat.turn_started))
    spin = SPINNER[int(now * 10) % len(SPINNER)] if animate else "•"
    elapsed = f"{secs}s" if secs < 60 else f"{secs // 60}m {secs % 60:02d}s"
    return [("fg:ansicyan", f"{spin} "), ("bold", chat.header), (DIM, f" ({elapsed} • esc to interrupt)")]


def _fmt_tokens(n: int) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.2f}M"
    if n >= 1_000:
        return f"{n / 1_000:.2f}K"
    return str(n)


_BRANCH_CACHE: dict[str, tuple[float, str | None]] = {}


def _cached_branch(cwd: str) -> str | None:
    """`git_branch`, re-read at most every 5 seconds (the status line is drawn on every keystroke)."""
    now = time.monotonic()
    hit = _BRANCH_CACHE.get(cwd)
    if hit is None or now - hit[0] > 5:
        hit = (now, git_branch(cwd))
        _BRANCH_CACHE[cwd] = hit
    return hit[1]


def _item(name: str, chat: ChatState, version: str) -> str | None:
    s = chat.session
    u = chat.usage
    cwd = str(s.get("cwd", chat.cwd))

    def left() -> int | None:
        return u.context_left_percent()

    def ctx(fmt: str, used: bool) -> str | None:
        value = left()
        return None if value is None else fmt.format(100 - value if used else value)

    values: dict[str, Any] = {
        "model": lambda: s.get("model"),
        "model-name": lambda: s.get("model"),
        "model-with-reasoning": lambda: _model_with_reasoning(s) if s else None,
        "current-dir": lambda: short_dir(cwd) if cwd else None,
        "project-name": lambda: Path(cwd).name if cwd else None,
        "git-branch": lambda: _cached_branch(cwd) if cwd else None,
        "run-state": lambda: "working" if chat.running else "idle",
        "context-remaining": lambda: ctx("{}% context left", False),
        "context-used": lambda: ctx("{}% context used", True),
        "context-window-size": lambda: f"{_fmt_tokens(u.context_window)} window" if u.context_window else None,
        "used-tokens": lambda: f"{_fmt_tokens(u.total)} used" if u.total else None,
        "total-input-tokens": lambda: f"{_fmt_tokens(u.input)} in" if u.input else None,
        "total-output-tokens": lambda: f"{_fmt_tokens(u.output)} out" if u.output else None,
        "codex-version": lambda: f"v{version}",
        "session-id": lambda: s.get("session_id"),
        "thread-title": lambda: s.get("thread_name"),
    }
    getter = values.get(name)
    value = getter() if getter is not None else None
    return str(value) if value else None


def status_line(items: Sequence[str], chat: ChatState, version: str) -> Line:
    """The footer: the configured `[tui] status_line` items joined with ` · `."""
    parts = [v for v in (_item(name, chat, version) for name in items) if v]
    return [(DIM, "  " + " · ".join(parts))]


def _permissions(session: Mapping[str, Any]) -> str:
    policy = session.get("sandbox_policy")
    mode = as_map(policy).get("type", policy)
    approval = session.get("approval_policy")
    presets = {
        ("read-only", "on-request"): "Read Only",
        ("workspace-write", "on-request"): "Default",
        ("danger-full-access", "never"): "Full Access",
    }
    name = presets.get((str(mode), str(approval)), "Custom")
    return f"{name} ({mode}, {approval})"


def status_card(chat: ChatState, version: str, *, agents_files: Sequence[str] = (), account: str = "") -> list[Line]:
    """The `/status` card."""
    s, u = chat.session, chat.usage
    left = u.context_left_percent()
    rows: list[tuple[str, str]] = [
        ("Model", f"{s.get('model', '')} (reasoning {s.get('reasoning_effort') or 'default'})"),
        ("Directory", short_dir(str(s.get("cwd", "")))),
        ("Permissions", _permissions(s)),
        ("Agents.md", ", ".join(agents_files) or "<none>"),
        ("Account", account or "API key or provider credentials"),
        ("Session", str(s.get("session_id", ""))),
        (
            "Token usage",
            f"{_fmt_tokens(u.total)} total ({_fmt_tokens(u.input)} input + {_fmt_tokens(u.output)} output)",
        ),
    ]
    if u.context_window:
        used = _fmt_tokens(u.last_total)
        rows.append(("Context window", f"{left}% left ({used} used / {_fmt_tokens(u.context_window)})"))
    out: list[Line] = [[("bold", f">_ pycodex (v{version})")], []]
    out += [[(DIM, f"  {k + ':':<16}"), ("", v)] for k, v in rows]
    return out

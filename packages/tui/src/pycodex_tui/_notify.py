"""Desktop notifications through the terminal: `[tui] notifications`, `notification_method` and `_condition`."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._cells import command_text
from ._focus import FocusTracker
from ._json import as_map
from ._text import truncate

__all__ = [
    "AGENT_TURN_COMPLETE",
    "APPROVAL_REQUESTED",
    "Notifier",
    "approval_text",
    "escape_sequence",
    "resolve_method",
    "turn_complete_text",
]

AGENT_TURN_COMPLETE = "agent-turn-complete"
APPROVAL_REQUESTED = "approval-requested"
_PREVIEW_CHARS = 200
_COMMAND_CHARS = 30
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """Control characters (which could end the escape sequence early) become spaces; runs of space collapse."""
    return " ".join(_CONTROL.sub(" ", text).split())


def turn_complete_text(last_message: str | None) -> str:
    """What a finished turn notifies: the start of the last answer, or a plain note when there is none."""
    preview = _one_line(last_message or "")
    return truncate(preview, _PREVIEW_CHARS) if preview else "Agent turn complete"


def approval_text(kind: str, msg: Mapping[str, Any], cwd: str = "") -> str:
    """What an approval request notifies (a command, or the files an edit touches)."""
    if kind == "exec":
        return f"Approval requested: {truncate(_one_line(command_text(msg.get('command', []))), _COMMAND_CHARS)}"
    if kind == "elicitation":
        return f"Approval requested by {msg.get('server_name', '')}"
    changes = list(as_map(msg.get("changes")))
    if len(changes) == 1:
        path = Path(changes[0])
        try:
            shown = str(path.relative_to(cwd)) if cwd and path.is_absolute() else str(path)
        except ValueError:
            shown = str(path)
        return f"Codex wants to edit {_one_line(shown)}"
    return f"Codex wants to edit {len(changes)} files"


def resolve_method(method: str, env: Mapping[str, str] | None = None) -> str:
    """`auto` becomes `osc9` on terminals known to show OSC 9 notifications, else `bel`."""
    if method != "auto":
        return method
    env = os.environ if env is None else env
    if "WT_SESSION" in env:
        return "bel"
    if "ITERM_SESSION_ID" in env or env.get("TERM_PROGRAM") in ("WezTerm", "ghostty", "iTerm.app"):
        return "osc9"
    return "osc9" if env.get("TERM") in ("xterm-kitty", "wezterm", "wezterm-mux", "xterm-ghostty") else "bel"


def escape_sequence(method: str, text: str) -> str:
    """The bytes that ask the terminal to notify `text` with `method` (`osc9`, `osc777` or `bel`)."""
    body = _one_line(text)
    if method == "osc9":
        return f"\x1b]9;{body}\x07"
    if method == "osc777":
        return f"\x1b]777;notify;Codex;{body}\x07"
    return "\x07"


class Notifier:
    """Decides whether a notification goes out (type enabled, focus condition) and how."""

    def __init__(self, tui: Any, focus: FocusTracker, env: Mapping[str, str] | None = None) -> None:
        setting = getattr(tui, "notifications", True)
        self.enabled: bool | frozenset[str] = setting if isinstance(setting, bool) else frozenset(setting)
        self.condition = str(getattr(tui, "notification_condition", "unfocused"))
        self.method = resolve_method(str(getattr(tui, "notification_method", "auto")), env)
        self.focus = focus

    def wants(self, kind: str) -> bool:
        """Whether a notification of `kind` would be sent now."""
        enabled = self.enabled if isinstance(self.enabled, bool) else kind in self.enabled
        if not enabled:
            return False
        return self.condition == "always" or not self.focus.focused

    def sequence(self, kind: str, text: str) -> str | None:
        """The escape sequence to write for this notification, or None when it is not wanted."""
        return escape_sequence(self.method, text) if self.wants(kind) else None

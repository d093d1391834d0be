"""The approval modal: the question, what is asked for, and the choices with their keys."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ._cells import command_text, patch_cell
from ._chat import Pending
from ._json import as_map
from ._text import Line

__all__ = ["ApprovalModal", "Choice"]


@dataclass(frozen=True)
class Choice:
    """One option of the modal."""

    label: str
    key: str
    decision: str
    """The `ReviewDecision` sent back: `approved`, `approved_for_session`, `denied` or `abort`."""


_EXEC_CHOICES = (
    Choice("Yes, proceed", "y", "approved"),
    Choice("Yes, and don't ask again for this command in this session", "a", "approved_for_session"),
    Choice("No, continue without running it", "d", "denied"),
    Choice("No, and tell Codex what to do differently", "esc", "abort"),
)
_PATCH_CHOICES = (
    Choice("Yes, proceed", "y", "approved"),
    Choice("Yes, and don't ask again for these files", "a", "approved_for_session"),
    Choice("No, and tell Codex what to do differently", "esc", "abort"),
)


class ApprovalModal:
    """State of the modal for one pending request."""

    def __init__(self, pending: Pending, cwd: str = "") -> None:
        self.pending = pending
        self.cwd = cwd
        self.choices = _EXEC_CHOICES if pending.kind == "exec" else _PATCH_CHOICES
        self.selected = 0

    @property
    def msg(self) -> Mapping[str, Any]:
        """The request event."""
        return self.pending.msg

    def op(self, decision: str) -> dict[str, Any]:
        """The op that answers the request with `decision`."""
        call_id = str(self.msg.get("approval_id") or self.msg.get("call_id", ""))
        if self.pending.kind == "exec":
            op: dict[str, Any] = {"type": "exec_approval", "id": call_id, "decision": decision}
            if self.msg.get("turn_id"):
                op["turn_id"] = self.msg["turn_id"]
            return op
        return {"type": "patch_approval", "id": call_id, "decision": decision}

    def choice_for_key(self, key: str) -> Choice | None:
        """The choice bound to `key` (`y`, `a`, `d`, `n`, `esc`, or its number)."""
        if key == "n":
            key = "d" if self.pending.kind == "exec" else "esc"
        if key.isdigit() and 1 <= int(key) <= len(self.choices):
            return self.choices[int(key) - 1]
        return next((c for c in self.choices if c.key == key), None)

    def move(self, delta: int) -> None:
        """Move the highlight up or down."""
        self.selected = (self.selected + delta) % len(self.choices)

    def lines(self, max_body: int = 20) -> list[Line]:
        """The modal as styled lines."""
        out: list[Line] = []
        if self.pending.kind == "exec":
            out.append([("bold", "Would you like to run the following command?")])
            out += self._reason()
            out.append([])
            for i, ln in enumerate(command_text(self.msg.get("command", [])).split("\n")):
                out.append([("fg:ansibrightblack", "  $ " if i == 0 else "    "), ("", ln)])
        else:
            out.append([("bold", "Would you like to make the following edits?")])
            out += self._reason()
            out.append([])
            body = patch_cell(as_map(self.msg.get("changes")), title="Proposed Change", cwd=self.cwd)
            if len(body) > max_body:
                body = [*body[:max_body], [("fg:ansibrightblack", f"    … +{len(body) - max_body} lines")]]
            out += body
        out.append([])
        for i, choice in enumerate(self.choices):
            style = "fg:ansicyan bold" if i == self.selected else ""
            mark = "› " if i == self.selected else "  "
            out.append([(style, f"{mark}{i + 1}. {choice.label} "), ("fg:ansibrightblack", f"({choice.key})")])
        out.append([])
        out.append([("fg:ansibrightblack", "  Press enter to confirm or esc to cancel")])
        return out

    def _reason(self) -> list[Line]:
        reason = self.msg.get("reason")
        if isinstance(reason, str) and reason.strip():
            return [[("fg:ansibrightblack italic", f"Reason: {reason.strip()}")]]
        return []

"""The three decisions a rule can carry, ordered from the most to the least permissive."""

from __future__ import annotations

import enum

__all__ = ["Decision"]


class Decision(enum.Enum):
    """What a rule says about a command: `allow` < `prompt` < `forbidden`."""

    ALLOW = "allow"
    """Run without asking (and, when every command of a call is allowed by a rule, unsandboxed)."""
    PROMPT = "prompt"
    """Ask the user first."""
    FORBIDDEN = "forbidden"
    """Never run."""

    @property
    def rank(self) -> int:
        """Strictness: 0 for allow, 1 for prompt, 2 for forbidden."""
        return _RANK[self]

    @property
    def debug_name(self) -> str:
        """The variant name as Codex prints it in error messages (`Allow`, `Prompt`, `Forbidden`)."""
        return self.value.capitalize()

    @classmethod
    def parse(cls, text: str) -> Decision | None:
        """The decision spelled exactly `text` (case-sensitive), or None."""
        for decision in cls:
            if decision.value == text:
                return decision
        return None

    @staticmethod
    def strictest(decisions: list[Decision]) -> Decision | None:
        """The strictest of `decisions`, or None when there are none."""
        return max(decisions, key=lambda d: d.rank) if decisions else None


_RANK = {Decision.ALLOW: 0, Decision.PROMPT: 1, Decision.FORBIDDEN: 2}

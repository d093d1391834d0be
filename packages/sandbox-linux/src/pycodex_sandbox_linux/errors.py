"""Exceptions of the Linux sandbox.

```text
Exception
└── SandboxError             the command cannot be sandboxed as asked
    ├── SandboxSetupError    the policy cannot be enforced here (e.g. a read-only path is a symlink)
    └── SandboxUnavailable   no sandbox layer works on this machine; carries the remedy
```
"""

from __future__ import annotations

__all__ = ["SandboxError", "SandboxSetupError", "SandboxUnavailable"]


class SandboxError(Exception):
    """The command was not started, because it cannot be sandboxed as the policy asks."""


class SandboxSetupError(SandboxError):
    """The policy cannot be enforced with the layers available (the message says why)."""


class SandboxUnavailable(SandboxError):
    """No sandbox layer works here; the command is refused rather than run unsandboxed."""

    def __init__(self, message: str, *, remedy: str) -> None:
        super().__init__(f"{message}. {remedy}")
        self.reason = message
        """Why no layer works."""
        self.remedy = remedy
        """What the user can do about it."""

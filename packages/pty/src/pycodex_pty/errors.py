"""Errors raised by pycodex_pty.

```
PtyError
└── SpawnError   the command could not be started
```
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["PtyError", "SpawnError"]


class PtyError(Exception):
    """Base class of every error raised by pycodex_pty."""


class SpawnError(PtyError):
    """The command could not be started.

    Args:
        argv: The command that failed.
        reason: Why, e.g. `No such file or directory`.
    """

    def __init__(self, argv: Sequence[str], reason: str) -> None:
        self.argv = list(argv)
        self.reason = reason
        super().__init__(f"failed to spawn {self.argv[0] if self.argv else ''!r}: {reason}")

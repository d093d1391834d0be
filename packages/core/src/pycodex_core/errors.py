"""Errors raised by pycodex_core.

```
CodexCoreError
├── RolloutError        a rollout file is missing or unreadable
└── SessionClosed       the session has shut down; no more events will come
```

Tool failures are not exceptions here: they go back to the model as tool output. Model and
turn failures reach front ends as `error` events, never as raised exceptions.
"""

from __future__ import annotations

__all__ = ["CodexCoreError", "RolloutError", "SessionClosed"]


class CodexCoreError(Exception):
    """Base class of every error raised by pycodex_core."""


class RolloutError(CodexCoreError):
    """A rollout could not be found or read.

    Args:
        message: What went wrong, naming the file or id.
    """


class SessionClosed(CodexCoreError):
    """The session has shut down: `next_event` has nothing more to return."""

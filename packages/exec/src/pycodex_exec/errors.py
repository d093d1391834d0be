"""Errors of `codex exec`.

```text
Exception
└── ExecError          a run cannot start; `str()` is the text for stderr, `exit_code` the status
    └── ExecUsageError     the command line cannot be honoured (exit 2)
```
"""

from __future__ import annotations

__all__ = ["ExecError", "ExecUsageError"]


class ExecError(Exception):
    """`codex exec` cannot run; print `str(error)` on stderr and exit with `exit_code`.

    Args:
        message: The text for stderr.
        exit_code: The process exit status (1 unless said otherwise).
    """

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class ExecUsageError(ExecError):
    """A flag or subcommand pycodex recognises but cannot honour (exit 2)."""

    def __init__(self, message: str) -> None:
        super().__init__(message, exit_code=2)

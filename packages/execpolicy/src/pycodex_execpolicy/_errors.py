"""Errors of the execpolicy package.

```
ExecPolicyError
├── PolicyReadError    a rule file cannot be read
├── PolicyParseError   a rule file is invalid (syntax, a bad rule, a failed example)
└── AmendError         a rule cannot be written to a rule file
```
"""

from __future__ import annotations

__all__ = ["AmendError", "ExecPolicyError", "PolicyParseError", "PolicyReadError"]


class ExecPolicyError(Exception):
    """Base of every error this package raises."""


class PolicyReadError(ExecPolicyError):
    """A rule file could not be read."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"failed to read policy at {path}: {reason}")
        self.path = path
        """The file as it was named."""
        self.reason = reason
        """Why, as the operating system put it (`No such file or directory (os error 2)`)."""

    def render(self) -> str:
        """The error as `codex execpolicy check` prints it."""
        return f"Error: failed to read policy at {self.path}\n\nCaused by:\n    {self.reason}\n"


class PolicyParseError(ExecPolicyError):
    """A rule file is not a valid policy."""

    def __init__(self, path: str, message: str, detail: str, line: int | None = None, col: int | None = None) -> None:
        where = f"{path}:{line}:{col}" if line is not None else path
        super().__init__(f"{where}: {message}")
        self.path = path
        """The file as it was named."""
        self.message = message
        """The error in Codex's words (`invalid decision: deny`)."""
        self.detail = detail
        """The full report: traceback, message and the source lines with a marker."""
        self.line = line
        """1-based line of the offending expression, when known."""
        self.col = col
        """1-based column of the offending expression, when known."""

    def render(self) -> str:
        """The error as `codex execpolicy check` prints it."""
        body = "\n".join("    " + line for line in self.detail.split("\n"))
        return f"Error: failed to parse policy at {self.path}\n\nCaused by:\n{body}\n"

    def summary(self) -> str:
        """One line for warnings: `<path>:<line>: <message> (problem is on or around line <line>)`."""
        if self.line is None:
            return f"{self.path}: {self.message}"
        return f"{self.path}:{self.line}: {self.message} (problem is on or around line {self.line})"


class AmendError(ExecPolicyError):
    """A rule could not be added to a rule file."""

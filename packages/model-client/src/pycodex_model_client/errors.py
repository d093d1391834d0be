"""Errors raised by the model client.

```
ModelClientError
├── StreamError            retryable or not; `retry_after` is the server-requested delay
├── ContextWindowExceeded  fatal: the input no longer fits the model's window
├── UsageLimitReached      fatal: quota or plan limit
├── Unauthorized           fatal: HTTP 401
├── BadRequest             fatal: HTTP 4xx; the server's message verbatim
└── MissingEnvKey          fatal: the provider's `env_key` variable is unset or empty
```
"""

from __future__ import annotations

__all__ = [
    "BadRequest",
    "ContextWindowExceeded",
    "MissingEnvKey",
    "ModelClientError",
    "StreamError",
    "Unauthorized",
    "UsageLimitReached",
]


class ModelClientError(Exception):
    """Base class of every error the model client raises."""

    retryable: bool = False
    """Whether the caller may re-issue the same request (stream-level retry)."""

    retry_after: float | None = None
    """Seconds the server asked us to wait before retrying, if it said so."""

    @property
    def message(self) -> str:
        """The user-facing message (same as `str(error)`)."""
        return str(self)


class StreamError(ModelClientError):
    """A request or stream failed; `retryable` tells whether a reconnect may help.

    Args:
        message: The user-facing text, e.g. `stream disconnected before completion: ...`.
        retryable: Whether the turn loop should reconnect.
        retry_after: The delay the server requested, in seconds.
    """

    def __init__(self, message: str, retryable: bool = True, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.retry_after = retry_after

    def __repr__(self) -> str:
        return f"StreamError({str(self)!r}, retryable={self.retryable!r}, retry_after={self.retry_after!r})"


class ContextWindowExceeded(ModelClientError):
    """The conversation no longer fits the model's context window."""

    def __init__(
        self,
        message: str = "Codex ran out of room in the model's context window. Start a new thread or clear earlier "
        "history before retrying.",
    ) -> None:
        super().__init__(message)


class UsageLimitReached(ModelClientError):
    """The account hit a quota or usage limit."""

    def __init__(
        self, message: str = "Quota exceeded. Check your plan and billing details.", retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unauthorized(ModelClientError):
    """The server rejected the credentials (HTTP 401)."""


class BadRequest(ModelClientError):
    """The server rejected the request (HTTP 4xx); the message is the server's text verbatim.

    Args:
        message: The server's `error.message`, or the raw body when it has none.
        status: The HTTP status code.
    """

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class MissingEnvKey(ModelClientError):
    """The provider names an `env_key` whose variable is unset or empty.

    Args:
        var: The environment variable name.
        instructions: The provider's `env_key_instructions`, appended to the message when set.
    """

    def __init__(self, var: str, instructions: str | None = None) -> None:
        text = f"Missing environment variable: `{var}`."
        if instructions:
            text = f"{text} {instructions}"
        super().__init__(text)
        self.var = var
        self.instructions = instructions

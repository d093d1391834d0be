"""Errors raised by the model client.

```
ModelClientError
├── StreamError            retryable or not; `retry_after` is the server-requested delay
│   └── BadRequest         HTTP 4xx: fatal for 400 and coded errors, else retried as Codex does
│       └── Unauthorized   HTTP 401 (retried: a refreshed credential may fix it)
├── ContextWindowExceeded  fatal: the input no longer fits the model's window
├── UsageLimitReached      fatal: quota or plan limit
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


class BadRequest(StreamError):
    """The server rejected the request with an HTTP 4xx status.

    The text is what Codex 0.169 shows: the error's `message` when it has a string `code`, the
    body verbatim for other 400s, else `unexpected status ...`.

    Args:
        message: The text to show.
        status: The HTTP status code.
        retryable: Whether the turn loop should reconnect (Codex does for uncoded non-400 errors).
    """

    def __init__(self, message: str, status: int = 400, retryable: bool = False) -> None:
        super().__init__(message, retryable=retryable)
        self.status = status


class Unauthorized(BadRequest):
    """The server rejected the credentials (HTTP 401)."""

    def __init__(self, message: str, retryable: bool = True) -> None:
        super().__init__(message, 401, retryable=retryable)


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

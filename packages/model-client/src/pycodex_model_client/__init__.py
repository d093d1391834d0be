"""Streaming Responses API and Chat Completions client with Codex's retries.

Importing the package is light: the events and errors load eagerly; the HTTP client (and `httpx`) load on first
use of `ModelClient`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._events import (
    Completed,
    Created,
    CustomToolCallInputDelta,
    OutputItemAdded,
    OutputItemDone,
    OutputTextDelta,
    RateLimits,
    ReasoningContentDelta,
    ReasoningSummaryDelta,
    ReasoningSummaryPartAdded,
    ResponseEvent,
)
from ._models import ModelInfo, fallback_warning, model_info
from ._retry import backoff_delay
from .errors import (
    BadRequest,
    ContextWindowExceeded,
    MissingEnvKey,
    ModelClientError,
    StreamError,
    Unauthorized,
    UsageLimitReached,
)

if TYPE_CHECKING:
    from pathlib import Path

    from pycodex_config import ModelProviderInfo

    from ._auth import AuthSource
    from ._client import ModelClient

__all__ = [
    "AuthSource",
    "BadRequest",
    "Completed",
    "ContextWindowExceeded",
    "Created",
    "CustomToolCallInputDelta",
    "MissingEnvKey",
    "ModelClient",
    "ModelClientError",
    "ModelInfo",
    "OutputItemAdded",
    "OutputItemDone",
    "OutputTextDelta",
    "RateLimits",
    "ReasoningContentDelta",
    "ReasoningSummaryDelta",
    "ReasoningSummaryPartAdded",
    "ResponseEvent",
    "StreamError",
    "Unauthorized",
    "UsageLimitReached",
    "backoff_delay",
    "fallback_warning",
    "model_info",
    "resolve_auth_header",
]


def resolve_auth_header(provider: ModelProviderInfo, codex_home: Path | None) -> str | None:
    """The `Authorization` header value for `provider`, or `None` when it needs none.

    Order: the provider's `experimental_bearer_token`; its `env_key` variable; for providers that use OpenAI
    auth, `CODEX_API_KEY`, `OPENAI_API_KEY`, then `$CODEX_HOME/auth.json` (`OPENAI_API_KEY`, else
    `tokens.access_token`).

    Raises:
        MissingEnvKey: The credential the provider needs is missing or empty.
    """
    from ._auth import resolve_auth_header as resolve

    return resolve(provider, codex_home)


def __getattr__(name: str) -> Any:
    if name == "AuthSource":
        from ._auth import AuthSource

        return AuthSource
    if name == "ModelClient":
        from ._client import ModelClient

        return ModelClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

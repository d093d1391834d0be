"""Errors raised by `pycodex_local_models`.

```text
LocalModelError
├── ServerNotRunning      no Ollama / LM Studio server answers at the base URL
├── OllamaTooOld          the Ollama server predates Responses API support
├── ModelDownloadFailed   `ollama pull` or `lms get` did not finish
├── EmbeddedServerError   the embedded llama.cpp server could not be started
└── UnknownLocalProvider  a provider id other than ollama, lmstudio, llamacpp
```

Messages that Codex also prints are kept word for word, so front ends can show
`OSS setup failed: {error}` exactly as Codex does.
"""

from __future__ import annotations

__all__ = [
    "EmbeddedServerError",
    "LocalModelError",
    "ModelDownloadFailed",
    "OllamaTooOld",
    "ServerNotRunning",
    "UnknownLocalProvider",
]


class LocalModelError(Exception):
    """Base class of every error raised by this package."""


class ServerNotRunning(LocalModelError):
    """No usable local server answered.

    Attributes:
        provider: `"ollama"` or `"lmstudio"`.
        base_url: The URL that was probed.
    """

    def __init__(self, message: str, *, provider: str, base_url: str) -> None:
        super().__init__(message)
        self.provider = provider
        self.base_url = base_url


class OllamaTooOld(LocalModelError):
    """The Ollama server is older than the first release with the Responses API.

    Attributes:
        version: The version the server reported.
    """

    def __init__(self, version: str, minimum: str) -> None:
        super().__init__(f"Ollama {version} is too old. Codex requires Ollama {minimum} or newer.")
        self.version = version


class ModelDownloadFailed(LocalModelError):
    """A model pull (Ollama) or download (`lms get`) failed."""


class EmbeddedServerError(LocalModelError):
    """The embedded llama.cpp server is unavailable or failed to start."""


class UnknownLocalProvider(LocalModelError):
    """The requested local provider id is not one this package knows."""

    def __init__(self, provider: str) -> None:
        super().__init__(f"Unknown local provider {provider!r}; expected one of: ollama, lmstudio, llamacpp")
        self.provider = provider

"""Base URLs of the local providers, and the record describing a detected server."""

from __future__ import annotations

import os
from dataclasses import dataclass

OLLAMA_DEFAULT_PORT = 11434
LMSTUDIO_DEFAULT_PORT = 1234
DETECT_TIMEOUT = 1.5
"""Seconds allowed for each request while looking for a running server."""


def oss_base_url(default_port: int) -> str:
    """Return the OpenAI-style base URL of a local provider.

    Like Codex, `CODEX_OSS_BASE_URL` wins when set and non-empty; otherwise the URL is
    `http://localhost:{port}/v1` with the port from `CODEX_OSS_PORT` when it parses as a
    port number, else `default_port`.
    """
    explicit = os.environ.get("CODEX_OSS_BASE_URL", "").strip()
    if explicit:
        return explicit
    port = default_port
    raw_port = os.environ.get("CODEX_OSS_PORT", "").strip()
    if raw_port.isdigit() and 0 < int(raw_port) < 65536:
        port = int(raw_port)
    return f"http://localhost:{port}/v1"


@dataclass(frozen=True, slots=True)
class LocalEndpoint:
    """A local model server that answered.

    Attributes:
        provider: `"ollama"` or `"lmstudio"`.
        base_url: OpenAI-style base URL, ending in `/v1`.
        version: Server version when it reports one (Ollama), else `None`.
        models: Model names the server lists, or `None` when the list was unreadable.
    """

    provider: str
    base_url: str
    version: str | None = None
    models: tuple[str, ...] | None = None

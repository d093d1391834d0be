"""Model providers: `[model_providers.<id>]` tables and the built-in ones.

Built-ins (reference: codex-core §4.4): `openai`, `ollama`, `lmstudio`, plus pycodex's
`llamacpp` for the embedded llama.cpp server (its base URL is filled in when the server starts).
User tables cannot replace a built-in id. Unlike Codex 0.169, `wire_api = "chat"` is accepted:
pycodex still speaks Chat Completions to local servers that lack the Responses API.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

logger = logging.getLogger(__name__)

__all__ = ["ModelProviderInfo", "built_in_model_providers"]

WireApi = Literal["responses", "chat"]

DEFAULT_REQUEST_MAX_RETRIES = 4
DEFAULT_STREAM_MAX_RETRIES = 5
DEFAULT_STREAM_IDLE_TIMEOUT_MS = 300_000
DEFAULT_OLLAMA_PORT = 11434
DEFAULT_LMSTUDIO_PORT = 1234


@dataclass(frozen=True)
class ModelProviderInfo:
    """Where and how to reach a model API."""

    name: str
    """Display name, e.g. `OpenAI`."""
    base_url: str | None = None
    """API root such as `https://api.openai.com/v1`. `None` for `openai` means "pick by auth
    mode" (API key: `https://api.openai.com/v1`; ChatGPT login: `https://chatgpt.com/backend-api/codex`)
    and for `llamacpp` "filled in when the embedded server starts"."""
    env_key: str | None = None
    """Environment variable holding the API key."""
    env_key_instructions: str | None = None
    """Shown when `env_key` is missing."""
    experimental_bearer_token: str | None = None
    """A literal bearer token (discouraged; prefer `env_key`)."""
    wire_api: WireApi = "responses"
    """`responses` (Responses API) or `chat` (Chat Completions)."""
    query_params: Mapping[str, str] | None = None
    """Appended to every request URL (e.g. Azure `api-version`)."""
    http_headers: Mapping[str, str] | None = None
    """Static extra headers."""
    env_http_headers: Mapping[str, str] | None = None
    """Header name -> environment variable name; skipped when the variable is unset or empty."""
    request_max_retries: int = DEFAULT_REQUEST_MAX_RETRIES
    """Retries of a failed HTTP request."""
    stream_max_retries: int = DEFAULT_STREAM_MAX_RETRIES
    """Reconnects of a dropped response stream."""
    stream_idle_timeout_ms: int = DEFAULT_STREAM_IDLE_TIMEOUT_MS
    """Idle time after which a stream counts as dropped."""
    requires_openai_auth: bool = False
    """Use Codex login (`auth.json`, `OPENAI_API_KEY`) instead of `env_key`."""
    websocket_connect_timeout_ms: int | None = None
    """Kept from the config for completeness; pycodex does not use websockets."""
    supports_websockets: bool = False
    """Kept from the config for completeness."""

    @classmethod
    def from_toml(cls, table: Mapping[str, object], *, provider_id: str) -> ModelProviderInfo:
        """Build a provider from an already validated `[model_providers.<id>]` table."""

        def text(key: str) -> str | None:
            value = table.get(key)
            return value if isinstance(value, str) else None

        def mapping(key: str) -> dict[str, str] | None:
            value = table.get(key)
            return {str(k): str(v) for k, v in value.items()} if isinstance(value, dict) else None  # pyright: ignore[reportUnknownVariableType, reportUnknownArgumentType]

        def integer(key: str, default: int) -> int:
            value = table.get(key)
            return value if isinstance(value, int) and not isinstance(value, bool) else default

        ws_timeout = table.get("websocket_connect_timeout_ms")
        return cls(
            name=text("name") or provider_id,
            base_url=text("base_url"),
            env_key=text("env_key"),
            env_key_instructions=text("env_key_instructions"),
            experimental_bearer_token=text("experimental_bearer_token"),
            wire_api="chat" if table.get("wire_api") == "chat" else "responses",
            query_params=mapping("query_params"),
            http_headers=mapping("http_headers"),
            env_http_headers=mapping("env_http_headers"),
            request_max_retries=integer("request_max_retries", DEFAULT_REQUEST_MAX_RETRIES),
            stream_max_retries=integer("stream_max_retries", DEFAULT_STREAM_MAX_RETRIES),
            stream_idle_timeout_ms=integer("stream_idle_timeout_ms", DEFAULT_STREAM_IDLE_TIMEOUT_MS),
            requires_openai_auth=table.get("requires_openai_auth") is True,
            websocket_connect_timeout_ms=ws_timeout if isinstance(ws_timeout, int) else None,
            supports_websockets=table.get("supports_websockets") is True,
        )


def _oss_base_url(default_port: int, env: Mapping[str, str]) -> str:
    explicit = env.get("CODEX_OSS_BASE_URL", "").strip()
    if explicit:
        return explicit
    port_text = env.get("CODEX_OSS_PORT", "").strip()
    port = int(port_text) if port_text.isdigit() else default_port
    return f"http://localhost:{port}/v1"


def built_in_model_providers(
    *, openai_base_url: str | None = None, env: Mapping[str, str] | None = None
) -> dict[str, ModelProviderInfo]:
    """Return the built-in providers keyed by id (`openai`, `ollama`, `lmstudio`, `llamacpp`).

    Args:
        openai_base_url: the top-level `openai_base_url` config key, if set.
        env: environment for `CODEX_OSS_BASE_URL` / `CODEX_OSS_PORT` (default `os.environ`).
    """
    environ = os.environ if env is None else env
    return {
        "openai": ModelProviderInfo(name="OpenAI", base_url=openai_base_url, requires_openai_auth=True),
        "ollama": ModelProviderInfo(name="Ollama", base_url=_oss_base_url(DEFAULT_OLLAMA_PORT, environ)),
        "lmstudio": ModelProviderInfo(name="LM Studio", base_url=_oss_base_url(DEFAULT_LMSTUDIO_PORT, environ)),
        "llamacpp": ModelProviderInfo(name="llama.cpp (embedded)", wire_api="chat"),
    }

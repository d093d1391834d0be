"""Resolve the `Authorization` header for a provider. Secrets are never logged."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from .errors import MissingEnvKey

if TYPE_CHECKING:
    from pycodex_config import ModelProviderInfo

__all__ = ["AuthSource", "resolve_auth_header"]

logger = logging.getLogger(__name__)


class AuthSource(Protocol):
    """Stored credentials for providers that use OpenAI auth (`pycodex_login.AuthManager` is one).

    Both methods may block briefly (a keyring read, a token refresh); the client calls them in a worker thread.
    """

    def bearer_token(self) -> str | None:
        """The token to send, refreshed first when it is about to expire; `None` when signed out."""
        ...

    def handle_unauthorized(self) -> bool:
        """After a 401: renew the credentials if possible; `True` when a retry may succeed."""
        ...

    def chatgpt_account(self) -> str | None:
        """`None` in API-key mode; in ChatGPT mode the account id for `ChatGPT-Account-ID` (`""` if unknown)."""
        ...


def _auth_json_token(codex_home: Path | None) -> str | None:
    if codex_home is None:
        return None
    path = codex_home / "auth.json"
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as e:
        logger.warning("cannot read %s: %s", path, type(e).__name__)
        return None
    if not isinstance(data, dict):
        return None
    key = data.get("OPENAI_API_KEY")
    if isinstance(key, str) and key:
        return key
    tokens = data.get("tokens")
    token = tokens.get("access_token") if isinstance(tokens, dict) else None
    return token if isinstance(token, str) and token else None


def resolve_auth_header(
    provider: ModelProviderInfo,
    codex_home: Path | None,
    env: Mapping[str, str] | None = None,
    *,
    stored_token: str | None = None,
) -> str | None:
    """The `Authorization` header value for `provider`, or `None` when it needs none.

    Order: the provider's `experimental_bearer_token`; its `env_key` variable; for providers that use OpenAI
    auth, `CODEX_API_KEY`, `OPENAI_API_KEY`, then `$CODEX_HOME/auth.json` (`OPENAI_API_KEY`, else
    `tokens.access_token`). A provider with neither `env_key` nor OpenAI auth gets no header.

    Args:
        provider: The model provider.
        codex_home: Where `auth.json` lives.
        env: The environment to read (default `os.environ`).
        stored_token: The token an `AuthSource` gave, used instead of reading `auth.json`.

    Raises:
        MissingEnvKey: `env_key` is set but its variable is unset or empty, or OpenAI auth is required and no
            credential was found.
    """
    env = os.environ if env is None else env
    token = getattr(provider, "experimental_bearer_token", None)
    if token:
        return f"Bearer {token}"
    env_key = getattr(provider, "env_key", None)
    openai_auth = bool(getattr(provider, "requires_openai_auth", False))
    if env_key and not openai_auth:
        value = env.get(env_key, "").strip()
        if not value:
            raise MissingEnvKey(env_key, getattr(provider, "env_key_instructions", None))
        return f"Bearer {value}"
    if not openai_auth:
        return None
    for var in ("CODEX_API_KEY", env_key or "OPENAI_API_KEY", "OPENAI_API_KEY"):
        value = env.get(var, "").strip()
        if value:
            return f"Bearer {value}"
    token = stored_token or _auth_json_token(codex_home)
    if token:
        return f"Bearer {token}"
    raise MissingEnvKey(env_key or "OPENAI_API_KEY", getattr(provider, "env_key_instructions", None))

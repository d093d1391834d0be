"""The credentials document (`auth.json`, Codex's `AuthDotJson`) and the manager that keeps it fresh."""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from pycodex_keyring_store import CredentialStore, CredentialStoreError, open_store
from pycodex_login._jwt import IdTokenInfo, JwtError, parse_id_token

__all__ = [
    "AuthManager",
    "CLIENT_ID",
    "CodexAuth",
    "DEFAULT_ISSUER",
    "LoginError",
    "REFRESH_INTERVAL",
    "TokenData",
    "mask_api_key",
]

logger = logging.getLogger(__name__)

DEFAULT_ISSUER = "https://auth.openai.com"
CLIENT_ID = "app_EMoamEEZ73f0CkXaXp7hrann"
REFRESH_INTERVAL = timedelta(days=8)
"""Tokens older than this are refreshed before use, as Codex does."""
REFRESH_URL_ENV = "CODEX_REFRESH_TOKEN_URL_OVERRIDE"

_REFRESH_FAILURES = {
    "refresh_token_expired": "Your access token could not be refreshed because your refresh token has expired.",
    "refresh_token_reused": "Your access token could not be refreshed because your refresh token was already used.",
    "refresh_token_invalidated": "Your access token could not be refreshed because your refresh token was revoked.",
}
_SIGN_IN_AGAIN = " Please log out and sign in again."


class LoginError(Exception):
    """Signing in, refreshing or storing credentials failed; the message is for the user."""


def mask_api_key(key: str) -> str:
    """`sk-proj-***vwxyz`: the first 8 and last 5 characters; keys of 13 or fewer are `***`."""
    return "***" if len(key) <= 13 else f"{key[:8]}***{key[-5:]}"


@dataclass(frozen=True, slots=True)
class TokenData:
    """The ChatGPT tokens of `auth.json`."""

    id_token: str
    access_token: str
    refresh_token: str
    account_id: str | None = None

    @property
    def info(self) -> IdTokenInfo:
        """The id token's claims (empty when it cannot be read)."""
        try:
            return parse_id_token(self.id_token)
        except JwtError:
            return IdTokenInfo()

    def to_json(self) -> dict[str, Any]:
        """The `tokens` object."""
        return {
            "id_token": self.id_token,
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "account_id": self.account_id,
        }


@dataclass(frozen=True, slots=True)
class CodexAuth:
    """Credentials in effect, wherever they came from."""

    mode: Literal["apikey", "chatgpt"]
    api_key: str | None = None
    tokens: TokenData | None = None
    last_refresh: datetime | None = None
    source: str = ""
    """Where they were read: a file path, `the OS keyring`, or an environment variable."""
    extra: Mapping[str, Any] = field(default_factory=lambda: {})
    """Keys of the document this program does not model, written back unchanged."""

    @classmethod
    def from_document(cls, document: Mapping[str, Any], source: str) -> CodexAuth | None:
        """Read an `AuthDotJson`; `None` when it holds no usable credential."""
        key = document.get("OPENAI_API_KEY")
        key = key if isinstance(key, str) and key else None
        tokens = _tokens(document.get("tokens"))
        mode = document.get("auth_mode")
        if mode not in ("apikey", "chatgpt"):
            mode = "chatgpt" if tokens is not None and key is None else "apikey"
        if mode == "chatgpt" and tokens is None:
            mode = "apikey"
        if mode == "apikey" and key is None:
            if tokens is None:
                return None
            mode = "chatgpt"
        known = {"auth_mode", "OPENAI_API_KEY", "tokens", "last_refresh"}
        extra = {k: v for k, v in document.items() if k not in known}
        return cls(mode, key, tokens, _parse_time(document.get("last_refresh")), source, extra)

    def to_document(self) -> dict[str, Any]:
        """The `AuthDotJson` to store, in Codex's key order."""
        document: dict[str, Any] = {"auth_mode": self.mode, "OPENAI_API_KEY": self.api_key}
        if self.tokens is not None:
            document["tokens"] = self.tokens.to_json()
        if self.last_refresh is not None:
            document["last_refresh"] = self.last_refresh.astimezone(UTC).isoformat().replace("+00:00", "Z")
        if self.mode == "apikey" and self.tokens is None:
            document = {"auth_mode": "apikey", "OPENAI_API_KEY": self.api_key}
        document.update(self.extra)
        return document

    @property
    def bearer(self) -> str | None:
        """The token for `Authorization: Bearer`: the API key, else the ChatGPT access token."""
        if self.mode == "apikey":
            return self.api_key
        return self.tokens.access_token if self.tokens is not None else None

    @property
    def account_id(self) -> str | None:
        """The ChatGPT account (sent as `ChatGPT-Account-ID`)."""
        if self.tokens is None:
            return None
        return self.tokens.account_id or self.tokens.info.chatgpt_account_id


def _tokens(value: object) -> TokenData | None:
    if not isinstance(value, dict):
        return None
    fields = {k: value.get(k) for k in ("id_token", "access_token", "refresh_token")}
    if not all(isinstance(fields[k], str) and fields[k] for k in ("id_token", "access_token")):
        return None
    if not isinstance(fields["refresh_token"], str):
        fields["refresh_token"] = ""  # a token given with --with-access-token cannot be refreshed
    account = value.get("account_id")
    return TokenData(
        str(fields["id_token"]),
        str(fields["access_token"]),
        str(fields["refresh_token"]),
        account if isinstance(account, str) and account else None,
    )


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


_UNREAD = object()


class AuthManager:
    """Loads, stores, refreshes and removes the credentials of one `CODEX_HOME`.

    Args:
        codex_home: The configuration directory.
        store_mode: `cli_auth_credentials_store` (`file`, `keyring`, `auto`, `ephemeral`; default file).
        store: A store to use instead of the one `store_mode` names (tests).
        issuer: Base URL of the OAuth issuer (tests point it at 127.0.0.1).
        client_id: The OAuth client id.
        env: Environment to read `CODEX_API_KEY` from (default `os.environ`).
        allow_env_api_key: Honour `CODEX_API_KEY` (only `codex exec` does, as in Codex).
        on_warning: Receives warnings (the keyring fell back to the file, a refresh failed).
        http: An `httpx.Client` for the issuer; default: a new one with a 30 s timeout.
    """

    def __init__(
        self,
        codex_home: Path,
        *,
        store_mode: str | None = None,
        store: CredentialStore | None = None,
        issuer: str = DEFAULT_ISSUER,
        client_id: str = CLIENT_ID,
        env: Mapping[str, str] | None = None,
        allow_env_api_key: bool = False,
        on_warning: Callable[[str], None] | None = None,
        http: Any = None,
    ) -> None:
        self.codex_home = Path(codex_home)
        self.on_warning = on_warning or (lambda message: logger.warning("%s", message))
        try:
            self.store = store or open_store(store_mode, self.codex_home, on_warning=self.on_warning)
        except CredentialStoreError as exc:
            raise LoginError(str(exc)) from None
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.env = os.environ if env is None else env
        self.allow_env_api_key = allow_env_api_key
        self._http = http
        self._lock = threading.Lock()
        self._cached: CodexAuth | None = None
        self._signing: CodexAuth | None | object = _UNREAD
        """What the last `bearer_token()` signed with."""

    # Loading and storing

    def current(self) -> CodexAuth | None:
        """The credentials in effect: `CODEX_API_KEY` (when allowed), else the stored ones.

        Raises:
            LoginError: The store cannot be read.
        """
        if self.allow_env_api_key:
            key = self.env.get("CODEX_API_KEY", "").strip()
            if key:
                return CodexAuth("apikey", key, source="CODEX_API_KEY")
        try:
            document = self.store.load()
        except CredentialStoreError as exc:
            raise LoginError(str(exc)) from None
        self._cached = None if document is None else CodexAuth.from_document(document, self.store.description)
        return self._cached

    def save(self, auth: CodexAuth) -> None:
        """Store `auth`.

        Raises:
            LoginError: It could not be written.
        """
        self._signing = _UNREAD
        try:
            self.store.save(auth.to_document())
        except CredentialStoreError as exc:
            raise LoginError(str(exc)) from None
        self._cached = auth

    def login_with_api_key(self, key: str) -> CodexAuth:
        """Store an API key (replacing any ChatGPT sign-in).

        Raises:
            LoginError: The key is empty or cannot be stored.
        """
        key = key.strip()
        if not key:
            raise LoginError("No API key provided via stdin.")
        if any(c.isspace() or not c.isprintable() for c in key):
            raise LoginError("The API key contains whitespace or control characters.")
        auth = CodexAuth("apikey", key)
        self.save(auth)
        return auth

    def login_with_tokens(self, tokens: TokenData, api_key: str | None = None) -> CodexAuth:
        """Store a ChatGPT sign-in (tokens from the code exchange, maybe an exchanged API key)."""
        auth = CodexAuth("chatgpt", api_key, tokens, datetime.now(UTC))
        self.save(auth)
        return auth

    def logout(self) -> bool:
        """Remove the stored credentials; `True` when there were any.

        Raises:
            LoginError: They exist but could not be removed.
        """
        self._signing = _UNREAD
        try:
            removed = self.store.delete()
        except CredentialStoreError as exc:
            raise LoginError(str(exc)) from None
        self._cached = None
        return removed

    def status_lines(self) -> tuple[list[str], int]:
        """What `codex login status` prints (on stderr) and its exit status."""
        try:
            auth = self.current()
        except LoginError as exc:
            return [f"Error checking login status: {exc}"], 1
        if auth is None:
            return ["Not logged in"], 1
        if auth.mode == "apikey" and auth.api_key:
            return [f"API key configured - {mask_api_key(auth.api_key)}", _CHECKED_LATER], 0
        email = auth.tokens.info.email if auth.tokens is not None else None
        return [f"Logged in using ChatGPT{f' ({email})' if email else ''}"], 0

    # Tokens for requests

    def bearer_token(self) -> str | None:
        """The bearer token for a model request, refreshed first when it is older than 8 days.

        Raises:
            LoginError: The store cannot be read.
        """
        auth = self.current()
        if auth is not None and auth.mode == "chatgpt" and self._stale(auth):
            try:
                auth = self.refresh(auth)
            except LoginError as exc:
                self.on_warning(str(exc))
        self._signing = auth
        return auth.bearer if auth is not None else None

    def chatgpt_account(self) -> str | None:
        """`None` when signed in with an API key (or not at all); in ChatGPT mode the account id, `""` if unknown.

        It describes the credentials the last `bearer_token()` returned (read from the store only when
        there was no such call), so a request reads the store once.

        Raises:
            LoginError: The store cannot be read.
        """
        auth = self._signing if self._signing is not _UNREAD else self.current()
        if not isinstance(auth, CodexAuth) or auth.mode != "chatgpt":
            return None
        return auth.account_id or ""

    def handle_unauthorized(self) -> bool:
        """After a 401: refresh ChatGPT tokens once; `True` when a new token is ready to retry with."""
        auth = self.current()
        if auth is None or auth.mode != "chatgpt":
            return False
        try:
            self.refresh(auth)
        except LoginError as exc:
            self.on_warning(str(exc))
            return False
        return True

    @staticmethod
    def _stale(auth: CodexAuth) -> bool:
        if auth.last_refresh is None:
            return True
        expires = auth.tokens.info.expires_at if auth.tokens is not None else None
        now = datetime.now(UTC)
        if expires is not None and datetime.fromtimestamp(expires, UTC) - now < timedelta(minutes=5):
            return True
        return now - auth.last_refresh > REFRESH_INTERVAL

    def refresh(self, auth: CodexAuth | None = None) -> CodexAuth:
        """Exchange the refresh token for new tokens and store them.

        Raises:
            LoginError: Not signed in with ChatGPT, or the issuer refused (with Codex's advice to sign in again).
        """
        with self._lock:
            auth = auth or self.current()
            if auth is None or auth.tokens is None or not auth.tokens.refresh_token:
                raise LoginError("Not signed in with ChatGPT: nothing to refresh.")
            url = self.env.get(REFRESH_URL_ENV) or f"{self.issuer}/oauth/token"
            body = {
                "client_id": self.client_id,
                "grant_type": "refresh_token",
                "refresh_token": auth.tokens.refresh_token,
            }
            status, payload = self.post_json(url, body)
            if status != 200 or not isinstance(payload, dict):
                raise LoginError(_refresh_failure(status, payload))
            tokens = TokenData(
                _field(payload, "id_token") or auth.tokens.id_token,
                _field(payload, "access_token") or auth.tokens.access_token,
                _field(payload, "refresh_token") or auth.tokens.refresh_token,
                auth.tokens.account_id,
            )
            refreshed = CodexAuth("chatgpt", auth.api_key, tokens, datetime.now(UTC), auth.source, auth.extra)
            self.save(refreshed)
            return refreshed

    def _client(self) -> Any:
        if self._http is None:
            import httpx

            self._http = httpx.Client(timeout=30.0, trust_env=False)
        return self._http

    def post_json(self, url: str, body: dict[str, Any]) -> tuple[int, Any]:
        """POST a JSON body to the issuer; `(status, parsed JSON or None)`.

        Raises:
            LoginError: The issuer could not be reached.
        """
        return self._post(url, json=body)

    def post_form(self, url: str, form: dict[str, str]) -> tuple[int, Any]:
        """POST a form to the issuer; `(status, parsed JSON or None)`.

        Raises:
            LoginError: The issuer could not be reached.
        """
        return self._post(url, data=form)

    def _post(self, url: str, **body: Any) -> tuple[int, Any]:
        import httpx

        try:
            response = self._client().post(url, **body)
        except httpx.HTTPError as exc:
            raise LoginError(f"Could not reach the sign-in service: {type(exc).__name__}") from None
        return response.status_code, _json_or_none(response)


_CHECKED_LATER = "Authentication is checked when you send a request."


def _field(payload: Mapping[str, Any], key: str) -> str | None:
    value = payload.get(key)
    return value if isinstance(value, str) and value else None


def _json_or_none(response: Any) -> Any:
    try:
        return response.json()
    except (ValueError, RecursionError):
        return None


def _refresh_failure(status: int, payload: Any) -> str:
    code = None
    if isinstance(payload, dict):
        error = payload.get("error")
        code = error.get("code") if isinstance(error, dict) else error
    if isinstance(code, str) and code in _REFRESH_FAILURES:
        return _REFRESH_FAILURES[code] + _SIGN_IN_AGAIN
    return f"Failed to refresh your ChatGPT sign-in (HTTP {status}).{_SIGN_IN_AGAIN}"

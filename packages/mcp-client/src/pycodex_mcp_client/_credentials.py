"""MCP servers' OAuth logins where Codex keeps them, per `mcp_oauth_credentials_store` (`auto|file|keyring`).

* `keyring`: the OS keyring, service `Codex MCP Credentials`, one entry per server whose account is
  `<server name>|<16 hex digits>` (the sha256 of `{"type":"http","url":<url>,"headers":{}}`); the
  value is Codex's JSON (`server_name`, `url`, `client_id`, `token_response`, `expires_at` in ms).
* `file`: `$CODEX_HOME/.credentials.json` (0600), an object of such keys to flat entries
  (`server_name`, `server_url`, `client_id`, `access_token`, `refresh_token`, `expires_at`, `scopes`).
* `auto` (the default): the keyring, and the file with a logged warning when the keyring fails.

So a login made by Codex 0.169 is used here and the other way round. What Codex does not store
(the registered client's secret and metadata) rides along under a `pycodex` key Codex ignores.
Logins kept by earlier versions in `$CODEX_HOME/mcp-oauth.json` are read and moved over on first use.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, cast

from pycodex_keyring_store import CredentialStoreError, FileStore, KeyringStore

from ._oauth_store import OAuthTokenFile
from .errors import McpClientError

logger = logging.getLogger(__name__)

__all__ = ["CREDENTIALS_FILE", "KEYRING_SERVICE", "McpOAuthStore", "oauth_store_key"]

KEYRING_SERVICE = "Codex MCP Credentials"
"""The keyring service of MCP logins, as Codex names it."""
CREDENTIALS_FILE = ".credentials.json"
"""The file under `$CODEX_HOME` for `mcp_oauth_credentials_store = "file"` (and `auto` without a keyring)."""
_MODES = ("auto", "file", "keyring")
LOCK_TIMEOUT_S = 10.0
"""How long a write of `.credentials.json` waits for another writer."""
_warned: set[str] = set()


def _warn_once(message: str) -> None:
    """Log a fallback to the file once per process, not at every read."""
    if message not in _warned:
        _warned.add(message)
        logger.warning("%s", message)


def oauth_store_key(name: str, url: str) -> str:
    """`<name>|<sha256 of the server's identity, 16 hex digits>`: keyring account and file key, as Codex's."""
    identity = json.dumps({"type": "http", "url": url, "headers": {}}, separators=(",", ":"), ensure_ascii=False)
    return f"{name}|{hashlib.sha256(identity.encode('utf-8')).hexdigest()[:16]}"


class McpOAuthStore:
    """The stored logins of MCP servers. An entry is `{"tokens": {...}, "client_info": {...}, ...}`.

    `tokens` is an OAuth token response (`access_token`, `token_type`, `expires_in`, `refresh_token`,
    `scope`); `client_info` the registered client. Every method is blocking (file or keyring I/O).

    Args:
        codex_home: The `$CODEX_HOME` directory.
        mode: `mcp_oauth_credentials_store`: `auto` (default), `file` or `keyring`.
        keyring_backend: A `keyring` backend to use instead of the system's (tests).

    Raises:
        McpClientError: `mode` is not one of auto, file, keyring.
    """

    def __init__(self, codex_home: Path, mode: str | None = None, *, keyring_backend: Any = None) -> None:
        if mode is not None and mode not in _MODES:
            raise McpClientError(f"unknown mcp_oauth_credentials_store {mode!r}: expected one of auto, file, keyring")
        self.codex_home = Path(codex_home)
        self.mode = mode or "auto"
        """Where logins go."""
        self.file = FileStore(self.codex_home, file_name=CREDENTIALS_FILE)
        self.legacy = OAuthTokenFile(self.codex_home)
        """`mcp-oauth.json` of earlier versions: read, moved over, and kept for a client secret set before login."""
        self._backend = keyring_backend

    def _keyring(self, name: str, url: str) -> KeyringStore:
        return KeyringStore(
            self.codex_home, backend=self._backend, service=KEYRING_SERVICE, account=oauth_store_key(name, url)
        )

    # -- reading -------------------------------------------------------------------------------

    def get(self, name: str, url: str) -> dict[str, Any]:
        """The entry of a server (empty when there is none); a login found only in `mcp-oauth.json` is moved."""
        entry = self._stored(name, url)
        pending = self.legacy.get(name, url)
        if entry is None and _has_tokens(pending):
            try:
                self._save(name, url, pending)
                self.legacy.delete(name, url)
                logger.info("moved the MCP login of %r to %s", name, self._where())
            except McpClientError as exc:
                logger.warning("could not move the MCP login of %r out of %s: %s", name, self.legacy.path, exc)
            return pending
        if entry is None:
            return pending
        return {**{k: v for k, v in pending.items() if k == "client_secret"}, **entry}

    def _stored(self, name: str, url: str) -> dict[str, Any] | None:
        if self.mode != "file":
            try:
                document = self._keyring(name, url).load()
            except CredentialStoreError as exc:
                if self.mode == "keyring":
                    raise McpClientError(f"cannot read the MCP login of {name!r}: {exc}") from None
                _warn_once(f"{exc}; reading MCP logins from {self.file.path} instead")
            else:
                if document is not None:
                    return _from_keyring(document)
                if self.mode == "keyring":
                    return None
        return self._from_file(name, url)

    def _from_file(self, name: str, url: str) -> dict[str, Any] | None:
        try:
            document = self.file.load() or {}
        except CredentialStoreError as exc:
            logger.warning("ignoring MCP logins in %s: %s", self.file.path, exc)
            return None
        key = oauth_store_key(name, url)
        for value in document.values():
            entry = _object(value)
            if (
                entry is not None
                and oauth_store_key(str(entry.get("server_name")), str(entry.get("server_url"))) == key
            ):
                return _from_file_entry(entry)
        return None

    def has_tokens(self, name: str, url: str) -> bool:
        """Whether an access token is stored for the server."""
        try:
            return _has_tokens(self.get(name, url))
        except McpClientError:
            return False

    # -- writing -------------------------------------------------------------------------------

    def update(self, name: str, url: str, **fields: object) -> None:
        """Set fields of a server's entry, keeping the others.

        Raises:
            McpClientError: the store cannot be written (a keyring error in `keyring` mode, an
                unreadable `.credentials.json` that would be overwritten).
        """
        entry = {**self.get(name, url), **fields}
        if "tokens" in fields and "expires_at" not in fields:
            entry.pop("expires_at", None)  # new tokens: their expiry comes from their `expires_in`
        if _has_tokens(entry):
            self._save(name, url, entry)
            self.legacy.delete(name, url)
        else:  # a client secret (or registration) before any login: Codex's formats have no place for it
            self.legacy.update(name, url, **fields)

    def _save(self, name: str, url: str, entry: dict[str, Any]) -> None:
        if self.mode != "file":
            try:
                self._keyring(name, url).save(_to_keyring(name, url, entry))
            except CredentialStoreError as exc:
                if self.mode == "keyring":
                    raise McpClientError(f"cannot store the MCP login of {name!r}: {exc}") from None
                logger.warning(
                    "%s; storing the MCP login of %r in %s (readable only by you)", exc, name, self.file.path
                )
            else:
                self._drop_from_file(name, url)
                return
        self._write_file(name, url, _to_file_entry(name, url, entry))

    def _write_file(self, name: str, url: str, entry: dict[str, Any] | None) -> bool:
        with _file_lock(self.codex_home):  # one writer at a time: each rewrites the whole file
            return self._rewrite(name, url, entry)

    def _rewrite(self, name: str, url: str, entry: dict[str, Any] | None) -> bool:
        try:
            document = self.file.load() or {}
        except CredentialStoreError as exc:
            raise McpClientError(f"{self.file.path} cannot be read, so it is left as it is: {exc}") from None
        key = oauth_store_key(name, url)
        removed = document.pop(key, None) is not None
        if entry is not None:
            document[key] = entry
        if entry is None and not removed:
            return False
        try:
            if document:
                self.file.save(document)
            else:
                self.file.delete()
        except CredentialStoreError as exc:
            raise McpClientError(str(exc)) from None
        return removed

    def _drop_from_file(self, name: str, url: str) -> None:
        try:
            self._write_file(name, url, None)
        except McpClientError as exc:
            logger.warning("could not remove the old MCP login of %r from the file: %s", name, exc)

    def delete(self, name: str, url: str) -> bool:
        """Forget a server's login everywhere it may be; whether there was one.

        Raises:
            McpClientError: the keyring cannot be reached (`keyring` mode) or the file cannot be written.
        """
        removed = False
        if self.mode != "file":
            try:
                removed = self._keyring(name, url).delete()
            except CredentialStoreError as exc:
                if self.mode == "keyring":
                    raise McpClientError(f"cannot remove the MCP login of {name!r}: {exc}") from None
                logger.warning("%s", exc)
        removed = self._write_file(name, url, None) or removed
        return self.legacy.delete(name, url) or removed

    def _where(self) -> str:
        return "the OS keyring" if self.mode == "keyring" else str(self.file.path) if self.mode == "file" else self.mode


@contextlib.contextmanager
def _file_lock(codex_home: Path) -> Iterator[None]:
    """An exclusive `flock` on `$CODEX_HOME/mcp-oauth-locks/credentials.lock` (where `fcntl` exists).

    Raises:
        McpClientError: the lock could not be taken within `LOCK_TIMEOUT_S`.
    """
    try:
        import fcntl
    except ImportError:  # Windows: writers are not serialised
        yield
        return
    directory = codex_home / "mcp-oauth-locks"
    try:
        directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(directory / "credentials.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    except OSError as exc:
        raise McpClientError(f"cannot lock MCP logins in {directory}: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + LOCK_TIMEOUT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise McpClientError(f"another process holds the MCP login lock in {directory}") from None
                time.sleep(0.02)
        yield
    finally:
        os.close(fd)


def _object(value: object) -> dict[str, Any] | None:
    return cast(dict[str, Any], value) if isinstance(value, dict) else None


def _has_tokens(entry: dict[str, Any]) -> bool:
    tokens = _object(entry.get("tokens"))
    return tokens is not None and isinstance(tokens.get("access_token"), str) and bool(tokens["access_token"].strip())


def _now_ms() -> int:
    return int(time.time() * 1000)


def _expires_at(tokens: dict[str, Any], entry: dict[str, Any]) -> int | None:
    """When the access token expires (ms since the epoch), from `expires_in` at the time it was stored."""
    known = entry.get("expires_at")
    if isinstance(known, int) and not isinstance(known, bool):
        return known
    seconds = tokens.get("expires_in")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return _now_ms() + int(seconds * 1000)
    return None


def _tokens(access: object, kind: object, refresh: object, scope: object, expires_at: object) -> dict[str, Any]:
    tokens: dict[str, Any] = {"access_token": str(access or ""), "token_type": "Bearer"}
    if isinstance(kind, str) and kind.lower() == "bearer":
        tokens["token_type"] = "Bearer"
    if isinstance(refresh, str) and refresh:
        tokens["refresh_token"] = refresh
    if isinstance(scope, str) and scope:
        tokens["scope"] = scope
    if isinstance(expires_at, int) and not isinstance(expires_at, bool):
        tokens["expires_in"] = max(0, (expires_at - _now_ms()) // 1000)
    return tokens


def _extras(entry: dict[str, Any]) -> dict[str, Any]:
    return {k: entry[k] for k in ("client_info", "client_secret") if entry.get(k) is not None}


def _client_id(entry: dict[str, Any]) -> str:
    info = _object(entry.get("client_info")) or {}
    return str(info.get("client_id") or entry.get("client_id") or "")


def _to_keyring(name: str, url: str, entry: dict[str, Any]) -> dict[str, Any]:
    tokens = _object(entry.get("tokens")) or {}
    response: dict[str, Any] = {"access_token": tokens.get("access_token", ""), "token_type": "bearer"}
    response |= {k: tokens[k] for k in ("expires_in", "refresh_token", "scope") if tokens.get(k) is not None}
    document: dict[str, Any] = {"server_name": name, "url": url, "client_id": _client_id(entry)}
    document |= {"token_response": response, "expires_at": _expires_at(tokens, entry)}
    return document | ({"pycodex": _extras(entry)} if _extras(entry) else {})


def _from_keyring(document: dict[str, Any]) -> dict[str, Any]:
    response = _object(document.get("token_response")) or {}
    tokens = _tokens(
        response.get("access_token"),
        response.get("token_type"),
        response.get("refresh_token"),
        response.get("scope"),
        document.get("expires_at"),
    )
    return _entry(tokens, document)


def _to_file_entry(name: str, url: str, entry: dict[str, Any]) -> dict[str, Any]:
    tokens = _object(entry.get("tokens")) or {}
    scope = tokens.get("scope")
    out: dict[str, Any] = {"server_name": name, "server_url": url, "client_id": _client_id(entry)}
    out |= {"access_token": tokens.get("access_token", ""), "expires_at": _expires_at(tokens, entry)}
    out |= {"refresh_token": tokens.get("refresh_token"), "scopes": scope.split() if isinstance(scope, str) else []}
    return out | ({"pycodex": _extras(entry)} if _extras(entry) else {})


def _from_file_entry(entry: dict[str, Any]) -> dict[str, Any]:
    scopes = entry.get("scopes")
    words = " ".join(str(s) for s in cast(list[Any], scopes)) if isinstance(scopes, list) else ""
    tokens = _tokens(entry.get("access_token"), "bearer", entry.get("refresh_token"), words, entry.get("expires_at"))
    return _entry(tokens, entry)


def _entry(tokens: dict[str, Any], stored: dict[str, Any]) -> dict[str, Any]:
    extras = _object(stored.get("pycodex")) or {}
    entry: dict[str, Any] = {"tokens": tokens}
    info = _object(extras.get("client_info"))
    client_id = stored.get("client_id")
    if info is None and isinstance(client_id, str) and client_id:
        info = {"client_id": client_id}  # a login made by Codex: it keeps only the client id
    if info is not None:
        entry["client_info"] = info
    if isinstance(extras.get("client_secret"), str):
        entry["client_secret"] = extras["client_secret"]
    if isinstance(stored.get("expires_at"), int):
        entry["expires_at"] = stored["expires_at"]
    return entry

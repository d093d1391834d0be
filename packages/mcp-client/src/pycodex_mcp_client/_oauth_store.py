"""`$CODEX_HOME/mcp-oauth.json` (mode 0600), where earlier versions kept MCP logins, and the SDK's token storage.

One entry per server name and URL: `{"servers": {"<name>|<url>": {"tokens": {...}, "client_info": {...}}}}`.
Logins now live in the credential store (`McpOAuthStore`), which reads this file as a fallback and moves
them out; it still holds a client secret given before any login. Writes are atomic (temporary file +
rename) and the file is never readable by others.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, cast

import anyio

logger = logging.getLogger(__name__)

__all__ = ["OAUTH_FILE_NAME", "OAuthTokenFile", "StoredOAuth"]

OAUTH_FILE_NAME = "mcp-oauth.json"
"""The file under `$CODEX_HOME`."""


class OAuthTokenFile:
    """The token file. Every method reads or writes the whole (small) file.

    Args:
        codex_home: The `$CODEX_HOME` directory.
    """

    def __init__(self, codex_home: Path) -> None:
        self.path = Path(codex_home) / OAUTH_FILE_NAME
        """Where the tokens live."""

    @staticmethod
    def key(name: str, url: str) -> str:
        """The entry key of server `name` at `url`."""
        return f"{name}|{url}"

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            logger.warning("ignoring unreadable %s: %s", self.path, exc)
            return {}
        servers = data.get("servers") if isinstance(data, dict) else None
        return cast(dict[str, Any], servers) if isinstance(servers, dict) else {}

    def _write(self, servers: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", dir=self.path.parent)
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump({"servers": servers}, fh, indent=2)
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def get(self, name: str, url: str) -> dict[str, Any]:
        """The entry of a server (empty when there is none)."""
        entry = self._read().get(self.key(name, url))
        return cast(dict[str, Any], entry) if isinstance(entry, dict) else {}

    def update(self, name: str, url: str, **fields: object) -> None:
        """Set fields of a server's entry, keeping the others."""
        servers = self._read()
        entry = dict(self.get(name, url))
        entry.update(fields)
        servers[self.key(name, url)] = entry
        self._write(servers)

    def delete(self, name: str, url: str) -> bool:
        """Forget a server's tokens; returns whether there were any."""
        servers = self._read()
        if servers.pop(self.key(name, url), None) is None:
            return False
        if servers:
            self._write(servers)
        else:
            self.path.unlink(missing_ok=True)
        return True

    def has_tokens(self, name: str, url: str) -> bool:
        """Whether an access token is stored for the server."""
        tokens = self.get(name, url).get("tokens")
        return isinstance(tokens, dict) and bool(cast(dict[str, Any], tokens).get("access_token"))


class StoredOAuth:
    """The SDK's `TokenStorage` for one server, backed by a store with `get` / `update` (`McpOAuthStore`)."""

    def __init__(self, store: Any, name: str, url: str) -> None:
        self._store, self._name, self._url = store, name, url

    async def get_tokens(self) -> Any:
        """The stored `OAuthToken`, if any."""
        from mcp.shared.auth import OAuthToken

        data = await anyio.to_thread.run_sync(self._store.get, self._name, self._url)
        return OAuthToken.model_validate(data["tokens"]) if isinstance(data.get("tokens"), dict) else None

    async def set_tokens(self, tokens: Any) -> None:
        """Store a new `OAuthToken`."""
        dumped = tokens.model_dump(mode="json", exclude_none=True)
        await anyio.to_thread.run_sync(lambda: self._store.update(self._name, self._url, tokens=dumped))

    async def get_client_info(self) -> Any:
        """The registered client (`OAuthClientInformationFull`), if any."""
        from mcp.shared.auth import OAuthClientInformationFull

        data = await anyio.to_thread.run_sync(self._store.get, self._name, self._url)
        info = data.get("client_info")
        return OAuthClientInformationFull.model_validate(info) if isinstance(info, dict) else None

    async def set_client_info(self, client_info: Any) -> None:
        """Store the registered client."""
        dumped = client_info.model_dump(mode="json", exclude_none=True)
        await anyio.to_thread.run_sync(lambda: self._store.update(self._name, self._url, client_info=dumped))

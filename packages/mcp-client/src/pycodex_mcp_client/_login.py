"""`codex mcp login`: the OAuth authorization-code flow (PKCE) for a streamable-HTTP server.

The SDK's `OAuthClientProvider` does discovery, client registration, PKCE and the token
exchange; this module supplies the browser step (print the URL, open a browser unless told not
to) and a one-shot callback listener on 127.0.0.1, and stores the tokens in the credential store
`mcp_oauth_credentials_store` names (`McpOAuthStore`).
"""

from __future__ import annotations

import logging
import os
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, urlsplit

import anyio
from anyio.abc import SocketStream

from pycodex_config import McpServerConfig

from ._credentials import McpOAuthStore
from ._oauth_store import StoredOAuth
from ._registration import callback_id, client_metadata_url
from ._transport import http_headers
from .errors import McpClientError

logger = logging.getLogger(__name__)

__all__ = ["oauth_login"]

LOGIN_TIMEOUT_S = 300.0
"""How long the user has to finish the login in the browser."""
_PAGE = b"<html><body><p>Login complete: you can close this window and return to Codex.</p></body></html>"


class _Callback:
    """A one-shot HTTP listener on 127.0.0.1 that receives `?code=...&state=...`."""

    def __init__(self) -> None:
        self.result: tuple[str, str | None] | None = None
        self.error: str | None = None
        self.done = anyio.Event()

    async def handle(self, stream: SocketStream) -> None:
        async with stream:
            data = b""
            with anyio.move_on_after(10):
                while b"\r\n\r\n" not in data and len(data) < 16384:
                    chunk = await stream.receive(4096)
                    if not chunk:
                        break
                    data += chunk
            line = data.split(b"\r\n", 1)[0].decode("latin-1")
            parts = line.split(" ")
            query = parse_qs(urlsplit(parts[1]).query) if len(parts) >= 2 else {}
            body, status = self._accept(query)
            head = f"HTTP/1.1 {status}\r\nContent-Type: text/html\r\nContent-Length: {len(body)}\r\n"
            head += "Connection: close\r\n\r\n"
            await stream.send(head.encode() + body)

    def accept_url(self, url: str) -> None:
        """Take the code from a callback URL the user pasted."""
        self._accept(parse_qs(urlsplit(url).query))
        if not self.done.is_set():
            self.error = "the pasted URL has no `code` parameter"
            self.done.set()

    def _accept(self, query: dict[str, list[str]]) -> tuple[bytes, str]:
        if "code" in query:
            self.result = (query["code"][0], query.get("state", [None])[0])
            self.done.set()
            return _PAGE, "200 OK"
        if "error" in query:
            self.error = query.get("error_description", query["error"])[0]
            self.done.set()
            return b"<html><body><p>Login failed.</p></body></html>", "400 Bad Request"
        return b"not found", "404 Not Found"


def _client_metadata(redirect_uri: str, scopes: list[str]) -> Any:
    from mcp.shared.auth import OAuthClientMetadata

    data: dict[str, Any] = {
        "redirect_uris": [redirect_uri],
        "client_name": "Codex",
        "grant_types": ["authorization_code", "refresh_token"],
        "response_types": ["code"],
        "token_endpoint_auth_method": "none",
    }
    if scopes:
        data["scope"] = " ".join(scopes)
    return OAuthClientMetadata.model_validate(data)


def _configured_client_id(server: McpServerConfig) -> str | None:
    oauth = server.raw.get("oauth")
    client_id = oauth.get("client_id") if isinstance(oauth, dict) else None
    return client_id if isinstance(client_id, str) and client_id else None


async def _preregister(storage: StoredOAuth, server: McpServerConfig, store: McpOAuthStore, redirect: str) -> None:
    """Use `[mcp_servers.NAME.oauth] client_id` (and a stored secret) instead of any registration."""
    from mcp.shared.auth import OAuthClientInformationFull

    client_id = _configured_client_id(server)
    if client_id is None or server.url is None:
        return
    stored = await anyio.to_thread.run_sync(store.get, server.name, server.url)
    secret = stored.get("client_secret")
    info: dict[str, Any] = {"client_id": client_id, "redirect_uris": [redirect]}
    if isinstance(secret, str):
        info.update(client_secret=secret, token_endpoint_auth_method="client_secret_post")
    await storage.set_client_info(OAuthClientInformationFull.model_validate(info))


async def oauth_login(
    server: McpServerConfig,
    codex_home: Path,
    *,
    scopes: list[str] | None = None,
    open_browser: bool | Callable[[str], Any] = True,
    out: TextIO | None = None,
    read_pasted: Callable[[], str] | None = None,
    store_mode: str | None = None,
    keyring_backend: Any = None,
    client_registration: str = "auto",
    environ: Mapping[str, str] | None = None,
) -> None:
    """Log in to `server` and store its tokens.

    Args:
        server: A streamable-HTTP server.
        codex_home: Where the token file lives.
        scopes: Scopes to request (default: what the server asks for).
        open_browser: Open the authorization URL in a browser, or not, or a callable that visits it.
        out: Where the URL is printed.
        read_pasted: Reads one line (blocking, run in a thread): the callback URL the user pastes
            when the browser is elsewhere (`--no-browser`). Whichever comes first, the pasted URL
            or the browser's visit to the local listener, completes the login.
        store_mode: `mcp_oauth_credentials_store`: `auto` (default), `file` or `keyring`.
        keyring_backend: A `keyring` backend instead of the system's (tests).
        client_registration: `--oauth-client-registration`: `auto` (CIMD when the server offers it,
            else dynamic registration), `cimd` or `dcr`; a configured client id overrides it.
        environ: The environment for `env_http_headers` (default: this process's).

    Raises:
        McpClientError: the server is not HTTP, the user did not finish in time, the flow failed,
            or `cimd` was asked of a server that does not offer it.
    """
    if server.url is None:
        raise McpClientError(f"OAuth login is only supported for streamable_http transports ({server.name!r})")
    headers = http_headers(server, os.environ if environ is None else environ)
    cimd = None if _configured_client_id(server) else await client_metadata_url(server, client_registration, headers)
    callback = _Callback()
    listener = await anyio.create_tcp_listener(local_host="127.0.0.1", local_port=0)
    port = listener.extra(anyio.abc.SocketAttribute.local_port)
    redirect = f"http://127.0.0.1:{port}/callback/{callback_id(server.url)}"  # the path Codex's CIMD document lists
    store = McpOAuthStore(codex_home, store_mode, keyring_backend=keyring_backend)
    storage = StoredOAuth(store, server.name, server.url)
    await _preregister(storage, server, store, redirect)

    async def on_redirect(url: str) -> None:
        if out is not None:
            out.write(f"Authorize Codex for MCP server '{server.name}' by opening:\n{url}\n")
            out.flush()
        if callable(open_browser):
            await anyio.to_thread.run_sync(open_browser, url)
        elif open_browser:
            await anyio.to_thread.run_sync(webbrowser.open, url)
        if read_pasted is not None and out is not None:
            out.write("Or paste the URL your browser was sent to after authorizing:\n")
            out.flush()

    async def pasted() -> None:
        assert read_pasted is not None
        line = await anyio.to_thread.run_sync(read_pasted, abandon_on_cancel=True)
        if not callback.done.is_set():
            callback.accept_url(line.strip())

    async def on_callback() -> Any:
        from mcp.client.auth import AuthorizationCodeResult

        await callback.done.wait()
        if callback.result is None:
            raise McpClientError(f"the authorization server refused the login: {callback.error}")
        code, state = callback.result
        return AuthorizationCodeResult(code=code, state=state)

    try:
        async with listener, anyio.create_task_group() as tg:
            tg.start_soon(listener.serve, callback.handle)
            if read_pasted is not None:
                tg.start_soon(pasted)
            with anyio.fail_after(LOGIN_TIMEOUT_S):
                metadata = _client_metadata(redirect, scopes or [])
                await _connect(server, metadata, storage, on_redirect, on_callback, cimd, headers)
            tg.cancel_scope.cancel()
    except TimeoutError:
        raise McpClientError(f"the login to {server.name!r} was not completed in {LOGIN_TIMEOUT_S:g} s") from None
    if not await anyio.to_thread.run_sync(store.has_tokens, server.name, server.url):
        raise McpClientError(f"the server {server.name!r} did not ask for OAuth: no login is needed")


async def _connect(
    server: McpServerConfig,
    metadata: Any,
    storage: Any,
    on_redirect: Any,
    on_callback: Any,
    cimd: str | None,
    headers: dict[str, str],
) -> None:
    import httpx2
    from mcp import ClientSession
    from mcp.client.auth import OAuthClientProvider
    from mcp.client.streamable_http import streamable_http_client

    assert server.url is not None
    auth = OAuthClientProvider(
        server.url,
        metadata,
        storage,
        redirect_handler=on_redirect,
        callback_handler=on_callback,
        client_metadata_url=cimd,
    )
    try:
        async with (
            httpx2.AsyncClient(auth=auth, headers=headers, timeout=httpx2.Timeout(30.0, read=300.0)) as client,
            streamable_http_client(server.url, http_client=client) as (read, write),
            ClientSession(read, write) as session,
        ):
            await session.initialize()
    except McpClientError:
        raise
    except Exception as exc:  # the SDK raises many kinds; the user gets one line
        leaves = exc.exceptions if isinstance(exc, BaseExceptionGroup) else [exc]
        for leaf in leaves:
            if isinstance(leaf, McpClientError):
                raise leaf from None
        raise McpClientError(f"login to {server.name!r} failed: {exc}") from None

"""Opening the transport of one configured server: a child process (stdio) or streamable HTTP."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import anyio

from pycodex_config import McpServerConfig

from ._credentials import McpOAuthStore
from ._oauth_store import StoredOAuth
from .errors import McpStartupError

logger = logging.getLogger(__name__)

__all__ = ["http_headers", "open_transport", "stdio_env"]


def stdio_env(config: McpServerConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The variables a stdio server gets on top of the SDK's safe defaults: `env_vars` from us, then `env`."""
    forwarded = {name: environ[name] for name in config.env_vars if name in environ}
    return forwarded | dict(config.env)


def http_headers(config: McpServerConfig, environ: Mapping[str, str]) -> dict[str, str]:
    """The headers of an HTTP server: `http_headers`, `env_http_headers`, then the bearer token.

    Raises:
        McpStartupError: `bearer_token_env_var` names a variable that is not set.
    """
    headers = dict(config.http_headers)
    for header, var in config.env_http_headers.items():
        value = environ.get(var)
        if value:
            headers[header] = value
    if config.bearer_token_env_var:
        token = environ.get(config.bearer_token_env_var)
        if not token:
            raise McpStartupError(
                config.name, f"environment variable {config.bearer_token_env_var!r} (bearer_token_env_var) is not set"
            )
        headers["Authorization"] = f"Bearer {token}"
    return headers


def _stderr_sink(log_dir: Path | None, name: str, stack: AsyncExitStack) -> TextIO:
    if log_dir is not None:
        try:
            log_dir.mkdir(parents=True, exist_ok=True)
            return stack.enter_context((log_dir / f"mcp-{name}.log").open("a", encoding="utf-8"))
        except OSError as exc:
            logger.warning("cannot open the MCP log in %s: %s", log_dir, exc)
    return stack.enter_context(open(os.devnull, "w", encoding="utf-8"))


def _oauth(config: McpServerConfig, codex_home: Path | None, store_mode: str | None) -> Any:
    """An SDK OAuth provider when tokens are stored for this server, else `None`; never interactive."""
    if codex_home is None or config.url is None or config.bearer_token_env_var:
        return None
    store = McpOAuthStore(codex_home, store_mode)
    if not store.has_tokens(config.name, config.url):
        return None
    from mcp.client.auth import OAuthClientProvider
    from mcp.shared.auth import OAuthClientMetadata

    async def refuse_redirect(url: str) -> None:
        raise McpStartupError(config.name, f"the stored login has expired: run `codex mcp login {config.name}`")

    metadata = OAuthClientMetadata.model_validate(
        {"redirect_uris": ["http://127.0.0.1/callback"], "client_name": "Codex", "grant_types": ["authorization_code"]}
    )
    return OAuthClientProvider(
        config.url, metadata, StoredOAuth(store, config.name, config.url), redirect_handler=refuse_redirect
    )


@asynccontextmanager
async def open_transport(
    config: McpServerConfig,
    *,
    environ: Mapping[str, str],
    log_dir: Path | None,
    codex_home: Path | None,
    on_http_error: Callable[[int], None] | None = None,
    oauth_store_mode: str | None = None,
) -> AsyncIterator[tuple[Any, Any]]:
    """Yield the `(read, write)` stream pair of the server; the process or HTTP session ends on exit.

    `on_http_error` hears the status of every HTTP answer of 400 or more (the SDK turns them into
    a generic error, so a 401 asking for a login would otherwise be lost). A stored login is read
    from the credential store `oauth_store_mode` names (`mcp_oauth_credentials_store`).

    Raises:
        McpStartupError: a missing bearer token variable.
        OSError: the command cannot be started.
    """
    async with AsyncExitStack() as stack:
        if config.transport == "stdio":
            from mcp.client.stdio import StdioServerParameters, stdio_client

            assert config.command is not None
            params = StdioServerParameters(
                command=config.command, args=list(config.args), env=stdio_env(config, environ), cwd=config.cwd
            )
            streams = await stack.enter_async_context(
                stdio_client(params, errlog=_stderr_sink(log_dir, config.name, stack))
            )
        else:
            import httpx2
            from mcp.client.streamable_http import streamable_http_client

            assert config.url is not None
            auth = await anyio.to_thread.run_sync(_oauth, config, codex_home, oauth_store_mode)

            async def hook(response: Any) -> None:
                if response.status_code >= 400 and on_http_error is not None:
                    on_http_error(response.status_code)

            client = httpx2.AsyncClient(
                event_hooks={"response": [hook]},
                headers=http_headers(config, environ),
                auth=auth,
                timeout=httpx2.Timeout(30.0, read=300.0),
            )
            await stack.enter_async_context(client)
            streams = await stack.enter_async_context(streamable_http_client(config.url, http_client=client))
        yield streams[0], streams[1]

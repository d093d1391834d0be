"""How `codex mcp login` registers itself with an authorization server: `auto`, `cimd` or `dcr`.

* `dcr`: dynamic client registration (RFC 7591) at the server's `registration_endpoint`.
* `cimd`: a client ID metadata document: the client id is the URL of Codex's public document,
  with no secret; only when the server's metadata has `client_id_metadata_document_supported`
  and `none` among `token_endpoint_auth_methods_supported`, else the login fails.
* `auto` (the default): `cimd` when the server supports it so, else `dcr`.

A client id set in the configuration (`[mcp_servers.NAME.oauth] client_id`) is used as it is,
whatever the strategy.
"""

from __future__ import annotations

import logging
from typing import Any

from pycodex_config import McpServerConfig

from .errors import McpClientError

logger = logging.getLogger(__name__)

__all__ = [
    "CIMD_CLIENT_ID",
    "CIMD_UNSUPPORTED",
    "CLIENT_REGISTRATIONS",
    "authorization_metadata",
    "client_metadata_url",
    "supports_cimd",
]

CIMD_CLIENT_ID = "https://chatgpt.com/oauth/codex/client.json"
"""The client id (and metadata document URL) Codex logs in with under `cimd`."""
CLIENT_REGISTRATIONS = ("auto", "cimd", "dcr")
"""The values of `--oauth-client-registration`."""
CIMD_UNSUPPORTED = "MCP authorization server does not advertise CIMD with token endpoint auth method `none`"
"""Codex's error when `cimd` is asked of a server that does not offer it."""
_PROBE = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}}


def supports_cimd(metadata: Any) -> bool:
    """Whether authorization-server metadata offers client ID metadata documents for public clients."""
    if metadata is None or getattr(metadata, "client_id_metadata_document_supported", None) is not True:
        return False
    return "none" in (getattr(metadata, "token_endpoint_auth_methods_supported", None) or [])


async def authorization_metadata(server: McpServerConfig, headers: dict[str, str]) -> Any:
    """The `OAuthMetadata` of the server's authorization server (RFC 9728 then RFC 8414), or `None`.

    Raises:
        McpClientError: the server cannot be reached.
    """
    import httpx2
    from mcp.client.auth.utils import (
        build_oauth_authorization_server_metadata_discovery_urls,
        build_protected_resource_metadata_discovery_urls,
        extract_resource_metadata_from_www_auth,
        handle_auth_metadata_response,
        handle_protected_resource_response,
    )

    assert server.url is not None
    accept = {"Accept": "application/json, text/event-stream", **headers}
    try:
        async with httpx2.AsyncClient(timeout=30, follow_redirects=False) as client:
            probe = await client.post(server.url, json=_PROBE, headers=accept)
            resource_url = extract_resource_metadata_from_www_auth(probe) if probe.status_code == 401 else None
            auth_server: str | None = None
            for url in build_protected_resource_metadata_discovery_urls(resource_url, server.url):
                found = await handle_protected_resource_response(await client.get(url, headers=headers))
                if found is not None and found.authorization_servers:
                    auth_server = str(found.authorization_servers[0])
                    break
            for url in build_oauth_authorization_server_metadata_discovery_urls(auth_server, server.url):
                keep_going, metadata = await handle_auth_metadata_response(await client.get(url, headers=headers))
                if metadata is not None or not keep_going:
                    return metadata
    except httpx2.HTTPError as exc:
        raise McpClientError(f"cannot reach MCP server {server.name!r} for its OAuth metadata: {exc}") from None
    return None


async def client_metadata_url(server: McpServerConfig, strategy: str, headers: dict[str, str]) -> str | None:
    """The CIMD client id to log in with, or `None` for dynamic registration.

    Raises:
        McpClientError: an unknown strategy, or `cimd` for a server that does not offer it.
    """
    if strategy not in CLIENT_REGISTRATIONS:
        raise McpClientError(f"unknown OAuth client registration {strategy!r}: expected one of auto, cimd, dcr")
    if strategy == "dcr":
        return None
    offered = supports_cimd(await authorization_metadata(server, headers))
    if strategy == "cimd" and not offered:
        raise McpClientError(CIMD_UNSUPPORTED)
    logger.debug("MCP login to %r registers by %s", server.name, "CIMD" if offered else "DCR")
    return CIMD_CLIENT_ID if offered else None

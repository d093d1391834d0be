"""How `codex mcp login` registers itself with an authorization server: `auto`, `cimd` or `dcr`.

* `dcr`: dynamic client registration (RFC 7591) at the server's `registration_endpoint`.
* `cimd`: a client ID metadata document: the client id is the URL of Codex's public document for
  this server (`https://chatgpt.com/oauth/codex/<callback id>/client.json`), with no secret; only
  when the server's metadata has `client_id_metadata_document_supported` and `none` among
  `token_endpoint_auth_methods_supported`, else the login fails.
* `auto` (the default): `cimd` when the server supports it so, else `dcr`.

A client id set in the configuration (`[mcp_servers.NAME.oauth] client_id`) is used as it is,
whatever the strategy.
"""

from __future__ import annotations

import base64
import hashlib
import logging
from typing import Any
from urllib.parse import urlsplit

from pycodex_config import McpServerConfig

from .errors import McpClientError

logger = logging.getLogger(__name__)

__all__ = [
    "CIMD_BASE",
    "CIMD_UNSUPPORTED",
    "CLIENT_REGISTRATIONS",
    "authorization_metadata",
    "callback_id",
    "cimd_client_id",
    "client_metadata_url",
    "supports_cimd",
]

CIMD_BASE = "https://chatgpt.com/oauth/codex/"
"""Where Codex's client ID metadata documents live: `<base><callback id>/client.json`."""
CLIENT_REGISTRATIONS = ("auto", "cimd", "dcr")
"""The values of `--oauth-client-registration`."""
CIMD_UNSUPPORTED = "MCP authorization server does not advertise CIMD with token endpoint auth method `none`"
"""Codex's error when `cimd` is asked of a server that does not offer it."""
_PROBE = {"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {}}


def callback_id(server_url: str) -> str:
    """12 URL-safe characters naming a server in callback paths and CIMD client ids, as Codex derives them.

    The base64url (unpadded) of the first 9 bytes of the sha256 of the server URL, fragment dropped,
    scheme and host lower-cased, default port dropped, and an empty path written `/`.
    """
    parts = urlsplit(server_url)
    host = (parts.hostname or "").lower()
    if ":" in host:
        host = f"[{host}]"
    default = {"http": 80, "https": 443}.get(parts.scheme.lower())
    port = f":{parts.port}" if parts.port is not None and parts.port != default else ""
    userinfo = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    path = parts.path or "/"
    query = f"?{parts.query}" if parts.query else ""
    normalised = f"{parts.scheme.lower()}://{userinfo}{host}{port}{path}{query}"
    digest = hashlib.sha256(normalised.encode("utf-8")).digest()[:9]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def cimd_client_id(server_url: str) -> str:
    """The client id (its metadata document's URL) Codex logs in to this server with under CIMD."""
    return f"{CIMD_BASE}{callback_id(server_url)}/client.json"


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
    return cimd_client_id(server.url or "") if offered else None

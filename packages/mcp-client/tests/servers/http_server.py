"""The mcp SDK's own MCPServer over streamable HTTP on 127.0.0.1 (`--auth TOKEN`: bearer tokens required).

Prints `READY <url>` on stdout once it listens; stops when stdin closes or after `--lifetime` seconds.
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path
from typing import Any

from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from pydantic import AnyHttpUrl

sys.path.insert(0, str(Path(__file__).resolve().parent))


class _Verifier:
    def __init__(self, token: str) -> None:
        self.token = token

    async def verify_token(self, token: str) -> AccessToken | None:
        return AccessToken(token=token, client_id="test", scopes=[]) if token == self.token else None


CIMD_PREFIX = "https://chatgpt.com/oauth/codex/"


def build(port: int, token: str | None, oauth: bool = False, cimd: bool = False) -> MCPServer:
    base = f"http://127.0.0.1:{port}"
    if oauth or cimd:
        from mcp.server.auth.settings import ClientRegistrationOptions
        from oauth_provider import GrantingProvider

        settings = AuthSettings(
            issuer_url=AnyHttpUrl(base),
            resource_server_url=AnyHttpUrl(f"{base}/mcp"),
            client_registration_options=ClientRegistrationOptions(enabled=True),
            validate_token_resource=False,
        )
        provider = GrantingProvider(CIMD_PREFIX if cimd else None)
        server = MCPServer(
            "http-test", instructions="A loopback test server.", auth_server_provider=provider, auth=settings
        )
        _tools(server)
        return server
    auth = (
        AuthSettings(
            issuer_url=AnyHttpUrl(base), resource_server_url=AnyHttpUrl(f"{base}/mcp"), validate_token_resource=False
        )
        if token
        else None
    )
    server = MCPServer(
        "http-test",
        instructions="A loopback test server.",
        token_verifier=_Verifier(token) if token else None,
        auth=auth,
    )

    _tools(server)
    return server


def _tools(server: MCPServer) -> None:
    @server.tool()
    def add(a: int, b: int) -> int:
        """Add two integers."""
        return a + b

    @server.tool()
    def shout(text: str) -> str:
        """Upper-case a text."""
        return text.upper()


class _AdvertiseCimd:
    """ASGI wrapper: the authorization-server metadata also offers CIMD for public (`none`) clients."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope.get("type") != "http" or scope.get("path") != "/.well-known/oauth-authorization-server":
            await self.app(scope, receive, send)
            return
        held: list[Any] = []

        async def hold(message: Any) -> None:
            held.append(message)

        await self.app(scope, receive, hold)
        body = json.loads(b"".join(m.get("body", b"") for m in held if m["type"] == "http.response.body"))
        body["client_id_metadata_document_supported"] = True
        body["token_endpoint_auth_methods_supported"] = [*body["token_endpoint_auth_methods_supported"], "none"]
        data = json.dumps(body).encode()
        start = next(m for m in held if m["type"] == "http.response.start")
        headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
        await send({**start, "headers": [*headers, (b"content-length", str(len(data)).encode())]})
        await send({"type": "http.response.body", "body": data})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--auth")
    parser.add_argument("--oauth", action="store_true", help="be an OAuth authorization server that grants everything")
    parser.add_argument("--cimd", action="store_true", help="with --oauth, also offer client ID metadata documents")
    parser.add_argument("--lifetime", type=float, default=120.0)
    ns = parser.parse_args()
    port = ns.port
    if not port:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
    import uvicorn

    app: Any = build(port, ns.auth, ns.oauth, ns.cimd).streamable_http_app()
    if ns.cimd:
        app = _AdvertiseCimd(app)
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    sys.stdout.write(f"READY http://127.0.0.1:{port}/mcp\n")
    sys.stdout.flush()

    def stop_on_eof() -> None:
        sys.stdin.read()
        server.should_exit = True

    threading.Thread(target=stop_on_eof, daemon=True).start()
    thread.join(ns.lifetime)
    server.should_exit = True
    thread.join(5)


if __name__ == "__main__":
    main()

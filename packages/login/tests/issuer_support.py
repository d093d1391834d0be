"""A fake OAuth issuer on 127.0.0.1 and JWT helpers for the login tests."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit


def make_jwt(claims: dict[str, Any]) -> str:
    def part(value: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'none'})}.{part(claims)}.sig"


ID_CLAIMS = {
    "email": "dev@example.test",
    "exp": 4_000_000_000,
    "https://api.openai.com/auth": {"chatgpt_plan_type": "plus", "chatgpt_account_id": "acct-1"},
}


@dataclass
class FakeIssuer:
    """An OAuth issuer on 127.0.0.1 with the endpoints Codex's sign-in uses."""

    base: str = ""
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    pending_polls: int = 2
    refresh_error: str | None = None
    issued: int = 0
    api_key: str | None = "sk-exchanged-0123456789"

    def tokens(self) -> dict[str, str]:
        self.issued += 1
        return {
            "id_token": make_jwt(ID_CLAIMS),
            "access_token": f"access-{self.issued}",
            "refresh_token": f"refresh-{self.issued}",
        }


class _Handler(BaseHTTPRequestHandler):
    issuer: FakeIssuer

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: Any = None, location: str | None = None) -> None:
        data = json.dumps(body).encode() if body is not None else b""
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(url.query).items()}
        self.issuer.requests.append((url.path, query))
        if url.path == "/oauth/authorize":
            target = f"{query['redirect_uri']}?{urlencode({'code': 'the-code', 'state': query['state']})}"
            self._reply(302, location=target)
        else:
            self._reply(404, {"error": "not found"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length).decode()
        if self.headers.get("Content-Type", "").startswith("application/json"):
            body: dict[str, Any] = json.loads(raw or "{}")
        else:
            body = {k: v[0] for k, v in parse_qs(raw).items()}
        self.issuer.requests.append((self.path, body))
        routes = {
            "/oauth/token": self._token,
            "/api/accounts/deviceauth/usercode": self._usercode,
            "/api/accounts/deviceauth/token": self._device_token,
        }
        route = routes.get(self.path)
        if route is None:
            self._reply(404, {"error": "not found"})
        else:
            route(body)

    def _usercode(self, body: dict[str, Any]) -> None:
        self._reply(200, {"device_auth_id": "dev-1", "user_code": "ABCD-1234", "interval": 1})

    def _device_token(self, body: dict[str, Any]) -> None:
        if self.issuer.pending_polls > 0:
            self.issuer.pending_polls -= 1
            self._reply(403, {"error": "authorization_pending"})
        else:
            self._reply(200, {"authorization_code": "device-code", "code_challenge": "c", "code_verifier": "v"})

    def _token(self, body: dict[str, Any]) -> None:
        grant = body.get("grant_type")
        if grant == "authorization_code":
            self._reply(200, self.issuer.tokens())
        elif grant == "refresh_token":
            if self.issuer.refresh_error:
                self._reply(401, {"error": {"code": self.issuer.refresh_error}})
            else:
                self._reply(200, self.issuer.tokens())
        elif grant == "urn:ietf:params:oauth:grant-type:token-exchange":
            if self.issuer.api_key is None:
                self._reply(400, {"error": "not allowed"})
            else:
                self._reply(200, {"access_token": self.issuer.api_key})
        else:
            self._reply(400, {"error": "unsupported_grant_type"})


def _handler(issuer: FakeIssuer) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"issuer": issuer})


def running_issuer() -> Iterator[FakeIssuer]:
    """Serve a `FakeIssuer` until the generator is closed."""
    fake = FakeIssuer()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()

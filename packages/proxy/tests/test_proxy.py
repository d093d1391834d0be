import http.server
import socket
import threading
from collections.abc import Iterator

import pytest

from pycodex_proxy import DomainPolicy, ProxyServer, normalize_host


def test_policy_order() -> None:
    policy = DomainPolicy(allowed=["example.com", "*.pythonhosted.org", "**.pypi.org"], denied=["bad.pypi.org"])
    assert policy.decide_host("Example.COM.", 443).allowed
    assert not policy.decide_host("sub.example.com", 443).allowed
    assert policy.decide_host("files.pythonhosted.org", 443).allowed
    assert not policy.decide_host("pythonhosted.org", 443).allowed
    assert policy.decide_host("pypi.org", 443).allowed and policy.decide_host("a.pypi.org", 443).allowed
    assert policy.decide_host("bad.pypi.org", 443).reason == "blocked-by-denylist"
    assert DomainPolicy().decide_host("example.com", 80).reason == "blocked-by-allowlist"
    local = policy.decide_address(policy.decide_host("example.com", 80), "10.0.0.1")
    assert local.reason == "blocked-by-policy"
    assert DomainPolicy(allowed=["x"], limited=True).decide_host("x", 80, "POST").reason == "blocked-by-method-policy"
    assert normalize_host("[::1]:80") == "::1" and normalize_host("h:8080") == "h"


class _Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Ok)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _request(port: int, raw: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(raw)
        data = b""
        while chunk := s.recv(4096):
            data += chunk
        return data


def test_http_and_connect_on_loopback(upstream: int) -> None:
    seen: list[str] = []
    policy = DomainPolicy(allowed=["ok.test"], allow_local_binding=True)
    with ProxyServer(policy, resolve={"ok.test": "127.0.0.1"}, on_decision=lambda d: seen.append(d.reason)) as proxy:
        reply = _request(proxy.port, f"GET http://ok.test:{upstream}/ HTTP/1.1\r\nHost: ok.test\r\n\r\n".encode())
        assert reply.startswith(b"HTTP/1.0 200") and reply.endswith(b"ok")
        blocked = _request(proxy.port, b"CONNECT nope.test:443 HTTP/1.1\r\n\r\n")
        assert b"403" in blocked.split(b"\r\n")[0] and b"x-proxy-error: blocked-by-allowlist" in blocked
        assert _request(proxy.port, b"garbage\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert seen == ["allowed", "blocked-by-allowlist"]


def test_local_address_needs_permission(upstream: int) -> None:
    with ProxyServer(DomainPolicy(allowed=["ok.test"]), resolve={"ok.test": "127.0.0.1"}) as proxy:
        reply = _request(proxy.port, f"GET http://ok.test:{upstream}/ HTTP/1.1\r\n\r\n".encode())
    assert b"x-proxy-error: blocked-by-policy" in reply

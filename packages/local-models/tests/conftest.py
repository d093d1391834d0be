from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

# A route answers with (status, JSON body) or (status, list of JSON objects sent as NDJSON lines).
Answer = tuple[int, Any]
Route = Answer | Callable[[Any], Answer]


@dataclass
class FakeServer:
    """A loopback HTTP server answering from a route table, recording each request."""

    routes: dict[tuple[str, str], Route]
    requests: list[tuple[str, str, Any]] = field(default_factory=list)
    base: str = ""

    @property
    def v1(self) -> str:
        return self.base + "/v1"


def _handler(fake: FakeServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def _answer(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            fake.requests.append((method, self.path, body))
            route = fake.routes.get((method, self.path))
            if route is None:
                status, payload = 404, {"error": "not found"}
            else:
                status, payload = route(body) if callable(route) else route
            if isinstance(payload, list):
                data = b"".join(json.dumps(item).encode() + b"\n" for item in payload)
                content_type = "application/x-ndjson"
            else:
                data = json.dumps(payload).encode()
                content_type = "application/json"
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._answer("GET")

        def do_POST(self) -> None:
            self._answer("POST")

    return Handler


@pytest.fixture
def fake_server() -> Iterator[Callable[[dict[tuple[str, str], Route]], FakeServer]]:
    servers: list[tuple[ThreadingHTTPServer, threading.Thread]] = []

    def start(routes: dict[tuple[str, str], Route]) -> FakeServer:
        fake = FakeServer(routes)
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
        httpd.daemon_threads = True
        fake.base = f"http://127.0.0.1:{httpd.server_address[1]}"
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((httpd, thread))
        return fake

    yield start
    for httpd, thread in servers:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.fixture
def closed_port_url() -> str:
    """A loopback URL where nothing listens (the port was just released)."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/v1"


@pytest.fixture(autouse=True)
def _clean_oss_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_OSS_BASE_URL", raising=False)
    monkeypatch.delenv("CODEX_OSS_PORT", raising=False)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def drip_server() -> Iterator[Callable[[bytes, bytes], str]]:
    """A loopback server sending `head` at once, then one byte of `drip` every 0.2 s.

    Returns the `/v1` base URL. Each connection ends when the client goes away.
    """
    import socket
    import time

    listeners: list[socket.socket] = []
    stop = threading.Event()

    def start(head: bytes, drip: bytes = b" " * 1000) -> str:
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(8)
        srv.settimeout(0.1)
        listeners.append(srv)

        def handle(conn: socket.socket) -> None:
            with conn:
                try:
                    conn.recv(65536)
                    conn.sendall(head)
                    for i in range(len(drip)):
                        if stop.wait(0.2):
                            return
                        conn.sendall(drip[i : i + 1])
                except OSError:
                    pass

        def accept() -> None:
            while not stop.is_set():
                try:
                    conn, _ = srv.accept()
                except TimeoutError:
                    continue
                except OSError:
                    return
                threading.Thread(target=handle, args=(conn,), daemon=True).start()

        threading.Thread(target=accept, daemon=True).start()
        time.sleep(0)
        return f"http://127.0.0.1:{srv.getsockname()[1]}/v1"

    yield start
    stop.set()
    for srv in listeners:
        srv.close()

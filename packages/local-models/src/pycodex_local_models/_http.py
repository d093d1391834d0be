"""Tiny JSON-over-HTTP helpers on top of `urllib` (no third-party imports).

Loopback hosts bypass any configured proxy, so a `http_proxy` variable in the
environment cannot hijack requests meant for a local server.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
    import http.client
    import socket
    import urllib.request

logger = logging.getLogger(__name__)

_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]"}


class Unreachable(Exception):
    """Connecting failed, timed out or the answer was not readable."""


def host_root(base_url: str) -> str:
    """Strip a trailing `/` and `/v1` from an OpenAI-style base URL."""
    root = base_url.rstrip("/")
    if root.endswith("/v1"):
        root = root[: -len("/v1")].rstrip("/")
    return root


MAX_BODY_BYTES = 1 << 20
"""Largest JSON answer (or NDJSON line) accepted; bigger ones count as unreadable."""

_CHUNK = 64 * 1024


def _opener(url: str, sockets: list[socket.socket] | None = None) -> urllib.request.OpenerDirector:
    import urllib.request

    handlers: list[urllib.request.BaseHandler] = []
    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK:
        handlers.append(urllib.request.ProxyHandler({}))
    if sockets is not None:
        handlers.append(_recording_handler(sockets))
    return urllib.request.build_opener(*handlers)


def _recording_handler(sockets: list[socket.socket]) -> urllib.request.BaseHandler:
    """An HTTP handler that remembers each socket it opens, so a watchdog can cut it."""
    import http.client
    import urllib.request

    class Connection(http.client.HTTPConnection):
        def connect(self) -> None:
            super().connect()
            sockets.append(self.sock)

    class Handler(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> http.client.HTTPResponse:
            return self.do_open(Connection, req)

    return Handler()


def _cut(sockets: list[socket.socket]) -> None:
    import socket

    for sock in sockets:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _request(method: str, url: str, body: Any | None) -> urllib.request.Request:
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    return urllib.request.Request(url, data=data, headers=headers, method=method)


def _read_body(resp: Any, deadline: float) -> bytes:
    """Read a whole body in chunks, giving up at `deadline` or past `MAX_BODY_BYTES`."""
    read = getattr(resp, "read1", None) or resp.read
    chunks: list[bytes] = []
    size = 0
    while True:
        if time.monotonic() >= deadline:
            raise TimeoutError("the answer did not arrive in time")
        chunk = read(_CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise ValueError(f"the answer is larger than {MAX_BODY_BYTES} bytes")
        chunks.append(chunk)


def request_json(method: str, url: str, body: Any | None = None, *, timeout: float) -> tuple[int, Any]:
    """Send one request and return `(status, parsed JSON or None)`.

    `timeout` bounds the whole exchange (connecting, headers and body), not each read.
    HTTP error statuses are returned, not raised. A body that is not JSON gives `None`.

    Raises:
        Unreachable: The server could not be reached, did not answer in time or sent
            more than `MAX_BODY_BYTES`.
    """
    import http.client
    import threading
    import urllib.error

    deadline = time.monotonic() + timeout
    sockets: list[socket.socket] = []
    # A server that drips bytes defeats per-read socket timeouts; cut it at the deadline.
    watchdog = threading.Timer(timeout, _cut, (sockets,))
    watchdog.daemon = True
    watchdog.start()
    try:
        try:
            with _opener(url, sockets).open(_request(method, url, body), timeout=timeout) as resp:
                status, raw = resp.status, _read_body(resp, deadline)
        except urllib.error.HTTPError as err:
            try:
                status, raw = err.code, _read_body(err.fp if err.fp is not None else err, deadline)
            finally:
                err.close()
    except (OSError, ValueError, http.client.HTTPException) as err:  # URLError, timeouts, resets, bad URLs
        logger.debug("%s %s failed: %s", method, url, err)
        raise Unreachable(str(err) or type(err).__name__) from err
    finally:
        watchdog.cancel()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def stream_json_lines(url: str, body: Any, *, timeout: float) -> Iterator[Any]:
    """POST `body` and yield each JSON object of a newline-delimited JSON answer.

    Lines that are not JSON are skipped; a line longer than `MAX_BODY_BYTES` ends the
    stream. `timeout` bounds the connection and each read (a silent server), not the
    whole stream; close the generator to stop early.

    Raises:
        Unreachable: The server could not be reached.
        HttpStatusError: The server answered with a status other than 2xx.
    """
    import http.client
    import urllib.error

    try:
        resp = _opener(url).open(_request("POST", url, body), timeout=timeout)
    except urllib.error.HTTPError as err:
        err.close()
        raise HttpStatusError(err.code, err.reason) from None
    except (OSError, ValueError, http.client.HTTPException) as err:
        raise Unreachable(str(err) or type(err).__name__) from err
    with resp:
        try:
            while line := resp.readline(MAX_BODY_BYTES + 1):
                if len(line) > MAX_BODY_BYTES:
                    logger.debug("stream from %s sent a line over %d bytes; stopping", url, MAX_BODY_BYTES)
                    return
                text = line.strip()
                if not text:
                    continue
                try:
                    yield json.loads(text)
                except ValueError:
                    logger.debug("skipping non-JSON line %r", text[:200])
        except (OSError, http.client.HTTPException) as err:
            logger.debug("stream from %s ended: %s", url, err)


class HttpStatusError(Exception):
    """A non-2xx answer where only success makes sense."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"HTTP {status} {reason}".rstrip())
        self.status = status
        self.reason = reason


def status_text(status: int) -> str:
    """Format a status the way reqwest does (`404 Not Found`)."""
    from http import HTTPStatus

    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return str(status)

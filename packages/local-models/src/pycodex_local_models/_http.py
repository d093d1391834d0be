"""Tiny JSON-over-HTTP helpers on top of `urllib` (no third-party imports).

Loopback hosts bypass any configured proxy, so a `http_proxy` variable in the
environment cannot hijack requests meant for a local server.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

if TYPE_CHECKING:
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


def _opener(url: str) -> urllib.request.OpenerDirector:
    import urllib.request

    host = (urlsplit(url).hostname or "").lower()
    if host in _LOOPBACK:
        return urllib.request.build_opener(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener()


def _request(method: str, url: str, body: Any | None) -> urllib.request.Request:
    import urllib.request

    data = None if body is None else json.dumps(body).encode()
    headers = {"Accept": "application/json"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    return urllib.request.Request(url, data=data, headers=headers, method=method)


def request_json(method: str, url: str, body: Any | None = None, *, timeout: float) -> tuple[int, Any]:
    """Send one request and return `(status, parsed JSON or None)`.

    HTTP error statuses are returned, not raised. A body that is not JSON gives `None`.

    Raises:
        Unreachable: The server could not be reached or did not answer in time.
    """
    import urllib.error

    try:
        with _opener(url).open(_request(method, url, body), timeout=timeout) as resp:
            status, raw = resp.status, resp.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
        err.close()
    except (OSError, ValueError) as err:  # URLError, timeouts, resets, bad URLs
        logger.debug("%s %s failed: %s", method, url, err)
        raise Unreachable(str(err)) from err
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def stream_json_lines(url: str, body: Any, *, timeout: float) -> Iterator[Any]:
    """POST `body` and yield each JSON object of a newline-delimited JSON answer.

    Lines that are not JSON are skipped. `timeout` bounds the connection and each read.

    Raises:
        Unreachable: The server could not be reached.
        HttpStatusError: The server answered with a status other than 2xx.
    """
    import urllib.error

    try:
        resp = _opener(url).open(_request("POST", url, body), timeout=timeout)
    except urllib.error.HTTPError as err:
        err.close()
        raise HttpStatusError(err.code, err.reason) from None
    except (OSError, ValueError) as err:
        raise Unreachable(str(err)) from err
    with resp:
        try:
            for line in resp:
                text = line.strip()
                if not text:
                    continue
                try:
                    yield json.loads(text)
                except ValueError:
                    logger.debug("skipping non-JSON line %r", text[:200])
        except OSError as err:
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

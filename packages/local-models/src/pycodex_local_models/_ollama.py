"""Ollama: detection, version check, model list and streamed pulls."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from pycodex_local_models._endpoints import DETECT_TIMEOUT, OLLAMA_DEFAULT_PORT, LocalEndpoint, oss_base_url
from pycodex_local_models._errors import ModelDownloadFailed, OllamaTooOld, ServerNotRunning
from pycodex_local_models._http import (
    HttpStatusError,
    Unreachable,
    host_root,
    request_json,
    status_text,
    stream_json_lines as _stream,
)

logger = logging.getLogger(__name__)

OLLAMA_DEFAULT_MODEL = "gpt-oss:20b"
OLLAMA_MIN_RESPONSES_VERSION = (0, 13, 4)
OLLAMA_CONNECTION_ERROR = (
    "No running Ollama server detected. Start it with: `ollama serve` (after installing). "
    "Install instructions: https://github.com/ollama/ollama?tab=readme-ov-file#ollama"
)
PULL_READ_TIMEOUT = 300.0
"""Seconds a pull may stay silent before it is abandoned."""

_VERSION = re.compile(r"^v?(\d+)\.(\d+)\.(\d+)")


@dataclass(frozen=True, slots=True)
class PullProgress:
    """One progress update while a model is fetched.

    Attributes:
        status: Status line from the server (`"pulling manifest"`, `"success"`, ...).
        digest: Layer digest the byte counts refer to, or `""`.
        total: Size of that layer in bytes, when known.
        completed: Bytes of that layer received so far, when known.
    """

    status: str
    digest: str = ""
    total: int | None = None
    completed: int | None = None


ProgressCallback = Callable[[PullProgress], None]


def parse_ollama_version(text: str) -> tuple[int, int, int] | None:
    """Parse `"0.13.4"` or `"v0.13.4-rc1"` into a tuple; `None` when unparseable."""
    match = _VERSION.match(text.strip())
    return None if match is None else (int(match[1]), int(match[2]), int(match[3]))


def check_ollama_version(version: str | None) -> None:
    """Accept versions with Responses API support, dev builds (0.0.0) and unknown versions.

    Raises:
        OllamaTooOld: The version is older than 0.13.4.
    """
    parsed = None if version is None else parse_ollama_version(version)
    if parsed is None or parsed == (0, 0, 0) or parsed >= OLLAMA_MIN_RESPONSES_VERSION:
        return
    raise OllamaTooOld(version or "", ".".join(map(str, OLLAMA_MIN_RESPONSES_VERSION)))


def detect_ollama(base_url: str | None = None, *, timeout: float = DETECT_TIMEOUT) -> LocalEndpoint | None:
    """Return the Ollama server at `base_url` (default from the environment), or `None`.

    The server counts as Ollama when `GET /api/version` or `GET /api/tags` answers with
    Ollama's JSON shape. Never raises and takes at most about `timeout` seconds; the
    version is not checked here.
    """
    base_url = base_url or oss_base_url(OLLAMA_DEFAULT_PORT)
    root = host_root(base_url)
    version: str | None = None
    deadline = time.monotonic() + timeout
    try:
        status, body = request_json("GET", f"{root}/api/version", timeout=timeout)
        if status == 200 and isinstance(body, dict) and isinstance(body.get("version"), str):
            version = body["version"]
        left = deadline - time.monotonic()
        if left <= 0:
            raise Unreachable("no time left for /api/tags")
        models = _fetch_tags(root, timeout=left)
    except Unreachable:
        return None
    if version is None and models is None:
        return None
    return LocalEndpoint("ollama", _v1(base_url), version, None if models is None else tuple(models))


def list_ollama_models(base_url: str | None = None, *, timeout: float = 5.0) -> list[str]:
    """Return the names of the models the Ollama server has locally (`GET /api/tags`).

    Raises:
        ServerNotRunning: No server answered.
    """
    base_url = base_url or oss_base_url(OLLAMA_DEFAULT_PORT)
    try:
        return _fetch_tags(host_root(base_url), timeout=timeout) or []
    except Unreachable:
        raise ServerNotRunning(OLLAMA_CONNECTION_ERROR, provider="ollama", base_url=base_url) from None


def ensure_ollama(base_url: str | None = None, *, timeout: float = 5.0) -> LocalEndpoint:
    """Check that Ollama runs at `base_url` and is new enough for the Responses API.

    Raises:
        ServerNotRunning: With Codex's "No running Ollama server detected" text.
        OllamaTooOld: The server is older than 0.13.4.
    """
    base_url = base_url or oss_base_url(OLLAMA_DEFAULT_PORT)
    endpoint = detect_ollama(base_url, timeout=timeout)
    if endpoint is None:
        raise ServerNotRunning(OLLAMA_CONNECTION_ERROR, provider="ollama", base_url=base_url)
    check_ollama_version(endpoint.version)
    return endpoint


def pull_ollama_model(
    model: str,
    base_url: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    read_timeout: float = PULL_READ_TIMEOUT,
) -> None:
    """Pull `model` with `POST /api/pull`, reporting each streamed update to `progress`.

    The first update is `PullProgress("Pulling model <model>...")`. Ollama answers 200
    even for failed pulls, so failure is read from the stream itself.

    Raises:
        ServerNotRunning: No server answered.
        ModelDownloadFailed: The server refused the pull, reported an error, or the stream
            ended before `"success"`.
    """
    base_url = base_url or oss_base_url(OLLAMA_DEFAULT_PORT)
    report = progress or (lambda _update: None)
    report(PullProgress(f"Pulling model {model}..."))
    url = f"{host_root(base_url)}/api/pull"
    try:
        for value in _stream(url, {"model": model, "stream": True}, timeout=read_timeout):
            if not isinstance(value, dict):
                continue
            for update in _pull_updates(value):
                report(update)
            if isinstance(value.get("error"), str):
                raise ModelDownloadFailed(f"Pull failed: {value['error']}")
            if value.get("status") == "success":
                return
    except Unreachable:
        raise ServerNotRunning(OLLAMA_CONNECTION_ERROR, provider="ollama", base_url=base_url) from None
    except HttpStatusError as err:
        raise ModelDownloadFailed(f"failed to start pull: HTTP {status_text(err.status)}") from None
    raise ModelDownloadFailed("Pull stream ended unexpectedly without success.")


def _pull_updates(value: dict[str, object]) -> list[PullProgress]:
    status = value.get("status")
    total, completed = value.get("total"), value.get("completed")
    has_bytes = isinstance(total, int) or isinstance(completed, int)
    if not isinstance(status, str) and not has_bytes:
        return []
    digest = value.get("digest")
    return [
        PullProgress(
            status if isinstance(status, str) else "",
            digest if isinstance(digest, str) else "",
            total if isinstance(total, int) else None,
            completed if isinstance(completed, int) else None,
        )
    ]


def _fetch_tags(root: str, *, timeout: float) -> list[str] | None:
    status, body = request_json("GET", f"{root}/api/tags", timeout=timeout)
    if status != 200 or not isinstance(body, dict) or not isinstance(body.get("models"), list):
        return None
    return [m["name"] for m in body["models"] if isinstance(m, dict) and isinstance(m.get("name"), str)]


def _v1(base_url: str) -> str:
    return host_root(base_url) + "/v1"

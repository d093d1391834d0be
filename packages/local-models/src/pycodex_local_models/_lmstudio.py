"""LM Studio: detection, model list, `lms get` downloads and background loading."""

from __future__ import annotations

import logging
import os
import shutil
import sys
import threading
from pathlib import Path

from pycodex_local_models._endpoints import DETECT_TIMEOUT, LMSTUDIO_DEFAULT_PORT, LocalEndpoint, oss_base_url
from pycodex_local_models._errors import ModelDownloadFailed, ServerNotRunning
from pycodex_local_models._http import Unreachable, request_json, status_text
from pycodex_local_models._ollama import ProgressCallback, PullProgress

logger = logging.getLogger(__name__)

LMSTUDIO_DEFAULT_MODEL = "openai/gpt-oss-20b"
LMSTUDIO_CONNECTION_ERROR = (
    "LM Studio is not responding. Install from https://lmstudio.ai/download and run 'lms server start'."
)
LMS_NOT_FOUND = "LM Studio not found. Please install LM Studio from https://lmstudio.ai/"


def detect_lmstudio(base_url: str | None = None, *, timeout: float = DETECT_TIMEOUT) -> LocalEndpoint | None:
    """Return the LM Studio server at `base_url` (default from the environment), or `None`.

    Any server whose `GET {base_url}/models` answers 200 with a `data` list counts.
    Never raises.
    """
    base_url = (base_url or oss_base_url(LMSTUDIO_DEFAULT_PORT)).rstrip("/")
    try:
        status, body = request_json("GET", f"{base_url}/models", timeout=timeout)
    except Unreachable:
        return None
    models = _model_ids(body)
    if status != 200 or models is None:
        return None
    return LocalEndpoint("lmstudio", base_url, None, tuple(models))


def ensure_lmstudio(base_url: str | None = None, *, timeout: float = 5.0) -> LocalEndpoint:
    """Check that LM Studio answers at `base_url` and return its model list.

    Raises:
        ServerNotRunning: With Codex's "LM Studio is not responding" text (prefixed by
            `Server returned error: <status>` when the server answered with an error).
    """
    base_url = (base_url or oss_base_url(LMSTUDIO_DEFAULT_PORT)).rstrip("/")
    try:
        status, body = request_json("GET", f"{base_url}/models", timeout=timeout)
    except Unreachable:
        raise ServerNotRunning(LMSTUDIO_CONNECTION_ERROR, provider="lmstudio", base_url=base_url) from None
    if not 200 <= status < 300:
        message = f"Server returned error: {status_text(status)} {LMSTUDIO_CONNECTION_ERROR}"
        raise ServerNotRunning(message, provider="lmstudio", base_url=base_url)
    models = _model_ids(body)
    if models is None:
        logger.warning("LM Studio at %s sent no 'data' array in its model list", base_url)
    return LocalEndpoint("lmstudio", base_url, None, None if models is None else tuple(models))


def find_lms(home: Path | None = None) -> str:
    """Locate the `lms` command: on `PATH`, else `~/.lmstudio/bin/lms`.

    Raises:
        ModelDownloadFailed: Neither exists.
    """
    if shutil.which("lms"):
        return "lms"
    home = home or Path.home()
    fallback = home / ".lmstudio" / "bin" / ("lms.exe" if sys.platform == "win32" else "lms")
    if fallback.exists():
        return str(fallback)
    raise ModelDownloadFailed(LMS_NOT_FOUND)


def download_lmstudio_model(model: str, *, progress: ProgressCallback | None = None, timeout: float = 3600.0) -> None:
    """Run `lms get --yes <model>`, passing each output line to `progress`.

    Raises:
        ModelDownloadFailed: `lms` is missing, could not run, or exited non-zero.
    """
    import subprocess

    lms = find_lms()
    report = progress or (lambda _update: None)
    report(PullProgress(f"Downloading model: {model}"))
    try:
        proc = subprocess.run(
            [lms, "get", "--yes", model],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
            encoding="utf-8",
        )
    except (OSError, subprocess.TimeoutExpired) as err:
        raise ModelDownloadFailed(f"Failed to execute '{lms} get --yes {model}': {err}") from err
    for line in proc.stdout.splitlines():
        if line.strip():
            report(PullProgress(line.strip()))
    if proc.returncode != 0:
        raise ModelDownloadFailed(f"Model download failed with exit code: {proc.returncode}")


def load_lmstudio_model(model: str, base_url: str | None = None, *, timeout: float = 600.0) -> bool:
    """Ask LM Studio to load `model` with a one-token Responses request.

    Returns:
        Whether the server answered with success. Failures are logged, never raised.
    """
    base_url = (base_url or oss_base_url(LMSTUDIO_DEFAULT_PORT)).rstrip("/")
    body = {"model": model, "input": "", "max_output_tokens": 1}
    try:
        status, _ = request_json("POST", f"{base_url}/responses", body, timeout=timeout)
    except Unreachable as err:
        logger.warning("Failed to load model %s: %s", model, err)
        return False
    if not 200 <= status < 300:
        logger.warning("Failed to load model %s: %s", model, status_text(status))
        return False
    return True


def load_lmstudio_model_in_background(model: str, base_url: str) -> threading.Thread:
    """Start `load_lmstudio_model` in a daemon thread (as Codex does) and return it."""
    thread = threading.Thread(target=load_lmstudio_model, args=(model, base_url), name="lmstudio-load", daemon=True)
    thread.start()
    return thread


def _model_ids(body: object) -> list[str] | None:
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        return None
    return [m["id"] for m in body["data"] if isinstance(m, dict) and isinstance(m.get("id"), str)]

"""`--oss`: choose a local provider, make sure its model is there, hand back a base URL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Literal

from pycodex_local_models._endpoints import LMSTUDIO_DEFAULT_PORT, OLLAMA_DEFAULT_PORT, oss_base_url
from pycodex_local_models._errors import EmbeddedServerError, UnknownLocalProvider
from pycodex_local_models._llamacpp import LLAMACPP_DEFAULT_MODEL, LocalServer, default_gguf_path, start_llamacpp
from pycodex_local_models._lmstudio import (
    LMSTUDIO_DEFAULT_MODEL,
    detect_lmstudio,
    download_lmstudio_model,
    ensure_lmstudio,
    load_lmstudio_model_in_background,
)
from pycodex_local_models._ollama import (
    OLLAMA_DEFAULT_MODEL,
    ProgressCallback,
    detect_ollama,
    ensure_ollama,
    pull_ollama_model,
)
from pycodex_local_models._settings import EmbeddedSettings

logger = logging.getLogger(__name__)

LOCAL_PROVIDERS = ("ollama", "lmstudio", "llamacpp")
DEFAULT_MODELS = {
    "ollama": OLLAMA_DEFAULT_MODEL,
    "lmstudio": LMSTUDIO_DEFAULT_MODEL,
    "llamacpp": LLAMACPP_DEFAULT_MODEL,
}


@dataclass(slots=True)
class PreparedOss:
    """A local provider that is ready for requests.

    Close it when the session ends: for `llamacpp` that stops the embedded server; for
    the other providers it does nothing.

    Attributes:
        provider_id: `"ollama"`, `"lmstudio"` or `"llamacpp"`.
        base_url: OpenAI-style base URL ending in `/v1`.
        model: Model name to put in requests.
        wire_api: Always `"responses"`; all three servers speak the Responses API.
        server: The embedded server, for `llamacpp` only.
    """

    provider_id: str
    base_url: str
    model: str
    wire_api: Literal["responses", "chat"] = "responses"
    server: LocalServer | None = None

    def close(self) -> None:
        """Stop the embedded server, if any. Idempotent."""
        if self.server is not None:
            self.server.close()

    async def aclose(self) -> None:
        """Async variant of `close()`."""
        if self.server is not None:
            await self.server.aclose()

    def __enter__(self) -> PreparedOss:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> PreparedOss:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()


def prepare_oss(
    provider: str | None = None,
    model: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    startup_timeout: float = 60.0,
    embedded: EmbeddedSettings | None = None,
) -> PreparedOss:
    """Get a local provider ready, as `codex --oss` does before the first turn.

    With `provider=None` the first of these wins: a running Ollama, a running LM Studio,
    the embedded llama.cpp server (which needs no network and no other program).

    * `ollama`: checks the server and its version (>= 0.13.4), pulls `model` if missing.
    * `lmstudio`: checks the server, downloads `model` with `lms get` if missing and
      starts loading it in the background.
    * `llamacpp`: starts the embedded server; `model` is `smollm2` (the bundled
      SmolLM2-135M-Instruct) or a path to a `.gguf` file.

    Args:
        provider: `"ollama"`, `"lmstudio"`, `"llamacpp"` or `None` to pick one.
        model: Model name; `None` picks the provider's default.
        progress: Receives download progress updates.
        startup_timeout: Seconds the embedded server may take to start.
        embedded: Generation defaults and prefix cache of the embedded server (`llamacpp` only).

    Raises:
        UnknownLocalProvider: `provider` is not one of the three.
        ServerNotRunning: The chosen server does not answer.
        OllamaTooOld: Ollama predates the Responses API.
        ModelDownloadFailed: Fetching a missing model failed.
        EmbeddedServerError: The embedded server is missing or failed to start.
    """
    if provider is None:
        return _auto(model, progress, startup_timeout, embedded)
    if provider == "ollama":
        return _prepare_ollama(model or OLLAMA_DEFAULT_MODEL, progress)
    if provider == "lmstudio":
        return _prepare_lmstudio(model or LMSTUDIO_DEFAULT_MODEL, progress)
    if provider == "llamacpp":
        return _prepare_llamacpp(model, startup_timeout, embedded)
    raise UnknownLocalProvider(provider)


async def prepare_oss_async(
    provider: str | None = None,
    model: str | None = None,
    *,
    progress: ProgressCallback | None = None,
    startup_timeout: float = 60.0,
    embedded: EmbeddedSettings | None = None,
) -> PreparedOss:
    """Run `prepare_oss` in a worker thread; same arguments, result and errors.

    Cancelling the awaiting task returns at once; if the worker still finishes starting
    an embedded server afterwards, that server is stopped rather than left running.
    """
    import anyio.to_thread

    handoff = _Handoff()

    def work() -> PreparedOss:
        prepared = prepare_oss(provider, model, progress=progress, startup_timeout=startup_timeout, embedded=embedded)
        with handoff.lock:
            orphaned = handoff.cancelled
            if not orphaned:
                handoff.result = prepared
        if orphaned:
            logger.info("prepare_oss was cancelled; stopping the %s server it started", prepared.provider_id)
            prepared.close()
        return prepared

    try:
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except BaseException:
        # Cancelled (or failed): whoever finishes last closes what the worker started.
        with handoff.lock:
            handoff.cancelled = True
            orphan, handoff.result = handoff.result, None
        if orphan is not None:
            orphan.close()
        raise


class _Handoff:
    """State shared by `prepare_oss_async` and its worker thread."""

    def __init__(self) -> None:
        import threading

        self.lock = threading.Lock()
        self.cancelled = False
        self.result: PreparedOss | None = None


def _auto(
    model: str | None, progress: ProgressCallback | None, startup_timeout: float, embedded: EmbeddedSettings | None
) -> PreparedOss:
    ollama = detect_ollama()
    if ollama is not None:
        logger.info("using the Ollama server at %s", ollama.base_url)
        return _prepare_ollama(model or OLLAMA_DEFAULT_MODEL, progress)
    lmstudio = detect_lmstudio()
    if lmstudio is not None:
        logger.info("using the LM Studio server at %s", lmstudio.base_url)
        return _prepare_lmstudio(model or LMSTUDIO_DEFAULT_MODEL, progress)
    logger.info("no Ollama or LM Studio server found; starting the embedded llama.cpp server")
    return _prepare_llamacpp(model, startup_timeout, embedded)


def _prepare_ollama(model: str, progress: ProgressCallback | None) -> PreparedOss:
    base_url = oss_base_url(OLLAMA_DEFAULT_PORT)
    endpoint = ensure_ollama(base_url)
    if endpoint.models is not None and model not in endpoint.models:
        pull_ollama_model(model, base_url, progress=progress)
    return PreparedOss("ollama", endpoint.base_url, model)


def _prepare_lmstudio(model: str, progress: ProgressCallback | None) -> PreparedOss:
    endpoint = ensure_lmstudio(oss_base_url(LMSTUDIO_DEFAULT_PORT))
    if endpoint.models is not None and model not in endpoint.models:
        download_lmstudio_model(model, progress=progress)
    load_lmstudio_model_in_background(model, endpoint.base_url)
    return PreparedOss("lmstudio", endpoint.base_url, model)


def _prepare_llamacpp(model: str | None, startup_timeout: float, embedded: EmbeddedSettings | None) -> PreparedOss:
    if model is None or model == LLAMACPP_DEFAULT_MODEL:
        path, alias = default_gguf_path(), LLAMACPP_DEFAULT_MODEL
    else:
        path = Path(model).expanduser()
        if path.suffix.lower() != ".gguf" or not path.is_file():
            raise EmbeddedServerError(
                f"The embedded llama.cpp server serves {LLAMACPP_DEFAULT_MODEL!r} or a path to a .gguf file, "
                f"not {model!r}"
            )
        alias = path.stem
    server = start_llamacpp(path, alias=alias, startup_timeout=startup_timeout, settings=embedded)
    return PreparedOss("llamacpp", server.base_url, server.model, server=server)

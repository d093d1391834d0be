"""Child-process entry point that runs llama.cpp's OpenAI-compatible server.

Run as `python -m pycodex_local_models._serve --model PATH ...`. The process loads
the model with `xllamacpp`, prints exactly one line `READY http://127.0.0.1:PORT`
on its original stdout and then serves until one of these happens:

* it receives SIGTERM or SIGINT;
* the process named by `--parent-pid` is gone (checked every 0.25 s);
* `--max-seconds` have passed.

On a start-up failure it prints `ERROR <message>` instead and exits with status 1.
Anything llama.cpp writes to stdout is redirected to stderr, so the READY line is the
only thing the parent has to parse. Running in a child keeps a crash in native code
away from the session that uses the server.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import math
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

_PARENT_POLL_SECONDS = 0.25


def _parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(prog="python -m pycodex_local_models._serve")
    ap.add_argument("--model", required=True, help="path of the GGUF file")
    ap.add_argument("--port", type=int, default=0, help="0 picks a free port")
    ap.add_argument("--alias", default="smollm2", help="model name the server reports")
    ap.add_argument("--ctx", type=int, default=8192)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--chat-template-file", default="")
    ap.add_argument("--max-seconds", type=float, default=3600.0)
    ap.add_argument("--parent-pid", type=int, default=0, help="exit when this process is gone")
    ap.add_argument("--verbosity", type=int, default=0)
    ap.add_argument("--max-tokens", type=int, default=-1, help="default output limit per request; -1: none")
    ap.add_argument("--temperature", type=float, default=None, help="default sampling temperature")
    ap.add_argument("--dry-multiplier", type=float, default=0.0, help="DRY repetition penalty; 0 turns it off")
    ap.add_argument("--slot-save-path", default="", help="directory for /slots save and restore")
    return ap.parse_args(argv)


def _pid_alive(pid: int) -> bool:
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _watch_parent(parent_pid: int, stop: threading.Event) -> None:
    original_ppid = os.getppid()
    while not stop.wait(_PARENT_POLL_SECONDS):
        # A reparented child (getppid changed) means our direct parent died.
        if (parent_pid == original_ppid and os.getppid() != original_ppid) or not _pid_alive(parent_pid):
            stop.set()


def _xllamacpp() -> Any:
    # Imported by name: the extension module has no type information.
    return importlib.import_module("xllamacpp")


def _build_params(args: argparse.Namespace) -> Any:
    xlc = _xllamacpp()

    p = xlc.CommonParams()
    p.model.path = args.model
    p.hostnames = ["127.0.0.1"]
    p.port = args.port
    p.n_ctx = args.ctx
    p.n_parallel = 1
    p.use_jinja = True
    p.offline = True
    p.ui = False
    p.endpoint_props = True
    p.cache_ram_mib = 256
    p.verbosity = args.verbosity
    p.cpuparams.n_threads = args.threads
    p.cpuparams_batch.n_threads = args.threads
    p.model_alias = {args.alias}
    p.n_predict = args.max_tokens
    if args.temperature is not None:
        p.sampling.temp = args.temperature
    if args.dry_multiplier > 0:
        p.sampling.dry_multiplier = args.dry_multiplier
    if args.slot_save_path:
        p.slot_save_path = args.slot_save_path
        p.endpoint_slots = True
    if args.chat_template_file:
        p.chat_template = Path(args.chat_template_file).read_text(encoding="utf-8")
    return p


def _take_stdout() -> int:
    """Return a private copy of stdout and point fd 1 at stderr for native code."""
    sys.stdout.flush()
    ready_fd = os.dup(1)
    os.dup2(2, 1)
    return ready_fd


def lifetime_timeout(max_seconds: float) -> float | None:
    """Turn `--max-seconds` into a value `Event.wait` accepts (`None` waits forever)."""
    if math.isinf(max_seconds) or max_seconds >= threading.TIMEOUT_MAX:
        return None
    return max_seconds


def main(argv: list[str] | None = None) -> int:
    """Run the server until stopped; return the exit status."""
    args = _parse_args(argv)
    ready_fd = _take_stdout()
    stop = threading.Event()
    if args.parent_pid:
        threading.Thread(target=_watch_parent, args=(args.parent_pid, stop), daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    try:
        xlc = _xllamacpp()
        started = time.monotonic()
        server = xlc.Server(_build_params(args))
        address = server.listening_address
        load_s = time.monotonic() - started
    except Exception as exc:  # any failure is reported to the parent
        os.write(ready_fd, f"ERROR {type(exc).__name__}: {exc}\n".encode())
        os.close(ready_fd)
        return 1
    os.write(ready_fd, f"READY {address} load_s={load_s:.2f}\n".encode())
    os.close(ready_fd)
    stop.wait(lifetime_timeout(args.max_seconds))
    # Leave without running the native server's destructor: it can block on open
    # connections, and the OS frees everything anyway. `server` stays referenced until here.
    logger.debug("stopping llama.cpp server at %s", server.listening_address)
    os._exit(0)


if __name__ == "__main__":
    os._exit(main())

"""Logging set-up for the `codex` command (library packages never configure handlers).

Headless commands log to stderr. The level comes from `PYCODEX_LOG` (`error`, `warning`, `info`,
`debug`; default `warning`), optionally per logger: `PYCODEX_LOG=info,pycodex_core=debug`.
"""

from __future__ import annotations

import logging
import os
import sys

ENV_VAR = "PYCODEX_LOG"


def setup_logging(spec: str | None = None, *, log_file: str | None = None) -> None:
    """Send log records to stderr (or `$CODEX_HOME/log/<log_file>`) at the levels `spec` asks for.

    `spec` defaults to `$PYCODEX_LOG`. The interactive front end owns the terminal, so it logs to
    a file; when the file cannot be opened, records are dropped rather than drawn over the screen.
    """
    spec = os.environ.get(ENV_VAR, "warning") if spec is None else spec
    root_level = logging.WARNING
    per_logger: dict[str, int] = {}
    for part in filter(None, (p.strip() for p in spec.split(","))):
        name, _, level_name = part.rpartition("=")
        level = logging.getLevelName(level_name.upper())
        if not isinstance(level, int):
            sys.stderr.write(f"warning: ignoring unknown log level {level_name!r} in {ENV_VAR}\n")
            continue
        if name:
            per_logger[name] = level
        else:
            root_level = level
    handler: logging.Handler = logging.StreamHandler(sys.stderr) if log_file is None else _file_handler(log_file)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for old in root.handlers:
        if old is not handler:
            old.close()
    root.handlers[:] = [handler]
    root.setLevel(root_level)
    # HTTP client chatter (one line per request) only when asked for by name or at debug level.
    for noisy in ("httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(
            max(root_level, logging.WARNING) if root_level > logging.DEBUG else root_level
        )
    for name, level in per_logger.items():
        logging.getLogger(name).setLevel(level)


def _file_handler(name: str) -> logging.Handler:
    try:
        from pycodex_config import find_codex_home

        directory = find_codex_home() / "log"
        directory.mkdir(parents=True, exist_ok=True)
        return logging.FileHandler(directory / name, encoding="utf-8")
    except Exception:
        return logging.NullHandler()

"""Generation settings and the prompt-prefix cache of the embedded llama.cpp server.

A 135M-parameter model left to llama.cpp's defaults (temperature 0.8, no output limit) wanders
off and repeats itself until the context is full. `EmbeddedSettings` holds the defaults that keep
it brief and sane: greedy decoding, the DRY repetition sampler and a bounded output length. They
are the server's defaults, so a request that sets its own values still wins.

`PrefixCache` keeps the server's KV cache across runs: llama.cpp's `/slots` endpoint saves the
slot to a file when the server stops and restores it when the next one starts, so a prompt that
begins like the previous one (base instructions and tool specs) is not processed again.
"""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from pycodex_local_models._http import Unreachable, request_json

logger = logging.getLogger(__name__)

DEFAULT_EMBEDDED_MAX_TOKENS = 256
"""Output limit per response of the embedded model unless `model_max_output_tokens` says otherwise."""

_CACHE_FILE_LIMIT = 512 * 1024 * 1024
"""A saved slot larger than this is deleted instead of restored (a full 8k context is ~180 MB)."""
_CACHE_VERSION = "1"


@dataclass(frozen=True, slots=True)
class EmbeddedSettings:
    """Server-side generation defaults and caching for the embedded llama.cpp server.

    Attributes:
        max_tokens: Output tokens per response; `None` leaves it unlimited.
        temperature: Sampling temperature; 0 is greedy, which suits a tiny model best.
        dry_multiplier: Strength of llama.cpp's DRY sampler against repeated sequences; 0 turns it off.
        cache_dir: Where the prompt-prefix cache lives (`$CODEX_HOME/cache/llamacpp`); `None` disables it.
    """

    max_tokens: int | None = DEFAULT_EMBEDDED_MAX_TOKENS
    temperature: float = 0.0
    dry_multiplier: float = 0.8
    cache_dir: Path | None = None

    def server_args(self) -> list[str]:
        """The `_serve` command-line arguments that apply these settings."""
        args = ["--max-tokens", str(self.max_tokens if self.max_tokens is not None else -1)]
        args += ["--temperature", repr(float(self.temperature)), "--dry-multiplier", repr(float(self.dry_multiplier))]
        return args


class PrefixCache:
    """One saved llama.cpp slot per (model file, chat template, context size), under `directory`.

    Every operation is best effort: a cache that cannot be read or written only costs speed,
    so failures are logged at debug level and never raised.
    """

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.key = key
        self.restored_tokens = 0
        """Tokens the last `restore()` loaded (0 when nothing was restored)."""

    @classmethod
    def for_model(cls, directory: Path, model_path: Path, chat_template: Path, ctx: int) -> PrefixCache:
        """The cache entry for this model, template and context size (a change to any starts afresh)."""
        digest = hashlib.sha256(_CACHE_VERSION.encode())
        for part in (_file_identity(model_path), _file_identity(chat_template), str(ctx), _runtime_version()):
            digest.update(b"\0" + part.encode("utf-8", "surrogateescape"))
        return cls(directory, f"prefix-{digest.hexdigest()[:24]}.bin")

    @property
    def path(self) -> Path:
        """The saved slot's file."""
        return self.directory / self.key

    def prepare_directory(self) -> bool:
        """Create the cache directory (0700); `False` when that is not possible."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            logger.debug("prefix cache disabled: %s", exc)
            return False
        return self.directory.is_dir()

    def restore(self, root_url: str, *, timeout: float = 10.0) -> int:
        """Load the saved slot into slot 0 of the server at `root_url`; return the tokens restored."""
        self.restored_tokens = 0
        try:
            info = self.path.lstat()
        except OSError:
            return 0
        if not _is_regular(info.st_mode) or info.st_size > _CACHE_FILE_LIMIT:
            self._discard(self.path)
            return 0
        try:
            status, body = request_json(
                "POST", f"{root_url}/slots/0?action=restore", {"filename": self.key}, timeout=timeout
            )
        except Unreachable as exc:
            logger.debug("prefix cache restore failed: %s", exc)
            return 0
        if status != 200 or not isinstance(body, dict):
            logger.debug("prefix cache restore refused (%s); discarding %s", status, self.path)
            self._discard(self.path)
            return 0
        restored = body.get("n_restored")
        self.restored_tokens = restored if isinstance(restored, int) and restored > 0 else 0
        return self.restored_tokens

    def save(self, root_url: str, *, timeout: float = 10.0) -> bool:
        """Save slot 0 of the server at `root_url`, replacing the entry atomically."""
        temp_name = f".{self.key}.{os.getpid()}.tmp"
        try:
            status, body = request_json(
                "POST", f"{root_url}/slots/0?action=save", {"filename": temp_name}, timeout=timeout
            )
        except Unreachable as exc:
            logger.debug("prefix cache save failed: %s", exc)
            return False
        temp = self.directory / temp_name
        saved = body.get("n_saved") if isinstance(body, dict) else None
        if status != 200 or not isinstance(saved, int) or saved <= 0:
            self._discard(temp)
            return False
        try:
            os.chmod(temp, 0o600)
            os.replace(temp, self.path)
        except OSError as exc:
            logger.debug("prefix cache save failed: %s", exc)
            self._discard(temp)
            return False
        return True

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass


def _file_identity(path: Path) -> str:
    try:
        info = path.stat()
    except OSError:
        return f"{path}:missing"
    return f"{path.resolve()}:{info.st_size}:{info.st_mtime_ns}"


def _runtime_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("xllamacpp")
    except PackageNotFoundError:
        return "unknown"


def _is_regular(mode: int) -> bool:
    import stat

    return stat.S_ISREG(mode)

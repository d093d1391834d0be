"""The last tool list each server answered, on disk, so a session's first request can offer it at once.

One file per server under `$CODEX_HOME/cache/mcp-tools/`, named by a hash of the server's launch
configuration (a changed command, URL or environment is another server). Files are written
atomically (a temporary file renamed over the old one), never opened through a symlink, bounded in
size, and a file that is unreadable, too large or malformed is ignored as if it were absent.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex_config import McpServerConfig

logger = logging.getLogger(__name__)

__all__ = ["CACHE_DIR", "MAX_CACHE_BYTES", "CachedTools", "ToolInfo", "cache_path", "read_cache", "write_cache"]

CACHE_DIR = Path("cache") / "mcp-tools"
"""Where the files live, relative to `$CODEX_HOME`."""
MAX_CACHE_BYTES = 2 * 1024 * 1024
"""Largest file written or read; a larger tool list is simply not cached."""
_FORMAT = 1


@dataclass(frozen=True)
class ToolInfo:
    """One tool as a server listed it, as plain data (no SDK types)."""

    name: str
    """The server's name for the tool."""
    description: str = ""
    """Its description (may be empty)."""
    input_schema: dict[str, Any] = field(default_factory=lambda: {"type": "object"})
    """The JSON schema of its arguments."""
    annotations: dict[str, Any] = field(default_factory=lambda: {})
    """`readOnlyHint`, `destructiveHint`, ... as the server gave them."""

    def to_json(self) -> dict[str, Any]:
        """The cache file's form."""
        return {
            "name": self.name,
            "description": self.description,
            "inputSchema": self.input_schema,
            "annotations": self.annotations,
        }

    @classmethod
    def from_json(cls, data: object) -> ToolInfo | None:
        """Parse one cached entry; `None` when any field has the wrong type."""
        if not isinstance(data, dict):
            return None
        entry: dict[str, Any] = data
        name, description = entry.get("name"), entry.get("description", "")
        schema, annotations = entry.get("inputSchema"), entry.get("annotations", {})
        if not (isinstance(name, str) and name and isinstance(description, str)):
            return None
        if not isinstance(schema, dict) or not isinstance(annotations, dict):
            return None
        return cls(name, description, schema, annotations)


@dataclass(frozen=True)
class CachedTools:
    """What a server said the last time it was ready."""

    tools: tuple[ToolInfo, ...]
    """Its tools, before `enabled_tools` / `disabled_tools`."""
    instructions: str | None = None
    """Its `instructions` from the handshake."""


def _launch_key(config: McpServerConfig) -> str:
    launch = {
        "transport": config.transport,
        "command": config.command,
        "args": list(config.args),
        "env": dict(sorted(config.env.items())),
        "env_vars": list(config.env_vars),
        "cwd": config.cwd,
        "url": config.url,
        "bearer_token_env_var": config.bearer_token_env_var,
        "http_headers": dict(sorted(config.http_headers.items())),
        "env_http_headers": dict(sorted(config.env_http_headers.items())),
    }
    text = json.dumps(launch, sort_keys=True, ensure_ascii=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def cache_path(codex_home: Path, config: McpServerConfig) -> Path:
    """The cache file of one server: `$CODEX_HOME/cache/mcp-tools/<sha256 of its launch config>.json`."""
    return Path(codex_home) / CACHE_DIR / f"{_launch_key(config)}.json"


def read_cache(codex_home: Path, config: McpServerConfig) -> CachedTools | None:
    """The server's last known tools, or `None` when there is no usable cache file.

    Blocking (file I/O): call it in a worker thread from async code.
    """
    path = cache_path(codex_home, config)
    try:
        raw = _read_regular(path)
    except OSError:
        return None
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        logger.info("ignoring the unreadable MCP tool cache %s", path)
        return None
    return _parse(data)


def _read_regular(path: Path) -> bytes:
    """The bytes of a regular file at `path`, never through a symlink, at most `MAX_CACHE_BYTES`.

    Raises:
        OSError: missing, a symlink or not a regular file, too large, or unreadable.
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_CACHE_BYTES:
            raise OSError(f"{path} is not a regular file of at most {MAX_CACHE_BYTES} bytes")
        chunks: list[bytes] = []
        total = 0
        while chunk := os.read(fd, 65536):
            total += len(chunk)
            if total > MAX_CACHE_BYTES:
                raise OSError(f"{path} grew past {MAX_CACHE_BYTES} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def _parse(data: object) -> CachedTools | None:
    if not isinstance(data, dict):
        return None
    top: dict[str, Any] = data
    tools, instructions = top.get("tools"), top.get("instructions")
    if top.get("format") != _FORMAT or not isinstance(tools, list):
        return None
    if instructions is not None and not isinstance(instructions, str):
        return None
    parsed = [ToolInfo.from_json(entry) for entry in tools]
    if any(tool is None for tool in parsed):
        return None
    return CachedTools(tuple(t for t in parsed if t is not None), instructions)


def write_cache(codex_home: Path, config: McpServerConfig, tools: Sequence[ToolInfo], instructions: str | None) -> bool:
    """Store a server's tools (atomically, 0600); whether it was written.

    A list larger than `MAX_CACHE_BYTES`, or a cache directory that is a symlink, is not written.
    Blocking (file I/O): call it in a worker thread from async code.
    """
    path = cache_path(codex_home, config)
    body = {"format": _FORMAT, "server": config.name, "instructions": instructions}
    body["tools"] = [t.to_json() for t in tools]
    try:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, RecursionError):  # lone surrogates, values JSON cannot hold
        return False
    if len(data) > MAX_CACHE_BYTES:
        logger.info("MCP server %r lists too many tools to cache (%d bytes)", config.name, len(data))
        return False
    try:
        _ensure_dir(Path(codex_home), path.parent)
        _replace(path, data)
    except OSError as exc:
        logger.info("could not cache the tools of MCP server %r: %s", config.name, exc)
        return False
    return True


def _ensure_dir(home: Path, directory: Path) -> None:
    """Create `directory` below `home` one level at a time, refusing any level that is a symlink."""
    current = home
    for part in directory.relative_to(home).parts:
        current = current / part
        try:
            current.mkdir(mode=0o700)
        except FileExistsError:
            pass
        if not stat.S_ISDIR(os.lstat(current).st_mode):
            raise OSError(f"{current} is not a directory")


def _replace(path: Path, data: bytes) -> None:
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=".tools-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)  # replaces a symlink itself, never the file it points to
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

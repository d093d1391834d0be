"""Where the real servers the tests run live, and a loopback streamable-HTTP server to run."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
NPM_BIN = REPO / "tests" / "mcp_servers" / "node_modules" / ".bin"
SERVERS = Path(__file__).resolve().parent / "servers"
INSTALL = "npm install --no-audit --no-fund --prefix tests/mcp_servers"


def npm_server(name: str) -> str:
    """Path of an npm MCP server's executable (`server-everything`, `server-filesystem`)."""
    path = NPM_BIN / f"mcp-{name}"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `{INSTALL}` at the repository root")
    return str(path)


def script(name: str) -> list[str]:
    """`[python, path]` of one of the small test servers in tests/servers."""
    return [sys.executable, str(SERVERS / name)]


@contextmanager
def http_server(*, auth: str | None = None, oauth: bool = False, cimd: bool = False) -> Iterator[str]:
    """Run tests/servers/http_server.py and yield its URL; stopped (stdin closed) on exit."""
    args = [*script("http_server.py"), "--lifetime", "120"]
    if auth:
        args += ["--auth", auth]
    if oauth:
        args.append("--oauth")
    if cimd:
        args.append("--cimd")
    proc = subprocess.Popen(
        args, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, encoding="utf-8"
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        if not line.startswith("READY "):
            pytest.fail(f"the HTTP test server did not start: {line!r}")
        yield line.split()[1]
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if proc.stdout is not None:
            proc.stdout.close()

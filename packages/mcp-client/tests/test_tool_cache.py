"""The on-disk tool-list cache: keyed by launch config, atomic, bounded, hostile files ignored; its use."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_fixtures import script

from pycodex_config import McpServerConfig
from pycodex_mcp_client import (
    MAX_CACHE_BYTES,
    CachedTools,
    McpConnectionManager,
    McpToolNotOffered,
    ToolInfo,
    cache_path,
    read_cache,
    write_cache,
)


def cfg(name: str = "srv", **table: Any) -> McpServerConfig:
    table.setdefault("command", "server-bin")
    return McpServerConfig.from_toml(name, table)


TOOLS = [
    ToolInfo("ping", "Answer pong.", {"type": "object", "properties": {}}, {"readOnlyHint": True}),
    ToolInfo("echo", "Echo a text.", {"type": "object", "properties": {"text": {"type": "string"}}}),
]


def test_round_trip_is_private_and_keyed_by_the_launch_config(tmp_path: Path) -> None:
    config = cfg(args=["--flag"], env={"TOKEN": "x"})
    assert write_cache(tmp_path, config, TOOLS, "Use ping first.")
    path = cache_path(tmp_path, config)
    assert path.parent == tmp_path / "cache" / "mcp-tools"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert read_cache(tmp_path, config) == CachedTools(tuple(TOOLS), "Use ping first.")
    # Timeouts and filters are not part of how the server is launched; command, args and env are.
    assert read_cache(tmp_path, cfg(args=["--flag"], env={"TOKEN": "x"}, startup_timeout_sec=3)) is not None
    assert read_cache(tmp_path, cfg("other", args=["--flag"], env={"TOKEN": "x"})) is not None  # same launch
    for other in (cfg(args=["--other"], env={"TOKEN": "x"}), cfg(args=["--flag"], env={"TOKEN": "y"}), cfg()):
        assert read_cache(tmp_path, other) is None
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left behind


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"\xff\xfe garbage",
        b'{"format": 1, "tools": "nope"}',
        b'{"format": 2, "tools": []}',
        b'{"format": 1, "tools": [{"name": 3}]}',
        b'{"format": 1, "tools": [{"name": "a", "inputSchema": []}]}',
        b'{"format": 1, "instructions": 5, "tools": []}',
        b"[" * 100_000 + b"]" * 100_000,
        b'{"format": 1, "tools": [{"name": "\\ud800", "inputSchema": {}}]}'[:20],
    ],
)
def test_malformed_files_are_ignored(tmp_path: Path, content: bytes) -> None:
    config = cfg()
    path = cache_path(tmp_path, config)
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    assert read_cache(tmp_path, config) is None


def test_symlinks_fifos_and_huge_files_are_never_read(tmp_path: Path) -> None:
    config = cfg()
    path = cache_path(tmp_path, config)
    path.parent.mkdir(parents=True)
    target = tmp_path / "elsewhere.json"
    (tmp_path / "other-home").mkdir()
    assert write_cache(tmp_path / "other-home", config, TOOLS, None)
    target.write_bytes(cache_path(tmp_path / "other-home", config).read_bytes())
    path.symlink_to(target)
    assert read_cache(tmp_path, config) is None
    path.unlink()
    os.mkfifo(path)
    assert read_cache(tmp_path, config) is None  # opened with O_NONBLOCK: a FIFO with no writer never blocks
    path.unlink()
    path.write_bytes(b" " * (MAX_CACHE_BYTES + 1))
    assert read_cache(tmp_path, config) is None


def test_writes_replace_a_symlink_instead_of_following_it(tmp_path: Path) -> None:
    config = cfg()
    path = cache_path(tmp_path, config)
    path.parent.mkdir(parents=True)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    path.symlink_to(victim)
    assert write_cache(tmp_path, config, TOOLS, None)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not path.is_symlink() and read_cache(tmp_path, config) is not None


def test_a_symlinked_cache_dir_and_an_oversized_list_are_not_written(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "cache").symlink_to(elsewhere)
    assert not write_cache(tmp_path / "home", cfg(), TOOLS, None)
    assert list(elsewhere.iterdir()) == []
    huge = [ToolInfo(f"t{i}", "x" * 10_000) for i in range(MAX_CACHE_BYTES // 10_000 + 2)]
    assert not write_cache(tmp_path, cfg(), huge, None)
    assert not write_cache(tmp_path, cfg(), [ToolInfo("bad\ud800")], None)  # lone surrogate: not cached
    assert not cache_path(tmp_path, cfg()).exists()


@pytest.mark.anyio
async def test_the_manager_offers_cached_tools_until_the_server_answers(tmp_path: Path) -> None:
    argv = script("crashy.py")
    config = cfg("crashy", command=argv[0], args=argv[1:])
    stale = [ToolInfo("ping", "Answer pong."), ToolInfo("vanished", "Gone since.")]
    write_cache(tmp_path, config, stale, "old instructions")
    gate = anyio.Event()  # held: the server does not start before we look
    with anyio.fail_after(40):
        async with McpConnectionManager.start({"crashy": config}, codex_home=tmp_path, start_gate=gate) as mcp:
            assert [t.name.qualified for t in mcp.tools()] == ["mcp__crashy__ping", "mcp__crashy__vanished"]
            assert mcp.server_instructions() == {"crashy": "old instructions"}
            gate.set()
            with pytest.raises(McpToolNotOffered, match="no longer offers a tool named `vanished`"):
                await mcp.call_tool("crashy", "vanished", {})  # waits for the server, then refuses clearly
            result = await mcp.call_tool("crashy", "ping", {})
            assert result["content"][0]["text"] == "pong"
            assert sorted(t.name.tool for t in mcp.tools()) == ["crash", "ping"]
            names: list[str] = []
            for _ in range(100):  # the fresh list is written in the background
                fresh = read_cache(tmp_path, config)
                names = sorted(t.name for t in fresh.tools) if fresh is not None else []
                if names == ["crash", "ping"]:
                    break
                await anyio.sleep(0.05)
            assert names == ["crash", "ping"]
            assert json.loads(cache_path(tmp_path, config).read_text(encoding="utf-8"))["server"] == "crashy"

"""The connection manager against real servers: npm's everything and filesystem, PyPI's mcp-server-time,
the SDK's own streamable-HTTP server, and small misbehaving ones (hang, crash, malformed JSON, OAuth)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp_fixtures import http_server, npm_server, script

from pycodex_config import McpServerConfig
from pycodex_mcp_client import McpCallError, McpConnectionManager, McpServerUnavailable

pytestmark = pytest.mark.anyio


def cfg(name: str, **table: Any) -> McpServerConfig:
    return McpServerConfig.from_toml(name, table)


def stdio(name: str, argv: list[str], **table: Any) -> McpServerConfig:
    return cfg(name, command=argv[0], args=argv[1:], **table)


class Events:
    def __init__(self) -> None:
        self.items: list[dict[str, Any]] = []

        self.times: list[float] = []

    def __call__(self, event: dict[str, Any]) -> None:
        self.items.append(event)
        self.times.append(time.monotonic())

    def warning_time(self) -> float:
        return next(t for t, e in zip(self.times, self.items, strict=True) if e["type"] == "warning")

    def warnings(self) -> list[str]:
        return [e["message"] for e in self.items if e["type"] == "warning"]


async def test_everything_filesystem_and_time(tmp_path: Path) -> None:
    (tmp_path / "note.txt").write_text("hello from a file\n", encoding="utf-8")
    servers = {
        "everything": stdio("everything", [npm_server("server-everything")]),
        "fs": stdio("fs", [npm_server("server-filesystem"), str(tmp_path)]),
        "time": stdio("time", [sys.executable, "-m", "mcp_server_time", "--local-timezone", "UTC"]),
    }
    events = Events()
    with anyio.fail_after(60):
        async with McpConnectionManager.start(servers, report=events) as mcp:
            await mcp.wait_settled()
            names = {t.name.qualified: t for t in mcp.tools()}
            assert {"mcp__everything__echo", "mcp__everything__get_tiny_image", "mcp__fs__read_text_file"} <= set(names)
            assert "mcp__time__get_current_time" in names
            assert names["mcp__everything__get_structured_content"].name.tool == "get-structured-content"
            echo = await mcp.call_tool("everything", "echo", {"message": "hi"})
            assert echo == {"content": [{"type": "text", "text": "Echo: hi"}], "isError": False}
            image = await mcp.call_tool("everything", "get-tiny-image", {})
            assert [b["type"] for b in image["content"]] == ["text", "image", "text"]
            assert image["content"][1]["mimeType"] == "image/png"
            structured = await mcp.call_tool("everything", "get-structured-content", {"location": "New York"})
            assert set(structured["structuredContent"]) == {"temperature", "conditions", "humidity"}
            bad = await mcp.call_tool("everything", "get-sum", {"a": "x"})
            assert bad["isError"] is True
            text = await mcp.call_tool("fs", "read_text_file", {"path": str(tmp_path / "note.txt")})
            assert text["content"][0]["text"] == "hello from a file\n"
            now = await mcp.call_tool("time", "get_current_time", {"timezone": "UTC"})
            assert now["structuredContent"]["timezone"] == "UTC"
            listed = await mcp.list_resources("everything")
            uri = listed["resources"][0]["uri"]
            read = await mcp.read_resource("everything", uri)
            assert read["contents"][0]["uri"] == uri
            templates = await mcp.list_resource_templates("everything")
            assert templates["resourceTemplates"]
    assert not events.warnings()
    updates = [(e["server"], e["status"]["state"]) for e in events.items if e["type"] == "mcp_startup_update"]
    assert sorted(updates) == sorted([(n, s) for n in servers for s in ("starting", "ready")])
    (complete,) = [e for e in events.items if e["type"] == "mcp_startup_complete"]
    assert sorted(complete["ready"]) == sorted(servers) and complete["failed"] == []


async def test_enabled_and_disabled_tools_filter_the_listing() -> None:
    servers = {
        "a": stdio(
            "a", [npm_server("server-everything")], enabled_tools=["echo", "get-sum"], disabled_tools=["get-sum"]
        ),
        "off": stdio("off", [npm_server("server-everything")], enabled=False),
    }
    with anyio.fail_after(30):
        async with McpConnectionManager.start(servers) as mcp:
            await mcp.wait_settled()
            assert [t.name.qualified for t in mcp.tools()] == ["mcp__a__echo"]
            assert list(mcp.servers) == ["a"]
            with pytest.raises(McpServerUnavailable, match="no such server"):
                await mcp.call_tool("off", "echo", {})


async def test_streamable_http_with_a_bearer_token() -> None:
    with http_server(auth="sekrit") as url:
        servers = {"web": cfg("web", url=url, bearer_token_env_var="WEB_TOKEN")}
        with anyio.fail_after(30):
            async with McpConnectionManager.start(servers, environ={"WEB_TOKEN": "sekrit"}) as mcp:
                await mcp.wait_settled()
                assert sorted(t.name.qualified for t in mcp.tools()) == ["mcp__web__add", "mcp__web__shout"]
                result = await mcp.call_tool("web", "add", {"a": 2, "b": 3})
                assert result["structuredContent"] == {"result": 5}
                assert mcp.server_instructions() == {"web": "A loopback test server."}


async def test_oauth_server_without_a_token_fails_once_and_clearly(tmp_path: Path) -> None:
    with http_server(auth="sekrit") as url:
        events = Events()
        servers = {"web": cfg("web", url=url, startup_timeout_sec=10)}
        started = time.monotonic()
        with anyio.fail_after(30):
            async with McpConnectionManager.start(servers, report=events, codex_home=tmp_path) as mcp:
                await mcp.wait_settled()
                assert mcp.tools() == []
                with pytest.raises(McpServerUnavailable, match="codex mcp login web"):
                    await mcp.call_tool("web", "add", {"a": 1, "b": 1})
        assert time.monotonic() - started < 10
    assert events.warnings() == [
        "MCP client for `web` failed to start: the server needs authentication: run `codex mcp login web`"
    ]


async def test_a_missing_bearer_variable_is_named() -> None:
    events = Events()
    servers = {"web": cfg("web", url="http://127.0.0.1:9/mcp", bearer_token_env_var="NOPE_TOKEN")}
    with anyio.fail_after(10):
        async with McpConnectionManager.start(servers, report=events, environ={}) as mcp:
            await mcp.wait_settled()
    assert events.warnings() == [
        "MCP client for `web` failed to start: environment variable 'NOPE_TOKEN' (bearer_token_env_var) is not set"
    ]


async def test_a_hanging_server_fails_at_its_timeout_and_never_blocks_others() -> None:
    events = Events()
    servers = {
        "hang": stdio("hang", [sys.executable, "-c", "import time; time.sleep(60)"], startup_timeout_sec=1.5),
        "fast": stdio("fast", [*script("crashy.py")]),
    }
    started = time.monotonic()
    with anyio.fail_after(30):
        async with McpConnectionManager.start(servers, report=events) as mcp:
            assert mcp.tools() == []  # nothing waits: the listing answers at once
            assert (await mcp.call_tool("fast", "ping", {}))["content"][0]["text"] == "pong"
            await mcp.wait_settled(["hang"])
            assert mcp.servers["hang"].state == "failed"
    assert 1.4 < events.warning_time() - started < 3
    assert events.warnings() == [
        "MCP client for `hang` failed to start: request timed out after 1.5 s (startup_timeout_sec)"
    ]


async def test_a_crash_mid_call_fails_that_call_and_the_server_comes_back() -> None:
    events = Events()
    with anyio.fail_after(40):
        async with McpConnectionManager.start({"c": stdio("c", script("crashy.py"))}, report=events) as mcp:
            await mcp.wait_settled()
            for _ in range(2):  # crash twice: reported once
                with pytest.raises(McpCallError, match="the server exited"):
                    await mcp.call_tool("c", "crash", {})
                while mcp.servers["c"].state == "ready":  # noqa: ASYNC110 - the state has no event to wait on
                    await anyio.sleep(0.01)
                while mcp.servers["c"].state != "ready":  # noqa: ASYNC110
                    await anyio.sleep(0.05)
            assert (await mcp.call_tool("c", "ping", {}))["content"][0]["text"] == "pong"
            assert [t.name.tool for t in mcp.tools()] == ["ping", "crash"]
    assert events.warnings() == ["MCP server `c` stopped (the server process exited); restarting it in the background"]


async def test_malformed_json_fails_fast_at_start_and_during_a_call() -> None:
    events = Events()
    servers = {
        "bad": stdio("bad", script("malformed.py"), startup_timeout_sec=20),
        "late": stdio("late", [*script("malformed.py"), "--after-init"], tool_timeout_sec=20),
    }
    started = time.monotonic()
    with anyio.fail_after(30):
        async with McpConnectionManager.start(servers, report=events) as mcp:
            await mcp.wait_settled()
            assert time.monotonic() - started < 10
            with pytest.raises(McpCallError, match="malformed message"):
                await mcp.call_tool("late", "broken", {})
            assert time.monotonic() - started < 10
    assert events.warnings() == [
        "MCP client for `bad` failed to start: the server sent a malformed message (not JSON-RPC)"
    ]


async def test_a_command_that_does_not_exist() -> None:
    events = Events()
    with anyio.fail_after(10):
        async with McpConnectionManager.start({"x": cfg("x", command="/nonexistent/mcp")}, report=events) as mcp:
            await mcp.wait_settled()
    assert events.warnings() == ["MCP client for `x` failed to start: command not found: '/nonexistent/mcp'"]

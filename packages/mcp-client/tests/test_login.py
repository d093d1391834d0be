"""`oauth_login` against a real OAuth authorization server (the SDK's, on 127.0.0.1): discovery,
dynamic registration, PKCE, the callback, and tokens the connection manager then uses."""

from __future__ import annotations

import io
import stat
from pathlib import Path
from urllib.parse import quote

import anyio
import httpx2
import pytest
from mcp_fixtures import http_server

from pycodex_config import McpServerConfig
from pycodex_mcp_client import (
    CIMD_UNSUPPORTED,
    CREDENTIALS_FILE,
    McpClientError,
    McpConnectionManager,
    McpOAuthStore,
    callback_id,
    cimd_client_id,
    oauth_login,
)

pytestmark = pytest.mark.anyio


def _visit(url: str) -> None:
    """The browser: follow the authorization server's redirect to our callback."""
    with httpx2.Client(follow_redirects=True, timeout=10) as client:
        assert client.get(url).status_code == 200


async def test_login_then_the_session_connects_with_the_stored_token(tmp_path: Path) -> None:
    with http_server(oauth=True) as url:
        server = McpServerConfig.from_toml("web", {"url": url})
        events: list[dict[str, object]] = []
        with anyio.fail_after(30):
            async with McpConnectionManager.start({"web": server}, codex_home=tmp_path, report=events.append) as mcp:
                await mcp.wait_settled()
                assert mcp.servers["web"].state == "failed"
            out = io.StringIO()
            await oauth_login(server, tmp_path, open_browser=_visit, out=out)
            assert "Authorize Codex for MCP server 'web'" in out.getvalue()
            store = McpOAuthStore(tmp_path)  # `auto`, and no keyring here: the file Codex uses then
            assert store.has_tokens("web", url)
            assert stat.S_IMODE((tmp_path / CREDENTIALS_FILE).stat().st_mode) == 0o600
            assert not (tmp_path / "mcp-oauth.json").exists()
            async with McpConnectionManager.start({"web": server}, codex_home=tmp_path) as mcp:
                result = await mcp.call_tool("web", "add", {"a": 20, "b": 22})
                assert result["structuredContent"] == {"result": 42}
    assert any("codex mcp login web" in str(e.get("message")) for e in events)


async def test_no_browser_takes_the_pasted_callback_url(tmp_path: Path) -> None:
    with http_server(oauth=True) as url:
        server = McpServerConfig.from_toml("web", {"url": url})
        out = io.StringIO()

        def paste() -> str:
            """The user opens the URL elsewhere and pastes where the browser was sent."""
            import time

            deadline = time.monotonic() + 20
            while "http" not in out.getvalue().split("opening:\n", 1)[-1] and time.monotonic() < deadline:
                time.sleep(0.02)
            authorize = out.getvalue().split("opening:\n", 1)[1].splitlines()[0]
            with httpx2.Client(follow_redirects=False, timeout=10) as client:
                return client.get(authorize).headers["location"] + "\n"

        with anyio.fail_after(30):
            await oauth_login(server, tmp_path, open_browser=False, out=out, read_pasted=paste)
        assert McpOAuthStore(tmp_path).has_tokens("web", url)
        assert "Or paste the URL" in out.getvalue()


@pytest.mark.parametrize(
    ("cimd_server", "strategy", "expect_cimd"),
    [(True, "auto", True), (True, "cimd", True), (True, "dcr", False), (False, "auto", False)],
)
async def test_the_client_registration_strategy(
    tmp_path: Path, cimd_server: bool, strategy: str, expect_cimd: bool
) -> None:
    with http_server(oauth=True, cimd=cimd_server) as url:
        server = McpServerConfig.from_toml("web", {"url": url})
        visited: list[str] = []

        def visit(authorize: str) -> None:
            visited.append(authorize)
            _visit(authorize)

        with anyio.fail_after(30):
            await oauth_login(server, tmp_path, open_browser=visit, client_registration=strategy)
            client_id = McpOAuthStore(tmp_path).get("web", url)["client_info"]["client_id"]
            assert (client_id == cimd_client_id(url)) is expect_cimd
            assert f"client_id={quote(client_id, safe='')}" in visited[0]
            assert quote(f"/callback/{callback_id(url)}", safe="") in visited[0]
            async with McpConnectionManager.start({"web": server}, codex_home=tmp_path) as mcp:
                result = await mcp.call_tool("web", "add", {"a": 1, "b": 2})
                assert result["structuredContent"] == {"result": 3}


async def test_cimd_asked_of_a_server_without_it_fails_before_any_browser(tmp_path: Path) -> None:
    with http_server(oauth=True) as url:
        server = McpServerConfig.from_toml("web", {"url": url})
        visited: list[str] = []
        with anyio.fail_after(30), pytest.raises(McpClientError) as caught:
            await oauth_login(server, tmp_path, open_browser=visited.append, client_registration="cimd")
    assert str(caught.value) == CIMD_UNSUPPORTED
    assert visited == [] and not McpOAuthStore(tmp_path).get("web", url)
    with pytest.raises(McpClientError, match="unknown OAuth client registration 'both'"):
        await oauth_login(server, tmp_path, open_browser=visited.append, client_registration="both")


def test_callback_ids_are_codexs() -> None:
    # Seen from Codex 0.169: redirect `.../callback/3S6bRg9MO3xh` and client id
    # `https://chatgpt.com/oauth/codex/3S6bRg9MO3xh/client.json` for this server URL.
    assert callback_id("http://127.0.0.1:49251/mcp") == "3S6bRg9MO3xh"
    assert cimd_client_id("http://127.0.0.1:49251/mcp") == "https://chatgpt.com/oauth/codex/3S6bRg9MO3xh/client.json"
    assert callback_id("HTTP://Example.COM:80#frag") == callback_id("http://example.com/")

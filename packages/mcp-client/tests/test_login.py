"""`oauth_login` against a real OAuth authorization server (the SDK's, on 127.0.0.1): discovery,
dynamic registration, PKCE, the callback, and tokens the connection manager then uses."""

from __future__ import annotations

import io
import stat
from pathlib import Path

import anyio
import httpx2
import pytest
from mcp_fixtures import http_server

from pycodex_config import McpServerConfig
from pycodex_mcp_client import CREDENTIALS_FILE, McpConnectionManager, McpOAuthStore, oauth_login

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

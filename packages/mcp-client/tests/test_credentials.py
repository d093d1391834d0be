"""MCP logins in the credential store, in Codex's formats: keyring entries, `.credentials.json`, migration."""

from __future__ import annotations

import json
import logging
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from pycodex_mcp_client import CREDENTIALS_FILE, KEYRING_SERVICE, McpClientError, McpOAuthStore, oauth_store_key
from pycodex_test_support import BrokenKeyring, file_keyring

URL = "http://127.0.0.1:59405/mcp"
TOKENS = {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600, "refresh_token": "ref-1", "scope": "a b"}
# Written by Codex 0.169 (`codex mcp login`, mcp_oauth_credentials_store = "file"), secrets replaced.
CODEX_FILE = {
    "locked|9018b1ed76849094": {
        "server_name": "locked",
        "server_url": URL,
        "issuer": "http://127.0.0.1:59405/",
        "client_id": "2416d350-cdca-4e71-8b54-df8e9b8c5fd4",
        "access_token": "codex-access",
        "expires_at": 4102444800000,
        "refresh_token": "codex-refresh",
        "scopes": [],
    }
}


@pytest.fixture
def backend(tmp_path: Path) -> Any:
    return file_keyring(tmp_path / "keyring" / "keyring_pass.cfg")


def test_the_store_key_is_codexs() -> None:
    assert oauth_store_key("locked", URL) == "locked|9018b1ed76849094"  # the key Codex 0.169 wrote


def test_a_login_codex_made_in_the_file_is_used(tmp_path: Path) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text(json.dumps(CODEX_FILE), encoding="utf-8")
    entry = McpOAuthStore(tmp_path, "file").get("locked", URL)
    assert entry["tokens"]["access_token"] == "codex-access" and entry["tokens"]["refresh_token"] == "codex-refresh"
    assert entry["tokens"]["expires_in"] > 3600 * 24 * 365
    assert entry["client_info"] == {"client_id": "2416d350-cdca-4e71-8b54-df8e9b8c5fd4"}
    assert McpOAuthStore(tmp_path, "file").get("locked", "http://127.0.0.1:1/other") == {}


def test_file_mode_writes_codexs_entry_privately_and_keeps_other_servers(tmp_path: Path) -> None:
    (tmp_path / CREDENTIALS_FILE).write_text(json.dumps(CODEX_FILE), encoding="utf-8")
    store = McpOAuthStore(tmp_path, "file")
    store.update("web", "http://127.0.0.1:1/mcp", tokens=TOKENS, client_info={"client_id": "cid", "client_secret": "s"})
    path = tmp_path / CREDENTIALS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    document = json.loads(path.read_text(encoding="utf-8"))
    entry = document[oauth_store_key("web", "http://127.0.0.1:1/mcp")]
    expires_at = entry.pop("expires_at")
    assert abs(expires_at - (time.time() + 3600) * 1000) < 60_000
    assert entry == {
        "server_name": "web",
        "server_url": "http://127.0.0.1:1/mcp",
        "client_id": "cid",
        "access_token": "tok-1",
        "refresh_token": "ref-1",
        "scopes": ["a", "b"],
        "pycodex": {"client_info": {"client_id": "cid", "client_secret": "s"}},
    }
    assert document["locked|9018b1ed76849094"] == CODEX_FILE["locked|9018b1ed76849094"]
    again = store.get("web", "http://127.0.0.1:1/mcp")
    assert again["client_info"]["client_secret"] == "s" and again["tokens"]["scope"] == "a b"
    assert store.delete("web", "http://127.0.0.1:1/mcp") and not store.delete("web", "http://127.0.0.1:1/mcp")
    assert list(json.loads(path.read_text(encoding="utf-8"))) == ["locked|9018b1ed76849094"]


def test_keyring_mode_writes_codexs_entry(tmp_path: Path, backend: Any) -> None:
    store = McpOAuthStore(tmp_path, "keyring", keyring_backend=backend)
    store.update("web", URL, tokens=TOKENS, client_info={"client_id": "cid"})
    raw = backend.get_password(KEYRING_SERVICE, oauth_store_key("web", URL))
    assert raw is not None
    document: dict[str, Any] = json.loads(raw)
    assert document["server_name"] == "web" and document["url"] == URL and document["client_id"] == "cid"
    assert document["token_response"] == {
        "access_token": "tok-1",
        "token_type": "bearer",
        "expires_in": 3600,
        "refresh_token": "ref-1",
        "scope": "a b",
    }
    assert isinstance(document["expires_at"], int)
    assert not (tmp_path / CREDENTIALS_FILE).exists()
    assert store.has_tokens("web", URL)
    assert store.delete("web", URL) and backend.get_password(KEYRING_SERVICE, oauth_store_key("web", URL)) is None


def test_keyring_mode_fails_clearly_without_a_keyring(tmp_path: Path) -> None:
    store = McpOAuthStore(tmp_path, "keyring", keyring_backend=BrokenKeyring())
    with pytest.raises(McpClientError, match="the MCP login of 'web': cannot .* the OS keyring"):
        store.update("web", URL, tokens=TOKENS)
    assert not (tmp_path / CREDENTIALS_FILE).exists()  # never silently in a plain file
    assert not store.has_tokens("web", URL)


def test_auto_falls_back_to_the_file_with_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    store = McpOAuthStore(tmp_path, "auto", keyring_backend=BrokenKeyring())
    with caplog.at_level(logging.WARNING):
        store.update("fallback-srv", URL, tokens=TOKENS)
    assert any(str(tmp_path / CREDENTIALS_FILE) in r.getMessage() for r in caplog.records)
    assert "tok-1" not in caplog.text
    assert McpOAuthStore(tmp_path, "file").has_tokens("fallback-srv", URL)


def test_auto_prefers_the_keyring_and_moves_a_file_login_there(tmp_path: Path, backend: Any) -> None:
    McpOAuthStore(tmp_path, "file").update("web", URL, tokens=TOKENS)
    store = McpOAuthStore(tmp_path, "auto", keyring_backend=backend)
    assert store.get("web", URL)["tokens"]["access_token"] == "tok-1"  # a file login still works
    store.update("web", URL, tokens={**TOKENS, "access_token": "tok-2"})
    assert not (tmp_path / CREDENTIALS_FILE).exists()
    assert store.get("web", URL)["tokens"]["access_token"] == "tok-2"


def test_a_login_in_the_old_file_is_moved_to_the_store(tmp_path: Path) -> None:
    old = tmp_path / "mcp-oauth.json"
    entry = {"tokens": TOKENS, "client_info": {"client_id": "cid"}, "client_secret": "sec"}
    old.write_text(json.dumps({"servers": {f"web|{URL}": entry}}), encoding="utf-8")
    store = McpOAuthStore(tmp_path, "file")
    assert store.get("web", URL)["tokens"]["access_token"] == "tok-1"
    assert not old.exists()
    moved = McpOAuthStore(tmp_path, "file").get("web", URL)
    assert moved["tokens"]["refresh_token"] == "ref-1" and moved["client_secret"] == "sec"


def test_a_client_secret_before_login_waits_in_the_old_file(tmp_path: Path) -> None:
    store = McpOAuthStore(tmp_path, "file")
    store.update("web", URL, client_secret="sec")
    assert not (tmp_path / CREDENTIALS_FILE).exists()  # Codex's file has no place for an entry without tokens
    assert store.get("web", URL) == {"client_secret": "sec"} and not store.has_tokens("web", URL)
    store.update("web", URL, tokens=TOKENS)
    assert store.get("web", URL)["client_secret"] == "sec"
    assert not (tmp_path / "mcp-oauth.json").exists()


@pytest.mark.parametrize("content", ["not json", "[1, 2]", '{"x|y": 3, "web|zz": {"server_name": 5}}'])
def test_a_damaged_credentials_file_is_read_as_empty_and_never_overwritten(tmp_path: Path, content: str) -> None:
    path = tmp_path / CREDENTIALS_FILE
    path.write_text(content, encoding="utf-8")
    store = McpOAuthStore(tmp_path, "file")
    assert store.get("web", URL) == {}
    if content.startswith("{"):  # valid JSON, odd entries: they are kept, the new one added
        store.update("web", URL, tokens=TOKENS)
        assert json.loads(path.read_text(encoding="utf-8"))["x|y"] == 3
    else:
        with pytest.raises(McpClientError, match="left as it is"):
            store.update("web", URL, tokens=TOKENS)
        assert path.read_text(encoding="utf-8") == content


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(McpClientError, match="mcp_oauth_credentials_store 'vault'"):
        McpOAuthStore(tmp_path, "vault")


def test_concurrent_writers_lose_no_login(tmp_path: Path) -> None:
    import threading

    def login(index: int) -> None:
        McpOAuthStore(tmp_path, "file").update(f"srv{index}", f"http://127.0.0.1:{index + 1000}/mcp", tokens=TOKENS)

    threads = [threading.Thread(target=login, args=(i,)) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    document = json.loads((tmp_path / CREDENTIALS_FILE).read_text(encoding="utf-8"))
    assert len(document) == 12

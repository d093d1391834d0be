from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pycodex_mcp_client import OAuthTokenFile


def test_tokens_roundtrip_in_a_private_file(tmp_path: Path) -> None:
    store = OAuthTokenFile(tmp_path)
    assert not store.has_tokens("s", "http://127.0.0.1/mcp")
    store.update("s", "http://127.0.0.1/mcp", tokens={"access_token": "a", "token_type": "Bearer"})
    assert store.has_tokens("s", "http://127.0.0.1/mcp")
    assert not store.has_tokens("s", "http://127.0.0.1/other")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert store.delete("s", "http://127.0.0.1/mcp")
    assert not store.delete("s", "http://127.0.0.1/mcp")


@pytest.mark.parametrize("text", ["not json", "[]", '{"servers": 3}', '{"servers": {"s|u": 1}}'])
def test_a_damaged_file_reads_as_empty(tmp_path: Path, text: str) -> None:
    store = OAuthTokenFile(tmp_path)
    store.path.write_text(text, encoding="utf-8")
    assert store.get("s", "u") == {}
    store.update("s", "u", tokens={"access_token": "x"})
    assert store.has_tokens("s", "u")

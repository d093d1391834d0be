"""API-key sign-in, status, refresh and the stores, against real files, a real keyring and a fake issuer."""

from __future__ import annotations

import json
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from issuer_support import FakeIssuer, make_jwt

from pycodex_keyring_store import AutoStore, KeyringStore
from pycodex_login import AuthManager, CodexAuth, LoginError, TokenData, mask_api_key
from pycodex_test_support import file_keyring

KEY = "sk-canary-abcdefghij0123456789"


def test_mask_matches_codex() -> None:
    assert mask_api_key("sk-test-1234567890abcdef") == "sk-test-***bcdef"
    assert mask_api_key("sk-x") == "***"
    assert mask_api_key("1234567890123") == "***"
    assert mask_api_key("12345678901234") == "12345678***01234"


def test_api_key_round_trip(tmp_path: Path) -> None:
    manager = AuthManager(tmp_path)
    assert manager.status_lines() == (["Not logged in"], 1)
    manager.login_with_api_key(f"  {KEY}\n")
    path = tmp_path / "auth.json"
    assert json.loads(path.read_text(encoding="utf-8")) == {"auth_mode": "apikey", "OPENAI_API_KEY": KEY}
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    lines, code = AuthManager(tmp_path).status_lines()
    assert code == 0
    assert lines == [f"API key configured - {mask_api_key(KEY)}", "Authentication is checked when you send a request."]
    assert AuthManager(tmp_path).bearer_token() == KEY
    assert manager.logout() and not manager.logout()
    assert manager.current() is None


@pytest.mark.parametrize("bad", ["", "   \n", "sk with space", "sk-\x00nul"])
def test_bad_keys_are_refused_and_nothing_is_written(tmp_path: Path, bad: str) -> None:
    with pytest.raises(LoginError):
        AuthManager(tmp_path).login_with_api_key(bad)
    assert not (tmp_path / "auth.json").exists()


def test_codex_api_key_only_where_allowed(tmp_path: Path) -> None:
    AuthManager(tmp_path).login_with_api_key(KEY)
    env = {"CODEX_API_KEY": "sk-from-env-0123456789"}
    assert AuthManager(tmp_path, env=env).bearer_token() == KEY
    assert AuthManager(tmp_path, env=env, allow_env_api_key=True).bearer_token() == "sk-from-env-0123456789"


def test_unknown_keys_survive_a_rewrite(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text(
        json.dumps({"auth_mode": "apikey", "OPENAI_API_KEY": KEY, "agent_identity": {"x": 1}}), encoding="utf-8"
    )
    manager = AuthManager(tmp_path)
    auth = manager.current()
    assert auth is not None
    manager.save(auth)
    assert json.loads((tmp_path / "auth.json").read_text(encoding="utf-8"))["agent_identity"] == {"x": 1}


def chatgpt(tmp_path: Path, issuer: FakeIssuer, *, age: timedelta) -> AuthManager:
    manager = AuthManager(tmp_path, issuer=issuer.base)
    tokens = TokenData(make_jwt({"email": "a@b.test", "exp": 4_000_000_000}), "access-0", "refresh-0", "acct-1")
    manager.save(CodexAuth("chatgpt", None, tokens, datetime.now(UTC) - age))
    return manager


def test_fresh_tokens_are_used_as_they_are(tmp_path: Path, issuer: FakeIssuer) -> None:
    manager = chatgpt(tmp_path, issuer, age=timedelta(days=1))
    assert manager.bearer_token() == "access-0"
    assert issuer.requests == []
    assert manager.status_lines() == (["Logged in using ChatGPT (a@b.test)"], 0)
    assert manager.chatgpt_account() == "acct-1"  # the model client sends it as ChatGPT-Account-ID
    reads = [0]
    load = manager.store.load

    def counted() -> Any:
        reads[0] += 1
        return load()

    manager.store.load = counted  # pyright: ignore[reportAttributeAccessIssue]
    assert manager.bearer_token() == "access-0" and manager.chatgpt_account() == "acct-1"
    assert reads == [1]  # one read of the store per request, not one per question
    manager.login_with_api_key(KEY)
    assert manager.chatgpt_account() is None


def test_stale_tokens_are_refreshed_and_stored(tmp_path: Path, issuer: FakeIssuer) -> None:
    manager = chatgpt(tmp_path, issuer, age=timedelta(days=9))
    assert manager.bearer_token() == "access-1"
    assert issuer.requests[-1] == (
        "/oauth/token",
        {"client_id": manager.client_id, "grant_type": "refresh_token", "refresh_token": "refresh-0"},
    )
    stored = json.loads((tmp_path / "auth.json").read_text(encoding="utf-8"))
    assert stored["tokens"]["refresh_token"] == "refresh-1"
    assert stored["tokens"]["account_id"] == "acct-1"
    assert datetime.fromisoformat(stored["last_refresh"].replace("Z", "+00:00")) > datetime.now(UTC) - timedelta(
        minutes=1
    )


def test_401_refreshes_once(tmp_path: Path, issuer: FakeIssuer) -> None:
    manager = chatgpt(tmp_path, issuer, age=timedelta(hours=1))
    assert manager.handle_unauthorized()
    assert manager.bearer_token() == "access-1"
    AuthManager(tmp_path).login_with_api_key(KEY)
    assert not AuthManager(tmp_path, issuer=issuer.base).handle_unauthorized()  # an API key cannot be refreshed


@pytest.mark.parametrize(
    ("code", "text"),
    [("refresh_token_expired", "has expired"), ("refresh_token_reused", "already used"), ("other", "HTTP 401")],
)
def test_refresh_failures_ask_to_sign_in_again(tmp_path: Path, issuer: FakeIssuer, code: str, text: str) -> None:
    issuer.refresh_error = code
    warnings: list[str] = []
    manager = chatgpt(tmp_path, issuer, age=timedelta(days=30))
    manager.on_warning = warnings.append
    assert manager.bearer_token() == "access-0"  # the old token is still tried
    assert len(warnings) == 1 and text in warnings[0] and "log out and sign in again" in warnings[0]


def test_keyring_mode_on_a_real_backend(tmp_path: Path) -> None:
    backend = file_keyring(tmp_path / "kr" / "keyring.cfg")
    home = tmp_path / "home"
    manager = AuthManager(home, store=KeyringStore(home, backend=backend))
    manager.login_with_api_key(KEY)
    assert not (home / "auth.json").exists()
    assert AuthManager(home, store=KeyringStore(home, backend=backend)).bearer_token() == KEY


class DeadKeyring:
    def get_password(self, service: str, account: str) -> str | None:
        raise OSError("no secret service")

    def set_password(self, service: str, account: str, value: str) -> None:
        raise OSError("no secret service")

    def delete_password(self, service: str, account: str) -> None:
        raise OSError("no secret service")


def test_auto_mode_never_falls_back_silently(tmp_path: Path) -> None:
    warnings: list[str] = []
    store = AutoStore(tmp_path, on_warning=warnings.append, keyring_backend=DeadKeyring())
    AuthManager(tmp_path, store=store).login_with_api_key(KEY)
    assert (tmp_path / "auth.json").exists()
    assert warnings and "auth.json" in warnings[0] and KEY not in warnings[0]


def test_unreadable_store_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "auth.json").write_text("{not json", encoding="utf-8")
    lines, code = AuthManager(tmp_path).status_lines()
    assert code == 1 and str(tmp_path / "auth.json") in lines[0]


def test_secrets_are_never_logged(tmp_path: Path, issuer: FakeIssuer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    manager = chatgpt(tmp_path, issuer, age=timedelta(days=9))
    manager.bearer_token()
    AuthManager(tmp_path).login_with_api_key(KEY)
    text = caplog.text
    for secret in (KEY, "access-0", "access-1", "refresh-0", "refresh-1"):
        assert secret not in text

"""The browser (PKCE) and device-code sign-ins against a fake issuer on 127.0.0.1."""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from issuer_support import FakeIssuer

from pycodex_login import AuthManager, BrowserLogin, LoginError, Pkce, device_code_login


def test_pkce_challenge_is_s256_of_the_verifier() -> None:
    pkce = Pkce.generate()
    digest = base64.urlsafe_b64encode(hashlib.sha256(pkce.verifier.encode()).digest()).rstrip(b"=").decode()
    assert pkce.challenge == digest and len(pkce.verifier) >= 43
    assert Pkce.generate().verifier != pkce.verifier


def browse(url: str) -> None:
    """What a browser does: follow the issuer's redirect to the callback, then to /success."""
    with httpx.Client(follow_redirects=True, trust_env=False, timeout=10) as client:
        response = client.get(url)
    assert response.status_code == 200, response.text
    assert "Signed in" in response.text


def test_browser_sign_in_end_to_end(tmp_path: Path, issuer: FakeIssuer) -> None:
    manager = AuthManager(tmp_path, issuer=issuer.base)
    login = BrowserLogin(manager, port=0)
    query = parse_qs(urlsplit(login.authorize_url).query)
    assert query["redirect_uri"] == [f"http://localhost:{login.port}/auth/callback"]
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"] == [login.pkce.challenge]
    assert "offline_access" in query["scope"][0]
    opener = threading.Thread(target=browse, args=(login.authorize_url.replace("localhost", "127.0.0.1"),))
    auth = login.wait(10, open_browser=lambda url: opener.start())
    opener.join(10)
    assert auth.mode == "chatgpt" and auth.api_key == "sk-exchanged-0123456789"
    exchange = next(body for path, body in issuer.requests if body.get("grant_type") == "authorization_code")
    assert exchange["code"] == "the-code" and exchange["code_verifier"] == login.pkce.verifier
    stored = json.loads((tmp_path / "auth.json").read_text(encoding="utf-8"))
    assert stored["auth_mode"] == "chatgpt" and stored["tokens"]["account_id"] == "acct-1"
    assert AuthManager(tmp_path).status_lines() == (["Logged in using ChatGPT (dev@example.test)"], 0)


def test_wrong_state_is_refused_and_cancel_ends_the_wait(tmp_path: Path, issuer: FakeIssuer) -> None:
    login = BrowserLogin(AuthManager(tmp_path, issuer=issuer.base), port=0)

    def attacker(url: str) -> None:
        with httpx.Client(trust_env=False, timeout=5) as client:
            bad = client.get(f"http://127.0.0.1:{login.port}/auth/callback?code=x&state=forged")
            assert bad.status_code == 400
            client.get(f"http://127.0.0.1:{login.port}/cancel")

    with pytest.raises(LoginError, match="cancelled"):
        login.wait(10, open_browser=lambda url: threading.Thread(target=attacker, args=(url,)).start())
    assert not (tmp_path / "auth.json").exists()


def test_forced_workspace_is_enforced(tmp_path: Path, issuer: FakeIssuer) -> None:
    login = BrowserLogin(AuthManager(tmp_path, issuer=issuer.base), port=0, forced_workspace_id="acct-other")
    assert "allowed_workspace_id=acct-other" in login.authorize_url
    with pytest.raises(LoginError, match="restricted to workspace"):
        login.wait(10, open_browser=lambda url: threading.Thread(target=_try, args=(url,)).start())
    assert not (tmp_path / "auth.json").exists()


def _try(url: str) -> None:
    with httpx.Client(follow_redirects=True, trust_env=False, timeout=10) as client:
        client.get(url.replace("localhost", "127.0.0.1"))


def test_timeout_is_reported(tmp_path: Path, issuer: FakeIssuer) -> None:
    with pytest.raises(LoginError, match="Timed out"):
        BrowserLogin(AuthManager(tmp_path, issuer=issuer.base), port=0).wait(0.2)


def test_device_code_flow(tmp_path: Path, issuer: FakeIssuer) -> None:
    shown: list[str] = []
    manager = AuthManager(tmp_path, issuer=issuer.base)
    auth = device_code_login(manager, show=shown.append, sleep=lambda s: None)
    assert "ABCD-1234" in shown[0] and f"{issuer.base}/codex/device" in shown[0]
    assert auth.mode == "chatgpt"
    polls = [body for path, body in issuer.requests if path == "/api/accounts/deviceauth/token"]
    assert len(polls) == 3 and polls[0] == {"device_auth_id": "dev-1", "user_code": "ABCD-1234"}
    exchange = next(body for path, body in issuer.requests if body.get("grant_type") == "authorization_code")
    assert exchange["redirect_uri"] == f"{issuer.base}/deviceauth/callback" and exchange["code_verifier"] == "v"


def test_device_code_expiry(tmp_path: Path, issuer: FakeIssuer) -> None:
    issuer.pending_polls = 10**6
    with pytest.raises(LoginError, match="expired"):
        device_code_login(
            AuthManager(tmp_path, issuer=issuer.base), show=lambda s: None, timeout=0.3, sleep=lambda s: None
        )

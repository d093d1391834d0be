"""ChatGPT sign-in: the browser flow (PKCE and a loopback callback) and the device-code flow."""

from __future__ import annotations

import base64
import hashlib
import html
import logging
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from pycodex_login._auth import AuthManager, CodexAuth, LoginError, TokenData
from pycodex_login._jwt import JwtError, parse_id_token

__all__ = [
    "BrowserLogin",
    "DEFAULT_CALLBACK_PORT",
    "Pkce",
    "device_code_login",
]

logger = logging.getLogger(__name__)

DEFAULT_CALLBACK_PORT = 1455
SCOPES = "openid profile email offline_access api.connectors.read api.connectors.invoke"
DEVICE_CODE_TIMEOUT = 15 * 60.0
_TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
_ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


@dataclass(frozen=True, slots=True)
class Pkce:
    """A PKCE verifier and its S256 challenge."""

    verifier: str
    challenge: str

    @classmethod
    def generate(cls) -> Pkce:
        """A fresh pair (64 random bytes for the verifier)."""
        verifier = _b64url(secrets.token_bytes(64))
        return cls(verifier, _b64url(hashlib.sha256(verifier.encode("ascii")).digest()))


def exchange_code(manager: AuthManager, code: str, redirect_uri: str, verifier: str) -> TokenData:
    """Trade an authorization code for tokens at `{issuer}/oauth/token`.

    Raises:
        LoginError: The issuer refused or answered something that is not a token set.
    """
    status, payload = manager.post_form(
        f"{manager.issuer}/oauth/token",
        {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "client_id": manager.client_id,
            "code_verifier": verifier,
        },
    )
    tokens = payload if status == 200 and isinstance(payload, dict) else {}
    values = [tokens.get(k) for k in ("id_token", "access_token", "refresh_token")]
    if not all(isinstance(v, str) and v for v in values):
        raise LoginError(f"The sign-in service did not issue tokens (HTTP {status}).")
    id_token, access_token, refresh_token = (str(v) for v in values)
    try:
        account = parse_id_token(id_token).chatgpt_account_id
    except JwtError:
        raise LoginError("The sign-in service returned an id token that cannot be read.") from None
    return TokenData(id_token, access_token, refresh_token, account)


def obtain_api_key(manager: AuthManager, id_token: str) -> str | None:
    """Exchange the id token for an API key, as Codex does after signing in; `None` when refused."""
    try:
        status, payload = manager.post_form(
            f"{manager.issuer}/oauth/token",
            {
                "grant_type": _TOKEN_EXCHANGE,
                "client_id": manager.client_id,
                "requested_token": "openai-api-key",
                "subject_token": id_token,
                "subject_token_type": _ID_TOKEN_TYPE,
            },
        )
    except LoginError:
        return None
    key = payload.get("access_token") if status == 200 and isinstance(payload, dict) else None
    return key if isinstance(key, str) and key else None


def finish_login(manager: AuthManager, tokens: TokenData, *, forced_workspace_id: str | None = None) -> CodexAuth:
    """Check the workspace, get an API key if the issuer grants one, and store the sign-in."""
    account = tokens.account_id
    if forced_workspace_id and account != forced_workspace_id:
        raise LoginError(f"Login is restricted to workspace {forced_workspace_id}; this account is not in it.")
    return manager.login_with_tokens(tokens, obtain_api_key(manager, tokens.id_token))


_SUCCESS_PAGE = (
    "<!doctype html><title>Signed in</title><h1>Signed in to pycodex</h1>"
    "<p>You can close this tab and return to your terminal.</p>"
)


class BrowserLogin:
    """The browser sign-in: a callback server on 127.0.0.1 and the authorize URL to open.

    Args:
        manager: Where the credentials are stored.
        port: Callback port (1455 as Codex; a free one when it is taken).
        originator: Sent to the issuer (`codex_cli_rs`).
        forced_workspace_id: `forced_chatgpt_workspace_id`.
    """

    def __init__(
        self,
        manager: AuthManager,
        *,
        port: int = DEFAULT_CALLBACK_PORT,
        originator: str = "codex_cli_rs",
        forced_workspace_id: str | None = None,
    ) -> None:
        self.manager = manager
        self.pkce = Pkce.generate()
        self.state = _b64url(secrets.token_bytes(32))
        self.forced_workspace_id = forced_workspace_id
        self.originator = originator
        self._done = threading.Event()
        self.result: CodexAuth | None = None
        self.error: str | None = None
        self._server = self._bind(port)
        self.port = int(self._server.server_address[1])
        self.redirect_uri = f"http://localhost:{self.port}/auth/callback"

    def _bind(self, port: int) -> ThreadingHTTPServer:
        handler = _handler(self)
        try:
            return ThreadingHTTPServer(("127.0.0.1", port), handler)
        except OSError:
            logger.info("port %d is taken; using a free port for the sign-in callback", port)
            return ThreadingHTTPServer(("127.0.0.1", 0), handler)

    @property
    def authorize_url(self) -> str:
        """The URL the user opens to sign in."""
        query: dict[str, str] = {
            "response_type": "code",
            "client_id": self.manager.client_id,
            "redirect_uri": self.redirect_uri,
            "scope": SCOPES,
            "code_challenge": self.pkce.challenge,
            "code_challenge_method": "S256",
            "id_token_add_organizations": "true",
            "codex_cli_simplified_flow": "true",
            "state": self.state,
            "originator": self.originator,
        }
        if self.forced_workspace_id:
            query["allowed_workspace_id"] = self.forced_workspace_id
        return f"{self.manager.issuer}/oauth/authorize?{urlencode(query)}"

    def handle_callback(self, query: dict[str, list[str]]) -> tuple[int, str]:
        """Process `/auth/callback`; returns the HTTP status and page."""
        if query.get("state", [""])[0] != self.state:
            return 400, "State mismatch: this sign-in link is not the one pycodex opened."
        if "error" in query:
            self._finish(None, f"Sign-in failed: {query['error'][0]}")
            return 400, "Sign-in failed; see the terminal."
        code = query.get("code", [""])[0]
        if not code:
            return 400, "Missing authorization code."
        try:
            tokens = exchange_code(self.manager, code, self.redirect_uri, self.pkce.verifier)
            self._finish(finish_login(self.manager, tokens, forced_workspace_id=self.forced_workspace_id), None)
        except LoginError as exc:
            self._finish(None, str(exc))
            return 400, html.escape(str(exc))
        return 302, "/success"

    def _finish(self, result: CodexAuth | None, error: str | None) -> None:
        self.result, self.error = result, error
        self._done.set()

    def cancel(self) -> None:
        """Stop waiting (as `/cancel` does)."""
        self._finish(None, "Sign-in was cancelled.")

    def wait(self, timeout: float | None = None, *, open_browser: Callable[[str], object] | None = None) -> CodexAuth:
        """Serve the callback until it arrives (or `timeout`), then stop the server.

        Raises:
            LoginError: The sign-in failed, was cancelled or timed out.
        """
        thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
        thread.start()
        try:
            if open_browser is not None:
                open_browser(self.authorize_url)
            if not self._done.wait(timeout):
                raise LoginError("Timed out waiting for the browser sign-in.")
        finally:
            # Let the browser fetch the success page before the server goes away.
            time.sleep(0.05 if self.result is not None else 0)
            self._server.shutdown()
            self._server.server_close()
        if self.result is None:
            raise LoginError(self.error or "Sign-in failed.")
        return self.result


def _handler(login: BrowserLogin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the query holds the authorization code: never log it

        def _send(self, status: int, body: str, location: str | None = None) -> None:
            data = body.encode("utf-8")
            self.send_response(status)
            if location:
                self.send_header("Location", location)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            if url.path == "/auth/callback":
                status, body = login.handle_callback(parse_qs(url.query))
                if status == 302:
                    self._send(302, "", location=body)
                else:
                    self._send(status, f"<!doctype html><p>{body}</p>")
            elif url.path == "/success":
                self._send(200, _SUCCESS_PAGE)
            elif url.path == "/cancel":
                login.cancel()
                self._send(200, "<!doctype html><p>Sign-in cancelled.</p>")
            else:
                self._send(404, "<!doctype html><p>Not found.</p>")

    return Handler


def device_code_login(
    manager: AuthManager,
    *,
    show: Callable[[str], None],
    timeout: float = DEVICE_CODE_TIMEOUT,
    forced_workspace_id: str | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> CodexAuth:
    """Sign in on a machine without a browser: show a code, poll until the user has entered it.

    Raises:
        LoginError: The issuer does not offer device codes, refused, or the code expired.
    """
    status, payload = manager.post_json(
        f"{manager.issuer}/api/accounts/deviceauth/usercode", {"client_id": manager.client_id}
    )
    if status == 404:
        raise LoginError("Device code sign-in is not enabled for this issuer; run `codex login` without --device-auth.")
    grant = payload if status == 200 and isinstance(payload, dict) else {}
    device_id, user_code = grant.get("device_auth_id"), grant.get("user_code") or grant.get("usercode")
    if not isinstance(device_id, str) or not isinstance(user_code, str):
        raise LoginError(f"The sign-in service did not issue a device code (HTTP {status}).")
    interval = grant.get("interval")
    interval = float(interval) if isinstance(interval, int | float) and 0 < interval <= 60 else 5.0
    show(
        "To sign in with ChatGPT from this machine:\n\n"
        f"1. Open {manager.issuer}/codex/device in a browser on any device and sign in.\n"
        f"2. Enter this one-time code (it expires in {int(timeout // 60)} minutes): {user_code}\n"
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sleep(interval)
        status, answer = manager.post_json(
            f"{manager.issuer}/api/accounts/deviceauth/token", {"device_auth_id": device_id, "user_code": user_code}
        )
        if status in (403, 404):
            continue  # not entered yet
        done = answer if status == 200 and isinstance(answer, dict) else {}
        code, verifier = done.get("authorization_code"), done.get("code_verifier")
        if not isinstance(code, str) or not isinstance(verifier, str):
            raise LoginError(f"Device code sign-in failed (HTTP {status}).")
        tokens = exchange_code(manager, code, f"{manager.issuer}/deviceauth/callback", verifier)
        return finish_login(manager, tokens, forced_workspace_id=forced_workspace_id)
    raise LoginError("The device code expired before it was entered; run `codex login --device-auth` again.")

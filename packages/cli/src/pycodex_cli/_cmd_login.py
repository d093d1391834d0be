"""`codex login [--with-api-key|--with-access-token|--device-auth] [status]` and `codex logout`.

Every message goes to stderr, with Codex 0.169's texts and exit statuses; stdout stays empty.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from pycodex_cli import _common

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_login import AuthManager

__all__ = ["login", "login_parser", "logout", "logout_parser"]


def _say(line: str) -> None:
    sys.stderr.write(line + "\n")
    sys.stderr.flush()


def login_parser() -> argparse.ArgumentParser:
    """`codex login` and its flags."""
    parser = _common.parser("codex login", "Manage login")
    parser.add_argument("--with-api-key", action="store_true", help="Read the API key from stdin")
    parser.add_argument("--with-access-token", action="store_true", help="Read the access token from stdin")
    parser.add_argument("--device-auth", action="store_true", help="Sign in with a one-time code")
    parser.add_argument("--api-key", help=argparse.SUPPRESS)  # deprecated in Codex: refused with a hint
    parser.add_argument("--experimental_issuer", "--experimental-issuer", dest="issuer", help=argparse.SUPPRESS)
    parser.add_argument(
        "--experimental_client-id", "--experimental-client-id", dest="client_id", help=argparse.SUPPRESS
    )
    parser.add_argument("--no-browser", action="store_true", help="Print the sign-in URL instead of opening it")
    sub = parser.add_subparsers(dest="action")
    status = sub.add_parser("status", help="Show login status")
    _common.add_common(status, 1)
    return parser


def _manager(config: Config, ns: argparse.Namespace, **extra: Any) -> AuthManager:
    from pycodex_login import CLIENT_ID, DEFAULT_ISSUER, AuthManager

    store = config.raw.get("cli_auth_credentials_store")
    return AuthManager(
        config.codex_home,
        store_mode=store if isinstance(store, str) else None,
        issuer=getattr(ns, "issuer", None) or DEFAULT_ISSUER,
        client_id=getattr(ns, "client_id", None) or CLIENT_ID,
        on_warning=lambda message: _say(f"warning: {message}"),
        **extra,
    )


def _read_stdin_secret() -> str:
    data = sys.stdin.read(1024 * 1024) if sys.stdin is not None else ""
    return data.strip()


def login(argv: list[str]) -> int:
    """`codex login`."""
    from pycodex_login import LoginError

    ns = login_parser().parse_args(argv)
    try:
        config = _common.load(ns)
        manager = _manager(config, ns)
        if ns.action == "status":
            lines, code = manager.status_lines()
            for line in lines:
                _say(line)
            return code
        if ns.api_key is not None:
            _say("The --api-key flag is no longer supported. Pipe the key instead, e.g.:")
            _say("  printenv OPENAI_API_KEY | codex login --with-api-key")
            return 1
        if ns.with_api_key:
            return _with_api_key(manager)
        if ns.with_access_token:
            return _with_access_token(manager)
        return _chatgpt(manager, config, device=ns.device_auth, open_browser=not ns.no_browser)
    except LoginError as exc:
        _say(f"Error logging in: {exc}")
        return 1
    except KeyboardInterrupt:
        _say("Login cancelled.")
        return 1
    except Exception as exc:  # config errors and the like: one line, never a traceback
        _say(f"Error: {exc}")
        return 1


def _with_api_key(manager: AuthManager) -> int:
    from pycodex_login import LoginError

    _say("Reading API key from stdin...")
    key = _read_stdin_secret()
    if not key:
        _say("No API key provided via stdin.")
        return 1
    try:
        manager.login_with_api_key(key)
    except LoginError as exc:
        _say(f"Error logging in: {exc}")
        return 1
    _say("API key saved. Authentication is checked when you send a request.")
    return 0


def _with_access_token(manager: AuthManager) -> int:
    from pycodex_login import CodexAuth, JwtError, TokenData, jwt_claims

    _say("Reading access token from stdin...")
    token = _read_stdin_secret()
    if not token:
        _say("No access token provided via stdin.")
        return 1
    try:
        jwt_claims(token)
    except JwtError as exc:
        _say(f"Error logging in with access token: {exc}")
        return 1
    manager.save(CodexAuth("chatgpt", None, TokenData(token, token, "", None)))
    _say("Successfully logged in")
    return 0


def _chatgpt(manager: AuthManager, config: Config, *, device: bool, open_browser: bool) -> int:
    from pycodex_login import BrowserLogin, device_code_login

    workspace = config.raw.get("forced_chatgpt_workspace_id")
    workspace = workspace if isinstance(workspace, str) and workspace else None
    if config.raw.get("forced_login_method") == "api":
        _say('Error logging in: ChatGPT sign-in is disabled by forced_login_method = "api"; use --with-api-key.')
        return 1
    if device:
        device_code_login(manager, show=_say, forced_workspace_id=workspace)
        _say("Successfully logged in")
        return 0
    flow = BrowserLogin(manager, forced_workspace_id=workspace)
    _say(f"Starting local login server on http://localhost:{flow.port}.")
    _say(f"If your browser did not open, navigate to this URL to authenticate:\n\n{flow.authorize_url}\n")
    _say("On a remote or headless machine? Use `codex login --device-auth` instead.")

    def launch(url: str) -> None:
        if open_browser:
            import webbrowser

            webbrowser.open(url)

    flow.wait(15 * 60, open_browser=launch)
    _say("Successfully logged in")
    return 0


def logout_parser() -> argparse.ArgumentParser:
    """`codex logout` and its flags."""
    return _common.parser("codex logout", "Remove stored authentication credentials")


def logout(argv: list[str]) -> int:
    """`codex logout`."""
    from pycodex_login import LoginError

    ns = logout_parser().parse_args(argv)
    try:
        manager = _manager(_common.load(ns), ns)
        removed = manager.logout()
    except LoginError as exc:
        _say(f"Error logging out: {exc}")
        return 1
    except Exception as exc:
        _say(f"Error: {exc}")
        return 1
    _say("Successfully logged out" if removed else "Not logged in")
    return 0

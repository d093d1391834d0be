"""Signing in to OpenAI for pycodex, with credentials Codex 0.169 can read and the other way round.

`AuthManager` loads, stores (through `pycodex-keyring-store`), refreshes and removes the credentials
of one `CODEX_HOME`; `BrowserLogin` and `device_code_login` run the ChatGPT sign-in against an
issuer (OpenAI's by default, any base URL in tests).
"""

from pycodex_login._auth import (
    CLIENT_ID,
    DEFAULT_ISSUER,
    REFRESH_INTERVAL,
    AuthManager,
    CodexAuth,
    LoginError,
    TokenData,
    mask_api_key,
)
from pycodex_login._jwt import IdTokenInfo, JwtError, jwt_claims, parse_id_token
from pycodex_login._oauth import DEFAULT_CALLBACK_PORT, BrowserLogin, Pkce, device_code_login

__all__ = [
    "AuthManager",
    "BrowserLogin",
    "CLIENT_ID",
    "CodexAuth",
    "DEFAULT_CALLBACK_PORT",
    "DEFAULT_ISSUER",
    "IdTokenInfo",
    "JwtError",
    "LoginError",
    "Pkce",
    "REFRESH_INTERVAL",
    "TokenData",
    "device_code_login",
    "jwt_claims",
    "mask_api_key",
    "parse_id_token",
]

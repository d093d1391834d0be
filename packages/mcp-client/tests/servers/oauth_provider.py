"""An OAuth authorization server for the loopback test server: every authorization request is granted."""

from __future__ import annotations

import secrets
import time
from typing import Any

from mcp.server.auth.provider import (
    AccessToken,
    AuthorizationCode,
    AuthorizationParams,
    RefreshToken,
    construct_redirect_uri,
)
from mcp.shared.auth import OAuthClientInformationFull, OAuthToken


class _LoopbackClient(OAuthClientInformationFull):
    """A client named by its metadata-document URL: any loopback callback is accepted (RFC 8252)."""

    def validate_redirect_uri(self, redirect_uri: Any) -> Any:
        if redirect_uri is None or redirect_uri.host not in ("127.0.0.1", "localhost"):
            return super().validate_redirect_uri(redirect_uri)
        return redirect_uri


class GrantingProvider:
    """In-memory clients, codes and tokens; `authorize` approves at once (no login page).

    With `cimd_prefix`, a client id that is a URL under it is known without registration, as an
    authorization server that fetched its metadata document would know it.
    """

    def __init__(self, cimd_prefix: str | None = None) -> None:
        self.clients: dict[str, OAuthClientInformationFull] = {}
        self.cimd_prefix = cimd_prefix

        self.codes: dict[str, AuthorizationCode] = {}
        self.tokens: dict[str, AccessToken] = {}
        self.refresh: dict[str, RefreshToken] = {}

    async def get_client(self, client_id: str) -> OAuthClientInformationFull | None:
        if self.cimd_prefix and client_id.startswith(self.cimd_prefix) and client_id.endswith("/client.json"):
            return _LoopbackClient(client_id=client_id, redirect_uris=None, token_endpoint_auth_method="none")
        return self.clients.get(client_id)

    async def register_client(self, client_info: OAuthClientInformationFull) -> None:
        assert client_info.client_id is not None
        self.clients[client_info.client_id] = client_info

    async def authorize(self, client: OAuthClientInformationFull, params: AuthorizationParams) -> str:
        code = secrets.token_urlsafe(24)
        assert client.client_id is not None
        self.codes[code] = AuthorizationCode(
            code=code,
            scopes=params.scopes or [],
            expires_at=time.time() + 300,
            client_id=client.client_id,
            code_challenge=params.code_challenge,
            redirect_uri=params.redirect_uri,
            redirect_uri_provided_explicitly=params.redirect_uri_provided_explicitly,
            resource=params.resource,
        )
        return construct_redirect_uri(str(params.redirect_uri), code=code, state=params.state)

    async def load_authorization_code(self, client: OAuthClientInformationFull, authorization_code: str) -> Any:
        return self.codes.get(authorization_code)

    async def exchange_authorization_code(self, client: OAuthClientInformationFull, authorization_code: Any) -> Any:
        self.codes.pop(authorization_code.code, None)
        return self._issue(authorization_code.client_id, authorization_code.scopes)

    def _issue(self, client_id: str, scopes: list[str]) -> OAuthToken:
        access, refresh = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        self.tokens[access] = AccessToken(
            token=access, client_id=client_id, scopes=scopes, expires_at=int(time.time()) + 3600
        )
        self.refresh[refresh] = RefreshToken(token=refresh, client_id=client_id, scopes=scopes)
        return OAuthToken(access_token=access, token_type="Bearer", expires_in=3600, refresh_token=refresh)

    async def load_refresh_token(self, client: OAuthClientInformationFull, refresh_token: str) -> Any:
        return self.refresh.get(refresh_token)

    async def exchange_refresh_token(
        self, client: OAuthClientInformationFull, refresh_token: Any, scopes: list[str]
    ) -> Any:
        self.refresh.pop(refresh_token.token, None)
        return self._issue(refresh_token.client_id, scopes or refresh_token.scopes)

    async def load_access_token(self, token: str) -> Any:
        return self.tokens.get(token)

    async def revoke_token(self, token: Any) -> None:
        self.tokens.pop(getattr(token, "token", ""), None)

    async def exchange_identity_assertion(self, client: OAuthClientInformationFull, params: Any) -> Any:
        raise NotImplementedError("identity assertions are not used by these tests")

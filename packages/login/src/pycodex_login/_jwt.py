"""Read the claims of a JWT without verifying it (the issuer verified it; we only display them)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass
from typing import Any

__all__ = [
    "IdTokenInfo",
    "JwtError",
    "jwt_claims",
    "parse_id_token",
]

_AUTH_CLAIM = "https://api.openai.com/auth"
_PROFILE_CLAIM = "https://api.openai.com/profile"
_MAX_TOKEN_CHARS = 64 * 1024


class JwtError(ValueError):
    """A token that is not a JWT with a JSON object as its payload."""


def jwt_claims(token: str) -> dict[str, Any]:
    """The payload of `header.payload.signature` as a dict.

    Raises:
        JwtError: `token` is not three base64url parts with a JSON object in the middle.
    """
    if not isinstance(token, str) or len(token) > _MAX_TOKEN_CHARS:
        raise JwtError("invalid JWT format")
    parts = token.split(".")
    if len(parts) != 3 or not all(parts[:2]):
        raise JwtError("invalid JWT format")
    try:
        raw = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(raw)
    except (ValueError, RecursionError):
        raise JwtError("invalid JWT payload") from None
    if not isinstance(claims, dict):
        raise JwtError("invalid JWT payload")
    return claims


@dataclass(frozen=True, slots=True)
class IdTokenInfo:
    """What Codex reads from a ChatGPT id token."""

    email: str | None = None
    chatgpt_plan_type: str | None = None
    chatgpt_user_id: str | None = None
    chatgpt_account_id: str | None = None
    expires_at: int | None = None
    """`exp`, seconds since the epoch."""


def _str(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def parse_id_token(token: str) -> IdTokenInfo:
    """The email, plan and account of a ChatGPT id token.

    Raises:
        JwtError: The token cannot be read.
    """
    claims = jwt_claims(token)
    auth = claims.get(_AUTH_CLAIM)
    auth = auth if isinstance(auth, dict) else {}
    profile = claims.get(_PROFILE_CLAIM)
    profile = profile if isinstance(profile, dict) else {}
    exp = claims.get("exp")
    return IdTokenInfo(
        email=_str(claims.get("email")) or _str(profile.get("email")),
        chatgpt_plan_type=_str(auth.get("chatgpt_plan_type")),
        chatgpt_user_id=_str(auth.get("chatgpt_user_id")) or _str(auth.get("user_id")),
        chatgpt_account_id=_str(auth.get("chatgpt_account_id")),
        expires_at=exp if isinstance(exp, int) and not isinstance(exp, bool) else None,
    )

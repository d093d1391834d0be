"""Stored credentials through an `AuthSource`: used for OpenAI-auth providers, renewed once after a 401."""

from __future__ import annotations

from typing import Any

import pytest

from pycodex_model_client import ModelClient, Unauthorized
from pycodex_test_support import ScriptedServer, http_error, sse_turn, text_message_events

pytestmark = pytest.mark.anyio


async def collect(c: ModelClient) -> list[Any]:
    stream = c.stream({"model": "gpt-5.5", "input": [], "stream": True})
    try:
        return [event async for event in stream]
    finally:
        await stream.aclose()


def make_provider(**kwargs: Any) -> Any:
    from pycodex_config import ModelProviderInfo

    return ModelProviderInfo(name="mock", **kwargs)


class Tokens:
    """Hands out `old` until a 401 renews it to `new` (as a ChatGPT refresh does)."""

    def __init__(self, *, renewable: bool = True) -> None:
        self.token = "old-token"
        self.renewable = renewable
        self.renewals = 0

    def bearer_token(self) -> str | None:
        return self.token

    def handle_unauthorized(self) -> bool:
        self.renewals += 1
        if self.renewable:
            self.token = "new-token"
        return self.renewable


def client(server: ScriptedServer, auth: Tokens, monkeypatch: pytest.MonkeyPatch) -> ModelClient:
    for var in ("OPENAI_API_KEY", "CODEX_API_KEY"):
        monkeypatch.delenv(var, raising=False)
    provider = make_provider(base_url=server.base_url, requires_openai_auth=True)
    return ModelClient(provider, thread_id="t", backoff_base_s=0.005, auth=auth)


async def test_a_401_renews_the_token_and_retries_once(server: ScriptedServer, monkeypatch: Any) -> None:
    server.add(http_error(401, "token expired"), sse_turn(text_message_events("hi")))
    auth = Tokens()
    async with client(server, auth, monkeypatch) as c:
        events = await collect(c)
    assert events
    assert [r.headers["authorization"] for r in server.requests] == ["Bearer old-token", "Bearer new-token"]
    assert auth.renewals == 1


async def test_credentials_that_cannot_be_renewed_give_the_401(server: ScriptedServer, monkeypatch: Any) -> None:
    server.add(http_error(401, "bad key"), http_error(401, "bad key"))
    auth = Tokens(renewable=False)
    async with client(server, auth, monkeypatch) as c:
        with pytest.raises(Unauthorized):
            await collect(c)
    assert len(server.requests) == 1 and auth.renewals == 1


async def test_environment_keys_still_come_first(server: ScriptedServer, monkeypatch: Any) -> None:
    server.add(sse_turn(text_message_events("hi")))
    auth = Tokens()
    c = client(server, auth, monkeypatch)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env-key")
    async with c:
        await collect(c)
    assert server.requests[0].headers["authorization"] == "Bearer sk-env-key"

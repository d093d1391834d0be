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


class ChatGptLogin(Tokens):
    """A ChatGPT login: `chatgpt_account` names the account (an API-key login answers `None`)."""

    def __init__(self, account: str | None) -> None:
        super().__init__()
        self.account = account

    def chatgpt_account(self) -> str | None:
        return self.account


async def test_a_chatgpt_login_sends_its_account_header(server: ScriptedServer, monkeypatch: Any) -> None:
    server.add(sse_turn(text_message_events("hi")), sse_turn(text_message_events("hi")))
    async with client(server, ChatGptLogin("acct-123"), monkeypatch) as c:
        await collect(c)
    async with client(server, ChatGptLogin(None), monkeypatch) as c:
        await collect(c)
    assert server.requests[0].headers.get("chatgpt-account-id") == "acct-123"
    assert "chatgpt-account-id" not in server.requests[1].headers


async def test_a_chatgpt_login_goes_to_the_chatgpt_backend_unless_a_base_url_is_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import httpx

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(f"{request.url}|{request.headers.get('chatgpt-account-id')}")
        return httpx.Response(401, text="stop here")

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("CODEX_API_KEY", raising=False)
    for auth in (ChatGptLogin("acct-9"), Tokens()):
        auth.renewable = False
        provider = make_provider(requires_openai_auth=True)  # the built-in `openai`: no base URL of its own
        async with ModelClient(provider, thread_id="t", auth=auth, transport=httpx.MockTransport(handler)) as c:
            with pytest.raises(Unauthorized):
                await collect(c)
    assert seen == [
        "https://chatgpt.com/backend-api/codex/responses|acct-9",
        "https://api.openai.com/v1/responses|None",
    ]
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")  # an API key in the environment wins: the API endpoint
    async with ModelClient(
        make_provider(requires_openai_auth=True),
        thread_id="t",
        auth=ChatGptLogin("a"),
        transport=httpx.MockTransport(handler),
    ) as c:
        with pytest.raises(Unauthorized):
            await collect(c)
    assert seen[-1] == "https://api.openai.com/v1/responses|None"

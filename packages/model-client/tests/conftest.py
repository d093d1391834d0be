from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest

from pycodex_model_client import ModelClient
from pycodex_test_support import ScriptedServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@dataclasses.dataclass(frozen=True)
class FakeProvider:
    """Stand-in with the contract field names of `pycodex_config.ModelProviderInfo`."""

    name: str = "mock"
    base_url: str | None = None
    env_key: str | None = None
    env_key_instructions: str | None = None
    experimental_bearer_token: str | None = None
    wire_api: str = "responses"
    query_params: dict[str, str] | None = None
    http_headers: dict[str, str] | None = None
    env_http_headers: dict[str, str] | None = None
    request_max_retries: int = 4
    stream_max_retries: int = 5
    stream_idle_timeout_ms: int = 300_000
    requires_openai_auth: bool = False


def make_provider(**kwargs: Any) -> Any:
    try:
        from pycodex_config import ModelProviderInfo
    except ImportError:
        return FakeProvider(**kwargs)
    fields = {f.name for f in dataclasses.fields(ModelProviderInfo)}
    if not set(kwargs) <= fields:
        return FakeProvider(**kwargs)
    defaults: dict[str, Any] = {"name": "mock"}
    return ModelProviderInfo(**{**defaults, **kwargs})


@pytest.fixture
def server() -> Iterator[ScriptedServer]:
    with ScriptedServer() as s:
        yield s


def client_for(server: ScriptedServer, **kwargs: Any) -> ModelClient:
    provider_kwargs = {"base_url": server.base_url, **kwargs}
    return ModelClient(make_provider(**provider_kwargs), thread_id="thread-1", backoff_base_s=0.005)


async def collect(client: ModelClient, request: dict[str, Any] | None = None) -> list[Any]:
    body = request or {"model": "gpt-5.5", "input": [], "stream": True}
    out: list[Any] = []
    stream = client.stream(body)
    try:
        async for event in stream:
            out.append(event)
    finally:
        await stream.aclose()
    return out


class Harness:
    """A server plus helpers to build clients against it."""

    def __init__(self, server: ScriptedServer) -> None:
        self.server = server
        self.provider = make_provider
        self.collect = collect

    def client(self, **provider_kwargs: Any) -> ModelClient:
        return client_for(self.server, **provider_kwargs)

    async def run(self, request: dict[str, Any] | None = None, **provider_kwargs: Any) -> list[Any]:
        async with self.client(**provider_kwargs) as c:
            return await collect(c, request)


@pytest.fixture
def h(server: ScriptedServer) -> Harness:
    return Harness(server)

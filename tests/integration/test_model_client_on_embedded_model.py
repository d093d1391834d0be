"""The model client against a real model: the embedded llama.cpp server with SmolLM2, both wire APIs."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

import anyio
import pytest

from pycodex_config import ModelProviderInfo
from pycodex_local_models import LocalServer, start_llamacpp
from pycodex_model_client import Completed, ModelClient, OutputItemDone, OutputTextDelta

pytestmark = [pytest.mark.slow, pytest.mark.timeout(400)]


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    local = start_llamacpp(startup_timeout=120)
    try:
        yield local
    finally:
        local.close()


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
@pytest.mark.parametrize("wire_api", ["responses", "chat"])
async def test_streamed_text_turn(server: LocalServer, wire_api: Literal["responses", "chat"]) -> None:
    provider = ModelProviderInfo(name="llamacpp", base_url=server.base_url, wire_api=wire_api)
    client = ModelClient(provider, thread_id="00000000-0000-7000-8000-000000000000")
    request = {
        "model": server.model,
        "stream": True,
        "input": [
            {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Answer briefly."}]},
            {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hello."}]},
        ],
        "tools": [],
        "tool_choice": "auto",
        "parallel_tool_calls": False,
        "store": False,
        "max_output_tokens": 24,
        "temperature": 0,
    }
    deltas: list[str] = []
    done: list[dict[str, object]] = []
    completed: list[Completed] = []
    try:
        with anyio.fail_after(300):
            async for event in client.stream(request):
                if isinstance(event, OutputTextDelta):
                    deltas.append(event.delta)
                elif isinstance(event, OutputItemDone):
                    done.append(event.item)
                elif isinstance(event, Completed):
                    completed.append(event)
    finally:
        await client.aclose()
    assert len(deltas) > 1, "the answer arrived as a stream of deltas"
    messages = [item for item in done if item.get("type") == "message"]
    assert len(messages) == 1
    text = "".join(str(part.get("text", "")) for part in messages[0]["content"])  # type: ignore[union-attr]
    assert text.strip() and text == "".join(deltas)
    assert len(completed) == 1
    usage = completed[0].usage
    assert usage is not None and usage["input_tokens"] > 0 and usage["output_tokens"] > 0

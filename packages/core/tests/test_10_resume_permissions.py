"""A resumed thread under another sandbox mode tells the model its new permissions, as Codex does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


def _permission_blocks(request: dict[str, Any]) -> list[str]:
    return [
        part["text"]
        for item in request["input"]
        if item.get("type") == "message" and item.get("role") == "developer"
        for part in item["content"]
        if part["text"].startswith("<permissions instructions>")
    ]


async def _first_thread(make_config: ConfigFactory) -> Any:
    transport = ScriptedTransport([response(assistant_message("first"))])
    async with Codex.start(make_config(sandbox="read-only"), transport=transport) as codex:
        await collect_turn(codex, "q1")
        return codex.rollout_path


async def test_resume_under_another_sandbox_appends_a_permissions_block(make_config: ConfigFactory) -> None:
    with anyio.fail_after(20):
        path = await _first_thread(make_config)
        transport = ScriptedTransport([response(assistant_message("second"))])
        async with Codex.start(make_config(sandbox="workspace-write"), transport=transport, resume_from=path) as codex:
            await collect_turn(codex, "q2")
    blocks = _permission_blocks(transport.requests[0])
    assert len(blocks) == 2
    assert "`read-only`" in blocks[0] and "`workspace-write`" in blocks[1]
    items = transport.requests[0]["input"]
    last_user = max(i for i, item in enumerate(items) if item.get("role") == "user")
    assert items[last_user - 1]["role"] == "developer"  # the new block comes right before the new prompt


async def test_resume_under_the_same_sandbox_adds_nothing(make_config: ConfigFactory) -> None:
    with anyio.fail_after(20):
        path = await _first_thread(make_config)
        transport = ScriptedTransport([response(assistant_message("second"))])
        async with Codex.start(make_config(sandbox="read-only"), transport=transport, resume_from=path) as codex:
            await collect_turn(codex, "q2")
    assert len(_permission_blocks(transport.requests[0])) == 1


async def test_override_between_turns_appends_a_block(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message("one")), response(assistant_message("two"))])
    with anyio.fail_after(20):
        async with Codex.start(make_config(sandbox="read-only"), transport=transport) as codex:
            await collect_turn(codex, "q1")
            await codex.submit({"type": "override_turn_context", "approval_policy": "on-request"})
            await collect_turn(codex, "q2")
    assert len(_permission_blocks(transport.requests[0])) == 1
    blocks = _permission_blocks(transport.requests[1])
    assert len(blocks) == 2 and "on-request" in blocks[1]

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response
from pycodex_model_client import ContextWindowExceeded

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


async def test_manual_compact_replaces_history(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo big"})),
            response(assistant_message("answer one")),
            response(assistant_message("the summary")),
            response(assistant_message("after compact")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await collect_turn(codex, "question one")
        msgs = await collect_turn(codex, {"type": "compact"})
        assert any(m["type"] == "context_compacted" for m in msgs)
        await collect_turn(codex, "question two")
        path = codex.rollout_path
    assert path is not None
    after = transport.requests[3]["input"]
    text = json.dumps(after)
    assert "the summary" in text and "question one" in text
    assert "function_call" not in text and "answer one" not in text
    assert after[0]["role"] == "developer"
    compacted = [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if '"type":"compacted"' in line
    ]
    assert len(compacted) == 1
    assert compacted[0]["payload"]["message"].endswith("the summary")
    assert compacted[0]["payload"]["replacement_history"][-1]["content"][0]["text"].endswith("the summary")


async def test_compaction_overflow_drops_oldest_until_it_fits(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo 1"}, call_id="a")),
            response(assistant_message("one")),
            ContextWindowExceeded(),
            ContextWindowExceeded(),
            response(assistant_message("short summary")),
            response(assistant_message("fine")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await collect_turn(codex, "q1")
        msgs = await collect_turn(codex, {"type": "compact"})
        assert not any(m["type"] == "error" for m in msgs)
        await collect_turn(codex, "q2")
    sizes = [len(r["input"]) for r in transport.requests[2:5]]
    assert sizes[0] > sizes[1] > sizes[2]
    # No orphaned tool output was sent after its call was dropped.
    for request in transport.requests[2:5]:
        calls = {i["call_id"] for i in request["input"] if i["type"] == "function_call"}
        outputs = {i["call_id"] for i in request["input"] if i["type"] == "function_call_output"}
        assert outputs <= calls


async def test_context_window_exceeded_mid_turn_compacts_and_continues(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            ContextWindowExceeded(),
            response(assistant_message("summary")),
            response(assistant_message("recovered")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        msgs = await collect_turn(codex, "hi")
    assert msgs[-1]["last_agent_message"] == "recovered"
    assert any(m["type"] == "context_compacted" for m in msgs)

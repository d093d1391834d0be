"""Which prompt profile a model gets."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core._profiles import DEFAULT_PROFILE, SMALL_LOCAL_INSTRUCTIONS, SMALL_LOCAL_PROFILE, select_prompt_profile
from pycodex_core._repetition import REPETITION_NOTE
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, response, usage
from pycodex_model_client import Created, OutputItemAdded, OutputTextDelta


def test_hosted_models_always_get_the_full_prompt() -> None:
    assert select_prompt_profile(local=False, parameters=135_000_000, context_window=8192) is DEFAULT_PROFILE


@pytest.mark.parametrize(
    ("parameters", "context", "name", "tools"),
    [
        (134_515_008, 8192, "small-local", frozenset[str]()),
        (1_500_000_000, 32768, "small-local", frozenset({"shell_command"})),
        (None, 8192, "small-local", frozenset({"shell_command"})),
        (7_000_000_000, 8192, "default", None),
        (None, 131072, "default", None),
        (None, None, "default", None),
    ],
)
def test_local_models_by_size(parameters: int | None, context: int | None, name: str, tools: object) -> None:
    profile = select_prompt_profile(local=True, parameters=parameters, context_window=context)
    assert (profile.name, profile.tools) == (name, tools)
    assert profile.guard_repetition == (name == "small-local")
    assert (profile.base_instructions is None) == (name == "default")


def test_describe_says_what_is_sent() -> None:
    tiny = select_prompt_profile(local=True, parameters=1, context_window=None)
    assert tiny.describe() == "prompt profile: small-local (short instructions, no tools)"
    assert SMALL_LOCAL_PROFILE.describe() == "prompt profile: small-local (short instructions, tools: shell_command)"
    assert DEFAULT_PROFILE.describe() == "prompt profile: default (full instructions, all tools)"


# Through the real session: what the model is sent, and a looping answer stopped with a note.


def looping_turn(prefix: str, unit: str, count: int) -> list[Any]:
    item = {"type": "message", "role": "assistant", "id": "msg_loop", "content": []}
    return [Created("resp_1"), OutputItemAdded(item), OutputTextDelta(prefix), *[OutputTextDelta(unit)] * count]


@pytest.mark.anyio
async def test_small_profile_sends_short_instructions_and_no_tools(make_config: Callable[..., Config]) -> None:
    transport = ScriptedTransport([response(assistant_message("Hello!"))])
    tiny = select_prompt_profile(local=True, parameters=135_000_000, context_window=8192)
    async with Codex.start(make_config(), transport=transport, prompt_profile=tiny) as codex:
        await collect_turn(codex, "Say hello.")
    [request] = transport.requests
    assert request["tools"] == []
    assert request["input"][0]["content"][0]["text"] == SMALL_LOCAL_INSTRUCTIONS
    texts = json.dumps(request["input"])
    assert "sandbox" not in texts.split("<environment_context>")[0].lower()  # no permissions text
    full = ScriptedTransport([response(assistant_message("Hello!"))])
    async with Codex.start(make_config(), transport=full) as codex:
        await collect_turn(codex, "Say hello.")
    assert len(json.dumps(full.requests[0])) > 4 * len(json.dumps(request))


@pytest.mark.anyio
async def test_one_shell_tool_for_a_small_model(make_config: Callable[..., Config]) -> None:
    transport = ScriptedTransport([response(assistant_message("ok"))])
    async with Codex.start(make_config(), transport=transport, prompt_profile=SMALL_LOCAL_PROFILE) as codex:
        await collect_turn(codex, "list files")
    assert [tool["name"] for tool in transport.requests[0]["tools"]] == ["shell_command"]


@pytest.mark.anyio
async def test_a_degenerate_stream_ends_the_turn_with_the_note(make_config: Callable[..., Config]) -> None:
    transport = ScriptedTransport([looping_turn("Hello new user! ", "🎉", 20_000)])
    async with Codex.start(make_config(), transport=transport, prompt_profile=SMALL_LOCAL_PROFILE) as codex:
        msgs = await collect_turn(codex, "Say hello.")
    warnings = [m["message"] for m in msgs if m["type"] == "warning"]
    assert REPETITION_NOTE in warnings
    final = [m for m in msgs if m["type"] == "agent_message"]
    assert final[-1]["message"] == "Hello new user! 🎉"
    assert msgs[-1]["type"] == "task_complete" and msgs[-1]["last_agent_message"] == "Hello new user! 🎉"


@pytest.mark.anyio
async def test_an_answer_at_the_output_limit_is_noted(make_config: Callable[..., Config]) -> None:
    import dataclasses

    profile = dataclasses.replace(SMALL_LOCAL_PROFILE, max_output_tokens=256)
    cut = [Created("r"), OutputItemAdded({"type": "message", "role": "assistant", "id": "m", "content": []})]
    cut += response(assistant_message("A long answer that"), usage_=usage(9, 256))[1:]
    transport = ScriptedTransport([cut])
    async with Codex.start(make_config(), transport=transport, prompt_profile=profile) as codex:
        msgs = await collect_turn(codex, "Explain.")
    assert any("output limit of 256 tokens" in m.get("message", "") for m in msgs if m["type"] == "warning")

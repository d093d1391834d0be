"""`thread_rollback`: the last user turns leave the context, the rollout keeps the marker, resume honours it."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex, read_rollout
from pycodex_core._history import drop_last_user_turns, is_user_turn_boundary
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response
from pycodex_test_support import ScriptedServer, ev_completed, ev_message, ev_response_created, sse_turn

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
MockProvider = Callable[[str], tuple[str, ...]]


def _said(body: dict[str, Any]) -> list[str]:
    """What the user typed, as the model sees it (injected context left out)."""
    return [item["content"][0]["text"] for item in body["input"] if is_user_turn_boundary(item)]


def _answer(text: str, n: int) -> Any:
    return sse_turn([ev_response_created(f"r{n}"), ev_message(f"m{n}", text), ev_completed(f"r{n}")])


async def _next(codex: Codex) -> dict[str, Any]:
    with anyio.fail_after(10):
        return dict((await codex.next_event())["msg"])


async def test_rollback_drops_turns_and_resume_rebuilds_the_rolled_back_history(
    make_config: ConfigFactory, mock_provider: MockProvider
) -> None:
    server = ScriptedServer([_answer("one", 1), _answer("answer-two", 2), _answer("three", 3), _answer("four", 4)])
    with server:
        config = make_config(overrides=mock_provider(server.base_url))
        async with Codex.start(config, originator="codex_cli_rs") as codex:
            await codex.next_event()
            await collect_turn(codex, "first")
            await collect_turn(codex, "second")
            await codex.submit({"type": "thread_rollback", "num_turns": 1})
            rolled = await _next(codex)
            await collect_turn(codex, "second, edited")
            path = codex.rollout_path
        assert rolled == {"type": "thread_rolled_back", "num_turns": 1}
        assert path is not None
        async with Codex.start(config, originator="codex_cli_rs", resume_from=path) as codex:
            configured = await _next(codex)
            await collect_turn(codex, "after resume")
        bodies = server.bodies()
    assert _said(bodies[2]) == ["first", "second, edited"]
    assert "answer-two" not in json.dumps(bodies[2]["input"])
    assert _said(bodies[3]) == ["first", "second, edited", "after resume"]
    initial = [m["type"] for m in configured["initial_messages"]]
    assert "thread_rolled_back" in initial
    lines = [json.loads(raw) for raw in path.read_text(encoding="utf-8").splitlines()]
    assert {"type": "thread_rolled_back", "num_turns": 1} in [
        ln["payload"] for ln in lines if ln["type"] == "event_msg"
    ]
    history = read_rollout(path).history
    assert [i["content"][0]["text"] for i in history if is_user_turn_boundary(i)] == [
        "first",
        "second, edited",
        "after resume",
    ]
    assert [i["content"][0]["text"] for i in history if i.get("role") == "assistant"] == ["one", "three", "four"]


async def test_rolling_back_more_turns_than_exist_keeps_the_initial_context(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message("a")), response(assistant_message("b"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        await collect_turn(codex, "only")
        await codex.submit({"type": "thread_rollback", "num_turns": 5})
        assert await _next(codex) == {"type": "thread_rolled_back", "num_turns": 5}
        await collect_turn(codex, "fresh")
    second = transport.requests[1]["input"]
    assert _said(transport.requests[1]) == ["fresh"]
    assert any("<environment_context>" in json.dumps(item) for item in second)


async def test_rollback_is_refused_while_a_turn_runs_and_for_bad_counts(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "sleep 1"}, call_id="c1")),
            response(assistant_message("done")),
        ]
    )
    async with Codex.start(make_config(), transport=transport) as codex:
        await codex.next_event()
        for bad in (0, -1, "2", True):
            await codex.submit({"type": "thread_rollback", "num_turns": bad})  # pyright: ignore[reportArgumentType]
            error = await _next(codex)
            assert error == {
                "type": "error",
                "message": "num_turns must be >= 1",
                "codex_error_info": "thread_rollback_failed",
            }
        await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "go", "text_elements": []}]})
        busy: dict[str, Any] | None = None
        with anyio.fail_after(20):
            while True:
                msg = await _next(codex)
                if msg["type"] == "exec_command_begin":
                    await codex.submit({"type": "thread_rollback", "num_turns": 1})
                if msg["type"] == "error":
                    busy = msg
                if msg["type"] == "task_complete":
                    break
    assert busy == {
        "type": "error",
        "message": "Cannot rollback while a turn is in progress.",
        "codex_error_info": "thread_rollback_failed",
    }


def _user(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def _assistant(text: str) -> dict[str, Any]:
    return {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": text}]}


def test_drop_last_user_turns_takes_the_context_injected_before_a_dropped_turn() -> None:
    context = _user("<environment_context>\n  <cwd>/w</cwd>\n</environment_context>")
    permissions = {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "perm"}]}
    shell = _user("<user_shell_command>\n<command>\nls\n</command>\n</user_shell_command>")
    items = [context, _user("a"), _assistant("A"), shell, permissions, _user("b"), _assistant("B")]
    assert drop_last_user_turns(items, 1) == [context, _user("a"), _assistant("A")]
    assert drop_last_user_turns(items, 2) == [context]
    assert drop_last_user_turns(items, 9) == [context]
    assert drop_last_user_turns(items, 0) == items
    assert drop_last_user_turns([context, shell], 1) == [context, shell]


async def test_a_permissions_update_dropped_with_a_turn_is_stated_again(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message(t)) for t in ("a", "b", "c")])
    async with Codex.start(make_config(sandbox="read-only"), transport=transport) as codex:
        await codex.next_event()
        await collect_turn(codex, "first")
        await codex.submit({"type": "override_turn_context", "sandbox_policy": {"type": "danger-full-access"}})
        await collect_turn(codex, "second")
        await codex.submit({"type": "thread_rollback", "num_turns": 1})
        assert (await _next(codex))["type"] == "thread_rolled_back"
        await collect_turn(codex, "again")

    def permissions(body: dict[str, Any]) -> list[str]:
        return [
            item["content"][0]["text"]
            for item in body["input"]
            if item.get("role") == "developer" and "sandbox_mode" in item["content"][0]["text"]
        ]

    assert len(permissions(transport.requests[1])) == 2  # read-only, then the update to full access
    third = permissions(transport.requests[2])
    assert len(third) == 2 and "danger-full-access" in third[-1]
    assert _said(transport.requests[2]) == ["first", "again"]


async def test_after_rollback_a_resumed_thread_states_dropped_permissions_again(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(assistant_message(t)) for t in ("a", "b", "c")])
    async with Codex.start(make_config(sandbox="read-only"), transport=transport) as codex:
        await codex.next_event()
        await collect_turn(codex, "first")
        await codex.submit({"type": "override_turn_context", "sandbox_policy": {"type": "danger-full-access"}})
        await collect_turn(codex, "second")
        await codex.submit({"type": "thread_rollback", "num_turns": 1})
        assert (await _next(codex))["type"] == "thread_rolled_back"
        path = codex.rollout_path
    assert path is not None and read_rollout(path).restate_permissions
    async with Codex.start(make_config(sandbox="danger-full-access"), transport=transport, resume_from=path) as codex:
        await codex.next_event()
        await collect_turn(codex, "again")
    texts = [i["content"][0]["text"] for i in transport.requests[2]["input"] if i.get("role") == "developer"]
    stated = [t for t in texts if "sandbox_mode" in t]
    assert len(stated) == 2 and "danger-full-access" in stated[-1]

"""The event channel: bounded, deltas coalesced (never dropped) when the consumer lags; protocol validation."""

from __future__ import annotations

import base64

import anyio
import pytest

from pycodex_core import Emitter, EventChannel
from pycodex_core.testing import validated_events
from pycodex_protocol import Event, EventMsg

pytestmark = pytest.mark.anyio


def _event(msg: EventMsg, sub_id: str = "1") -> Event:
    return {"id": sub_id, "msg": msg}


async def _drain(channel: EventChannel) -> list[Event]:
    channel.close()
    out: list[Event] = []
    with anyio.fail_after(5):
        while True:
            try:
                out.append(await channel.receive())
            except anyio.EndOfStream:
                return out


async def test_deltas_pass_one_by_one_while_the_consumer_keeps_up() -> None:
    channel = EventChannel(max_events=8)
    for part in ("a", "b", "c"):
        channel.send_nowait(_event({"type": "agent_message_delta", "delta": part}))
    assert [e["msg"] for e in await _drain(channel)] == [
        {"type": "agent_message_delta", "delta": part} for part in ("a", "b", "c")
    ]


async def test_a_lagging_consumer_gets_merged_deltas_and_nothing_is_lost() -> None:
    channel = EventChannel(max_events=4)
    channel.send_nowait(_event({"type": "task_started", "turn_id": "t", "collaboration_mode_kind": "default"}))
    text = "".join(chr(ord("a") + i % 26) for i in range(10_000))
    for char in text:
        channel.send_nowait(_event({"type": "agent_message_delta", "delta": char}))
    output = b"".join(bytes([i % 256]) for i in range(3000))
    for i in range(0, len(output), 7):
        chunk = base64.b64encode(output[i : i + 7]).decode("ascii")
        channel.send_nowait(
            _event({"type": "exec_command_output_delta", "call_id": "c", "stream": "stdout", "chunk": chunk})
        )
    channel.send_nowait(_event({"type": "agent_message", "message": text}))
    assert len(channel) <= 6
    events = await _drain(channel)
    msgs = [e["msg"] for e in events]
    assert msgs[0]["type"] == "task_started" and msgs[-1] == {"type": "agent_message", "message": text}
    deltas = "".join(str(m.get("delta", "")) for m in msgs if m["type"] == "agent_message_delta")
    assert deltas == text
    chunks = b"".join(base64.b64decode(str(m.get("chunk"))) for m in msgs if m["type"] == "exec_command_output_delta")
    assert chunks == output


async def test_deltas_of_other_calls_or_submissions_are_not_merged() -> None:
    channel = EventChannel(max_events=1)
    channel.send_nowait(_event({"type": "agent_message_delta", "delta": "x"}, "1"))
    channel.send_nowait(_event({"type": "agent_message_delta", "delta": "y"}, "2"))
    channel.send_nowait(_event({"type": "agent_reasoning_delta", "delta": "z"}, "2"))
    for call_id in ("a", "b"):
        channel.send_nowait(
            _event({"type": "exec_command_output_delta", "call_id": call_id, "stream": "stdout", "chunk": "eA=="})
        )
    assert [(e["id"], e["msg"]["type"]) for e in await _drain(channel)] == [
        ("1", "agent_message_delta"),
        ("2", "agent_message_delta"),
        ("2", "agent_reasoning_delta"),
        ("1", "exec_command_output_delta"),
        ("1", "exec_command_output_delta"),
    ]


async def test_a_producer_waits_until_the_consumer_catches_up() -> None:
    channel = EventChannel(max_events=3, max_bytes=10_000)
    for i in range(3):
        channel.send_nowait(_event({"type": "warning", "message": str(i)}))
    assert channel.lagging
    waited = anyio.Event()

    async def producer() -> None:
        await channel.wait_writable()
        waited.set()

    with anyio.fail_after(5):
        async with anyio.create_task_group() as tg:
            tg.start_soon(producer)
            await anyio.sleep(0.05)
            assert not waited.is_set()
            await channel.receive()
            await waited.wait()


async def test_a_large_delta_counts_towards_the_size_bound() -> None:
    channel = EventChannel(max_events=100, max_bytes=1000)
    channel.send_nowait(_event({"type": "agent_message_delta", "delta": "x" * 2000}))
    assert channel.lagging
    await channel.receive()
    assert not channel.lagging


async def test_sending_after_the_receiver_is_gone_fails() -> None:
    channel = EventChannel()
    channel.close_receiver()
    with pytest.raises(anyio.BrokenResourceError):
        channel.send_nowait(_event({"type": "warning", "message": "late"}))


def test_validation_reports_an_event_type_the_protocol_lacks() -> None:
    emitter = Emitter(EventChannel(), None)
    with validated_events() as problems:
        emitter.emit("1", {"type": "warning", "message": "fine"})
        emitter.emit("1", {"type": "no_such_event"})  # pyright: ignore[reportArgumentType]
        emitter.emit("1", {"type": "warning", "message": 3})  # pyright: ignore[reportArgumentType]
    assert len(problems) == 2
    assert problems[0].startswith("'no_such_event'") and problems[1].startswith("'warning'")

"""The guard that stops a looping small model, and the notes it reports."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from pycodex_core._repetition import REPETITION_NOTE, GuardedTransport, RepetitionGuard, cut_note
from pycodex_model_client import Completed, Created, OutputItemAdded, OutputItemDone, OutputTextDelta


def feed_all(pieces: list[str]) -> RepetitionGuard:
    guard = RepetitionGuard()
    for piece in pieces:
        if guard.feed(piece):
            break
    return guard


@pytest.mark.parametrize(
    ("pieces", "kept"),
    [
        (["Hello there! ", *["😀"] * 50], "Hello there! 😀"),
        (["Welcome to the ", *["tutorial-"] * 40], "Welcome to the tutorial-"),
        (["Hi", *["！"] * 30], "Hi！"),
        (["a", *[" ab"] * 30], "a ab"),
        (["x", *["Hello world. "] * 20], "xHello world."),
    ],
)
def test_loops_are_stopped_and_one_copy_kept(pieces: list[str], kept: str) -> None:
    guard = feed_all(pieces)
    assert guard.loop_start is not None
    assert guard.kept_text() == kept
    assert len(guard.text) < len("".join(pieces))  # stopped early, not at the end


@pytest.mark.parametrize(
    "text",
    [
        "def f():\n" + " " * 16 + "return 1\n\n\n\n\n\n\n\n\n\n\n\n",
        "Title\n" + "=" * 40 + "\n| a | b |\n|" + "-" * 30 + "|\n",
        "aaaaaaaaaa is ten a's, which is fine.",
        "The answer is 4. The answer is 4. The answer is 4. Done.",
        "[0, 0, 0, 0, 0, 0, 0, 0]",
    ],
)
def test_ordinary_text_passes(text: str) -> None:
    guard = RepetitionGuard()
    assert not any(guard.feed(ch) for ch in text)
    assert guard.kept_text() == text


def test_the_eleventh_copy_of_a_character_trips() -> None:
    guard = RepetitionGuard()
    assert not any(guard.feed("z") for _ in range(10))
    assert guard.feed("z")


class FakeTransport:
    def __init__(self, events: list[Any]) -> None:
        self.events = events
        self.yielded = 0
        self.closed_stream = False

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        try:
            for event in self.events:
                self.yielded += 1
                yield event
        finally:
            self.closed_stream = True


async def collect(transport: GuardedTransport) -> list[Any]:
    return [event async for event in transport.stream({"input": []})]


def message_turn(deltas: list[str], usage: dict[str, int] | None = None) -> list[Any]:
    item = {"type": "message", "role": "assistant", "id": "msg_1", "content": []}
    text = "".join(deltas)
    done = {**item, "content": [{"type": "output_text", "text": text}]}
    return [
        Created("resp_1"),
        OutputItemAdded(item),
        *[OutputTextDelta(d) for d in deltas],
        OutputItemDone(done),
        Completed("resp_1", usage),  # pyright: ignore[reportArgumentType]
    ]


@pytest.mark.anyio
async def test_degenerate_stream_ends_with_the_text_before_the_loop_and_a_note() -> None:
    inner = FakeTransport(message_turn(["Hello! ", *["🎉"] * 5000]))
    notes: list[str] = []
    events = await collect(GuardedTransport(inner, on_note=notes.append))
    assert notes == [REPETITION_NOTE]
    assert inner.yielded < 30 and inner.closed_stream
    done = [e for e in events if isinstance(e, OutputItemDone)]
    assert done[-1].item["id"] == "msg_1"
    assert done[-1].item["content"][0]["text"] == "Hello! 🎉"
    assert isinstance(events[-1], Completed) and events[-1].response_id == "resp_1"


@pytest.mark.anyio
async def test_sane_stream_passes_unchanged_and_a_cut_answer_is_noted() -> None:
    turn = message_turn(["Hello, ", "new user!"], {"input_tokens": 5, "output_tokens": 256})
    notes: list[str] = []
    events = await collect(GuardedTransport(FakeTransport(turn), on_note=notes.append, max_output_tokens=256))
    assert events == turn
    assert notes == [cut_note(256)]
    notes.clear()
    short = message_turn(["Hi"], {"input_tokens": 5, "output_tokens": 3})
    assert await collect(GuardedTransport(FakeTransport(short), on_note=notes.append, max_output_tokens=256)) == short
    assert notes == []

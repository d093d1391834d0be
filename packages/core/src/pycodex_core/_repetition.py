"""Stop a small model that has started repeating itself, and say when its output was cut.

A tiny local model decoding greedily can fall into a loop (the same emoji, word or phrase until
the context is full). `RepetitionGuard` watches the streamed text and trips as soon as its tail
is one short unit repeated too often; `GuardedTransport` wraps a model transport, ends the
response there with the text before the loop, and reports a note. It also reports when a response
used its whole output budget, so the user knows the answer is not complete.
"""

from __future__ import annotations

import string
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

__all__ = ["GuardedTransport", "RepetitionGuard"]

_TAIL_CHARS = 1024
_MAX_PERIOD = 64
_ASCII_PUNCTUATION = frozenset(string.punctuation)

REPETITION_NOTE = "The model started repeating itself; its answer was stopped there."
"""Note reported when the guard ends a response."""


def cut_note(limit: int) -> str:
    """Note reported when a response used its whole output budget of `limit` tokens."""
    return f"The answer was cut at the output limit of {limit} tokens (raise it with model_max_output_tokens)."


def _needed_repeats(unit: str) -> int:
    """How many back-to-back copies of `unit` at the end of the text count as a loop."""
    if len(unit) == 1:
        # Rules, tables and underlines legitimately repeat ASCII punctuation for a while.
        return 41 if unit in _ASCII_PUNCTUATION else 11
    return min(11, max(6, -(-48 // len(unit))))


class RepetitionGuard:
    """Detects degenerate repetition at the end of a growing text.

    Whitespace-only units never count (indentation and blank lines are not loops). The check looks
    only at the last kilobyte, so each `feed` costs the same however long the answer grows.
    """

    def __init__(self) -> None:
        self.text = ""
        """Everything fed so far."""
        self.loop_start: int | None = None
        """Offset in `text` where the repeated run begins, once the guard has tripped."""

    def feed(self, delta: str) -> bool:
        """Add a piece of streamed text; `True` once the text ends in a loop (and stays `True`)."""
        if self.loop_start is not None:
            return True
        self.text += delta
        tail = self.text[-_TAIL_CHARS:]
        for period in range(1, min(_MAX_PERIOD, len(tail)) + 1):
            unit = tail[-period:]
            if unit.isspace() or (period > 1 and unit == unit[0] * period):
                continue  # blank runs are layout; one character repeated is period 1's case
            repeats = _needed_repeats(unit)
            if period * repeats > len(tail) or not tail.endswith(unit * repeats):
                continue
            start = len(self.text) - period * repeats
            while start >= period and self.text[start - period : start] == unit:
                start -= period
            self.loop_start = start
            return True
        return False

    def kept_text(self) -> str:
        """The text without the loop, keeping one copy of the repeated unit."""
        if self.loop_start is None:
            return self.text
        tail = self.text[self.loop_start :]
        for period in range(1, _MAX_PERIOD + 1):
            unit = tail[:period]
            if tail == unit * (len(tail) // period) + unit[: len(tail) % period]:
                return (self.text[: self.loop_start] + unit).rstrip()
        return self.text[: self.loop_start].rstrip()


class GuardedTransport:
    """A model transport that ends a looping response early and notes cut answers.

    Args:
        inner: The transport to wrap (anything with `stream(request, headers=...)`).
        on_note: Receives each note (a loop stopped, the output limit reached).
        max_output_tokens: The output limit in force, to recognise a cut answer; `None` when unknown.
    """

    def __init__(self, inner: Any, *, on_note: Callable[[str], None], max_output_tokens: int | None = None) -> None:
        self.inner = inner
        self.on_note = on_note
        self.max_output_tokens = max_output_tokens

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        """Yield the inner stream's events, ending it with the text so far when the model loops."""
        from pycodex_model_client import Completed, OutputItemAdded, OutputItemDone, OutputTextDelta

        guard = RepetitionGuard()
        message: dict[str, Any] | None = None
        response_id: str | None = None
        events = self.inner.stream(request, headers=headers)
        try:
            async for event in events:
                if isinstance(event, OutputItemAdded) and event.item.get("type") == "message":
                    message, guard = dict(event.item), RepetitionGuard()
                elif isinstance(event, OutputTextDelta) and guard.feed(event.delta):
                    yield event
                    break
                elif isinstance(event, Completed):
                    self._note_cut(event)
                response_id = getattr(event, "response_id", None) or response_id
                yield event
            else:
                return
        finally:
            close = getattr(events, "aclose", None)
            if close is not None:
                await close()
        self.on_note(REPETITION_NOTE)
        item = {**(message or {"type": "message", "role": "assistant"}), "status": "completed"}
        item["content"] = [{"type": "output_text", "text": guard.kept_text(), "annotations": []}]
        yield OutputItemDone(item)
        yield Completed(response_id=response_id)

    def _note_cut(self, event: Any) -> None:
        usage: object = getattr(event, "usage", None)
        output = cast("dict[str, object]", usage).get("output_tokens") if isinstance(usage, dict) else None
        limit = self.max_output_tokens
        if limit is not None and isinstance(output, int) and output >= limit:
            self.on_note(cut_note(limit))

    async def aclose(self) -> None:
        """Close the inner transport."""
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()

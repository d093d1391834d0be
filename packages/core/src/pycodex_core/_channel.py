"""The event channel from core to a front end: bounded, with streaming deltas coalesced when it lags.

Core emits from synchronous code, so sending never blocks. When the front end falls behind, a
streaming delta (`agent_message_delta`, `agent_reasoning_delta`, `exec_command_output_delta`) is
merged into the delta of the same kind waiting at the end of the queue instead of queued beside
it: nothing is dropped, the consumer just receives fewer, larger deltas. Producers that can wait
(the sampling loop, between two stream events) await `wait_writable`, which holds them while the
queue is over its bounds, so the model stream itself is read no faster than the front end reads
events and memory stays bounded whatever the model sends.
"""

from __future__ import annotations

import base64
from collections import deque
from typing import TYPE_CHECKING, Any

import anyio

if TYPE_CHECKING:
    from pycodex_protocol import Event

__all__ = ["EventChannel"]

_TEXT_DELTAS = {"agent_message_delta": "delta", "agent_reasoning_delta": "delta"}
DEFAULT_MAX_EVENTS = 512
DEFAULT_MAX_BYTES = 4 * 1024 * 1024


def _size(event: Event) -> int:
    msg: Any = event["msg"]
    return 64 + sum(len(value) for value in msg.values() if isinstance(value, str))


class EventChannel:
    """A queue of `Event`s with a bound on both count and size.

    Args:
        max_events: Queue length from which deltas are coalesced and `wait_writable` waits.
        max_bytes: Approximate queued text size from which the same happens.
    """

    def __init__(self, max_events: int = DEFAULT_MAX_EVENTS, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
        self._queue: deque[Event] = deque()
        self._bytes = 0
        self._max_events = max_events
        self._max_bytes = max_bytes
        self._readable = anyio.Event()
        self._writable = anyio.Event()
        self._writable.set()
        self._closed = False
        self._receiver_gone = False

    @property
    def lagging(self) -> bool:
        """Whether the consumer is behind (the queue is at one of its bounds)."""
        return len(self._queue) >= self._max_events or self._bytes >= self._max_bytes

    def __len__(self) -> int:
        return len(self._queue)

    def send_nowait(self, event: Event) -> None:
        """Queue `event` (merged into the previous delta when the consumer lags).

        Raises:
            anyio.ClosedResourceError: The channel was closed by its sender.
            anyio.BrokenResourceError: The receiver is gone.
        """
        if self._closed:
            raise anyio.ClosedResourceError
        if self._receiver_gone:
            raise anyio.BrokenResourceError
        if self.lagging and self._queue and self._merge(event):
            return
        self._queue.append(event)
        self._bytes += _size(event)
        self._readable.set()
        if self.lagging:
            self._writable = anyio.Event()

    def _merge(self, event: Event) -> bool:
        last = self._queue[-1]
        old: Any = dict(last["msg"])
        new: Any = event["msg"]
        kind = new.get("type")
        if last["id"] != event["id"] or old.get("type") != kind:
            return False
        if kind in _TEXT_DELTAS:
            old[_TEXT_DELTAS[kind]] += new[_TEXT_DELTAS[kind]]
        elif kind == "exec_command_output_delta" and old.get("call_id") == new.get("call_id"):
            merged = base64.b64decode(old["chunk"]) + base64.b64decode(new["chunk"])
            old["chunk"] = base64.b64encode(merged).decode("ascii")
        else:
            return False
        self._queue[-1] = {"id": last["id"], "msg": old}
        self._bytes += _size(event) - 64
        return True

    async def receive(self) -> Event:
        """The next event.

        Raises:
            anyio.EndOfStream: The sender closed the channel and every event was received.
            anyio.ClosedResourceError: The receiver was closed.
        """
        while not self._queue:
            if self._receiver_gone:
                raise anyio.ClosedResourceError
            if self._closed:
                raise anyio.EndOfStream
            self._readable = anyio.Event()
            await self._readable.wait()
        event = self._queue.popleft()
        self._bytes = max(self._bytes - _size(event), 0) if self._queue else 0
        if not self.lagging:
            self._writable.set()
        return event

    async def wait_writable(self) -> None:
        """Wait until the consumer has caught up with the bounds (at once when it has, or is gone)."""
        while self.lagging and not self._closed and not self._receiver_gone:
            await self._writable.wait()

    def close(self) -> None:
        """The sender's end: no more events; the receiver gets what is queued, then `EndOfStream`."""
        self._closed = True
        self._readable.set()
        self._writable.set()

    def close_receiver(self) -> None:
        """The receiver's end: later sends fail with `BrokenResourceError`; queued events are dropped."""
        self._receiver_gone = True
        self._queue.clear()
        self._bytes = 0
        self._readable.set()
        self._writable.set()

"""Streaming a running command's output as `exec_command_output_delta` events, bounded in rate and size."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from ._exec_events import output_delta

if TYPE_CHECKING:
    from pycodex_protocol import EventMsg

__all__ = ["MAX_DELTAS_PER_CALL", "OutputStreamer"]

logger = logging.getLogger(__name__)

DELTA_CHUNK_BYTES = 8192
"""Largest chunk of one delta (as Codex reads them)."""
MAX_DELTAS_PER_CALL = 10_000
"""Deltas sent for one command at most (Codex's cap); the end event still carries the whole output."""
FLUSH_INTERVAL_S = 0.02
"""Output read within this interval goes out together, so a chatty command cannot flood the channel."""
_MAX_PENDING_BYTES = 4 * DELTA_CHUNK_BYTES
"""Read but not yet sent, at most; what exceeds it between two flushes is left to the end event."""


class OutputStreamer:
    """Receives output chunks from a process's reader thread and emits deltas on the event loop.

    Args:
        emit: `emit(sub_id, msg)`, called on the loop thread only.
        sub_id: The submission id of the turn that started the command.
        call_id: The tool call the deltas belong to.
    """

    def __init__(self, emit: Callable[[str, EventMsg], None], sub_id: str, call_id: str) -> None:
        self._emit = emit
        self._sub_id = sub_id
        self._call_id = call_id
        self._loop = asyncio.get_running_loop()
        self._lock = threading.Lock()
        self._pending = bytearray()
        self._scheduled = False
        self._sent = 0
        self._closed = False

    def feed(self, data: bytes) -> None:
        """Take a chunk (any thread); schedules one flush per interval."""
        with self._lock:
            if self._closed or self._sent >= MAX_DELTAS_PER_CALL:
                return
            room = _MAX_PENDING_BYTES - len(self._pending)
            if room > 0:
                self._pending += data[:room]
            if self._scheduled:
                return
            self._scheduled = True
        try:
            self._loop.call_soon_threadsafe(self._schedule)
        except RuntimeError:  # the loop is closed: nobody listens any more
            pass

    def _schedule(self) -> None:
        self._loop.call_later(FLUSH_INTERVAL_S, self.flush)

    def flush(self) -> None:
        """Emit what is pending (loop thread), in chunks of at most `DELTA_CHUNK_BYTES`."""
        with self._lock:
            data, self._pending = bytes(self._pending), bytearray()
            self._scheduled = False
            if self._closed:
                return
        for start in range(0, len(data), DELTA_CHUNK_BYTES):
            if self._sent >= MAX_DELTAS_PER_CALL:
                break
            self._sent += 1
            self._emit(self._sub_id, output_delta(self._call_id, data[start : start + DELTA_CHUNK_BYTES]))

    def close(self) -> None:
        """Send what is pending and stop (before the command's end event)."""
        self.flush()
        with self._lock:
            self._closed = True
            self._pending.clear()

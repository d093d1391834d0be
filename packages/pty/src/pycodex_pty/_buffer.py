"""A byte buffer that keeps the first and last bytes of a stream and drops the middle."""

from __future__ import annotations

__all__ = ["HeadTailBuffer"]

DEFAULT_OUTPUT_CAP = 1024 * 1024
"""Default cap of a process's buffered output: 1 MiB, half kept from the start, half from the end."""


class HeadTailBuffer:
    """Keeps at most `cap` bytes: the first `cap // 2` and the most recent `cap - cap // 2`.

    Args:
        cap: Maximum number of bytes kept.
    """

    __slots__ = ("_head", "_head_cap", "_tail", "_tail_cap", "dropped", "total")

    def __init__(self, cap: int = DEFAULT_OUTPUT_CAP) -> None:
        self._head_cap = cap // 2
        self._tail_cap = cap - self._head_cap
        self._head = bytearray()
        self._tail = bytearray()
        self.dropped = 0
        """Bytes dropped from the middle so far."""
        self.total = 0
        """Bytes ever appended."""

    def append(self, data: bytes) -> None:
        """Append `data`, dropping bytes from the middle when the cap is exceeded."""
        self.total += len(data)
        room = self._head_cap - len(self._head)
        if room > 0:
            self._head += data[:room]
            data = data[room:]
        if not data:
            return
        self._tail += data
        excess = len(self._tail) - self._tail_cap
        if excess > 0:
            del self._tail[:excess]
            self.dropped += excess

    def __len__(self) -> int:
        return len(self._head) + len(self._tail)

    def getvalue(self) -> bytes:
        """The kept bytes (head then tail; the dropped middle is simply missing)."""
        return bytes(self._head + self._tail)

    def take(self) -> bytes:
        """Return the kept bytes and empty the buffer."""
        value = self.getvalue()
        self._head.clear()
        self._tail.clear()
        self.dropped = 0
        return value

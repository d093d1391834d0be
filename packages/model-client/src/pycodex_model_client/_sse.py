r"""An incremental Server-Sent Events parser: bytes in, `(event, data)` pairs out.

Implements the parts of the WHATWG event-stream format model servers use: `event:` and `data:` fields
(multi-line `data` joined with `\n`), `:` comments, `id:`/`retry:` ignored, and LF, CRLF or CR line ends, with
any split across network chunks. Bytes are decoded per event, so a multi-byte character split across chunks is
fine and invalid UTF-8 is reported with the offending event.
"""

from __future__ import annotations

import logging

__all__ = ["MAX_EVENT_BYTES", "SseDecodeError", "SseEventTooLarge", "SseParser"]

logger = logging.getLogger(__name__)


class SseDecodeError(ValueError):
    """An event's bytes are not valid UTF-8."""


MAX_EVENT_BYTES = 64 * 1024 * 1024
"""The largest single event (its lines up to the blank line) a parser holds; more is refused, so a stream that
never ends its line cannot grow memory without bound."""


class SseEventTooLarge(ValueError):
    """One event grew past the parser's `max_event_bytes` before its terminating blank line."""


class SseParser:
    """Feed bytes with `feed()`, collect complete events; call `finish()` at end of stream.

    Args:
        max_event_bytes: The largest event accepted (default `MAX_EVENT_BYTES`); `feed()` raises
            `SseEventTooLarge` beyond it.
    """

    __slots__ = ("_buf", "_cr_pending", "max_event_bytes")

    def __init__(self, max_event_bytes: int | None = None) -> None:
        self._buf = bytearray()  # the incomplete event; never contains a separator between calls
        self._cr_pending = False
        self.max_event_bytes = MAX_EVENT_BYTES if max_event_bytes is None else max_event_bytes

    def feed(self, chunk: bytes) -> list[tuple[str, str]]:
        """Add bytes; return the events completed by them as `(event_type, data)` (`event_type` "" if absent).

        Each byte is scanned for a separator about once, so a long event arriving in many small chunks costs
        linear time.

        Raises:
            SseDecodeError: An event contains invalid UTF-8.
            SseEventTooLarge: The unfinished event is longer than `max_event_bytes`.
        """
        if not chunk:
            return []
        if b"\r" in chunk or self._cr_pending:
            chunk = self._normalize(chunk)
        buf = self._buf
        # Line ends are LF from here on. Only the new bytes need a search, plus one byte before them for a
        # `\n\n` split across chunks.
        scan_from = max(0, len(buf) - 1)
        buf += chunk
        end = buf.find(b"\n\n", scan_from)
        events: list[tuple[str, str]] = []
        start = 0
        while end >= 0:
            event = _parse_block(bytes(buf[start:end]))
            if event is not None:
                events.append(event)
            start = end + 2
            end = buf.find(b"\n\n", start)
        if start:
            del buf[:start]
        if len(buf) > self.max_event_bytes:
            buf.clear()
            raise SseEventTooLarge(f"an SSE event exceeded {self.max_event_bytes} bytes without ending")
        return events

    def finish(self) -> list[tuple[str, str]]:
        """Flush a final event that was not followed by a blank line (the stream ended)."""
        buf = bytes(self._buf)
        self._buf = bytearray()
        event = _parse_block(buf.rstrip(b"\n")) if buf.strip() else None
        return [event] if event is not None else []

    def _normalize(self, chunk: bytes) -> bytes:
        if self._cr_pending:
            self._cr_pending = False
            if chunk.startswith(b"\n"):
                chunk = chunk[1:]
        if chunk.endswith(b"\r"):
            # The LF of a CRLF may arrive in the next chunk: treat this CR as a line end and drop that LF.
            self._cr_pending = True
        return chunk.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _parse_block(block: bytes) -> tuple[str, str] | None:
    event = ""
    data: list[bytes] = []
    for line in block.split(b"\n"):
        if not line or line[0] == 58:  # b":" comment
            continue
        name, sep, value = line.partition(b":")
        if sep and value[:1] == b" ":
            value = value[1:]
        if name == b"data":
            data.append(value)
        elif name == b"event":
            event = _decode(value)
        elif name not in (b"id", b"retry"):
            logger.debug("ignoring SSE field %r", name)
    if not data:
        return None
    return event, _decode(data[0] if len(data) == 1 else b"\n".join(data))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        snippet = raw[max(0, e.start - 20) : e.end + 20]
        raise SseDecodeError(f"invalid UTF-8 in SSE stream (byte 0x{raw[e.start]:02x} near {snippet!r})") from None

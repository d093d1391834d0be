"""Scripted turns: what the server answers to one request, including injected faults."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]
Event = Json | bytes
"""A JSON event (encoded per endpoint) or raw bytes written verbatim."""


@dataclass
class Turn:
    r"""The answer to one model request.

    With `body` set the server sends a plain response; otherwise it streams `events` as SSE
    (`event: <type>\ndata: <json>` on `/responses`, `data: <json>` plus `data: [DONE]` on `/chat/completions`).
    """

    events: Sequence[Event] = ()
    """Events to stream; `bytes` items are written verbatim (malformed lines, invalid UTF-8...)."""
    status: int = 200
    """HTTP status."""
    headers: dict[str, str] = field(default_factory=dict[str, str])
    """Extra response headers."""
    body: bytes | None = None
    """A non-streamed body; when set, `events` is ignored."""
    content_type: str | None = None
    """Content type; defaults to `text/event-stream` (streams) or `application/json` (bodies)."""
    event_delay_s: float = 0.0
    """Pause before each event."""
    delay_before_s: float = 0.0
    """Pause before the response headers."""
    drop_after: int | None = None
    """Abort the connection after this many events (no terminating chunk: a transport error for the client)."""
    stall_after: int | None = None
    """After this many events, stop sending and hold the connection open for `stall_s` (or until the server closes)."""
    stall_s: float = 30.0
    """How long a stall lasts."""
    done_marker: bool = True
    """On `/chat/completions`, end the stream with `data: [DONE]`."""
    times: int = 1
    """Serve this turn for this many consecutive requests."""
    frames: Callable[[], Iterator[bytes]] | None = None
    """When set, streamed instead of `events`: a factory of raw, already framed bytes, consumed lazily (so a
    frame source may be endless)."""
    drip_bytes: int = 0
    """When positive, write each frame in pieces of this many bytes, pausing `event_delay_s` between pieces."""

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Turn:
        """Build a turn from its JSON script form (raw events as `{"raw": "<text>"}`, body as a string or JSON)."""
        events: list[Event] = []
        for event in data.get("events", []):
            if isinstance(event, dict) and set(event) == {"raw"}:
                events.append(str(event["raw"]).encode("utf-8", errors="surrogateescape"))
            else:
                events.append(dict(event))
        body = data.get("body")
        if body is not None and not isinstance(body, str):
            body = json.dumps(body)
        return cls(
            events=events,
            status=int(data.get("status", 200)),
            headers={str(k): str(v) for k, v in data.get("headers", {}).items()},
            body=body.encode() if body is not None else None,
            content_type=data.get("content_type"),
            event_delay_s=float(data.get("event_delay_s", 0.0)),
            delay_before_s=float(data.get("delay_before_s", 0.0)),
            drop_after=data.get("drop_after"),
            stall_after=data.get("stall_after"),
            stall_s=float(data.get("stall_s", 30.0)),
            done_marker=bool(data.get("done_marker", True)),
            times=int(data.get("times", 1)),
        )


def load_script(data: Any) -> list[Turn]:
    """Parse a JSON script: a list of turns, or `{"turns": [...]}`."""
    turns = data["turns"] if isinstance(data, dict) else data
    return [Turn.from_json(t) for t in turns]


def sse_turn(events: Sequence[Event], *, event_delay_s: float = 0.0, headers: Mapping[str, str] | None = None) -> Turn:
    """A normal streamed answer."""
    return Turn(events=list(events), event_delay_s=event_delay_s, headers=dict(headers or {}))


def http_error(status: int, message: str = "boom", *, times: int = 1, headers: Mapping[str, str] | None = None) -> Turn:
    """An HTTP error with an OpenAI-style body `{"error": {"message": ...}}`, repeated `times` times."""
    body = json.dumps({"error": {"message": message, "type": "error", "code": None}}).encode()
    return Turn(status=status, body=body, headers=dict(headers or {}), times=times)


def rate_limited(retry_after: float | None = None, message: str = "Rate limit reached.", *, times: int = 1) -> Turn:
    """HTTP 429, with a `Retry-After` header when `retry_after` is given."""
    headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
    return http_error(429, message, times=times, headers=headers)


def raw_body(body: bytes | str, *, status: int = 200, content_type: str = "text/html", times: int = 1) -> Turn:
    """A plain body, for example an HTML page answered with 200."""
    data = body.encode() if isinstance(body, str) else body
    return Turn(status=status, body=data, content_type=content_type, times=times)


def dropped_stream(events: Sequence[Event], after: int, *, times: int = 1) -> Turn:
    """Stream `events[:after]` then abort the connection."""
    return Turn(events=list(events), drop_after=after, times=times)


def stalled_stream(events: Sequence[Event], after: int, seconds: float = 30.0, *, times: int = 1) -> Turn:
    """Stream `events[:after]` then go silent for `seconds` (ends early when the server closes)."""
    return Turn(events=list(events), stall_after=after, stall_s=seconds, times=times)


def repeat(turn: Turn, times: int) -> Turn:
    """The same turn served for `times` consecutive requests."""
    turn.times = times
    return turn


def flatten(turns: Iterable[Turn]) -> list[Turn]:
    """Expand `times` into individual turns (the server's queue order)."""
    out: list[Turn] = []
    for turn in turns:
        out.extend([turn] * max(1, turn.times))
    return out

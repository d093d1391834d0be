"""`ScriptedServer`: a threaded HTTP/1.1 server on 127.0.0.1 that answers model requests from a script."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from ._builders import encode_chat_chunk, encode_responses_event
from ._script import Event, Turn, flatten

logger = logging.getLogger(__name__)

_BATCH_BYTES = 64 * 1024


@dataclass
class RecordedRequest:
    """One request the server received."""

    method: str
    """HTTP method."""
    path: str
    """Path without the query string, e.g. `/v1/responses`."""
    query: str
    """The raw query string."""
    headers: dict[str, str]
    """Headers with lower-cased names."""
    body: bytes
    """The raw body."""
    time: float
    """`time.monotonic()` when the request line arrived."""
    wall_time: float
    """`time.time()` when the request line arrived."""

    @property
    def json(self) -> Any:
        """The body parsed as JSON (`None` when empty or not JSON)."""
        try:
            return json.loads(self.body) if self.body else None
        except ValueError:
            return None


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    owner: ScriptedServer

    def handle_error(self, request: Any, client_address: Any) -> None:
        import sys

        exc = sys.exc_info()[1]
        if isinstance(exc, OSError):  # the client went away: normal for dropped/abandoned streams
            logger.debug("scripted server: connection error from %s: %s", client_address, exc)
        else:
            logger.exception("scripted server: error while handling a request from %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _HTTPServer  # pyright: ignore[reportIncompatibleVariableOverride]
    timeout = 60

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("scripted server: " + format, *args)

    def setup(self) -> None:
        super().setup()
        self.server.owner._track(self.connection, add=True)

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        self.server.owner._track(self.connection, add=False)

    def do_GET(self) -> None:
        self._plain(404, b'{"error":{"message":"not found"}}', "application/json")

    def do_POST(self) -> None:
        arrived, wall = time.monotonic(), time.time()
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        split = urlsplit(self.path)
        record = RecordedRequest(
            method="POST",
            path=split.path,
            query=split.query,
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            time=arrived,
            wall_time=wall,
        )
        owner = self.server.owner
        chat = split.path.endswith("/chat/completions")
        if not (chat or split.path.endswith("/responses")):
            owner._record(record)
            self._plain(404, b'{"error":{"message":"not found"}}', "application/json")
            return
        turn = owner._record_and_pop(record)
        if turn is None:
            message = f"scripted server: no turn left for request #{len(owner.requests)}"
            self._plain(500, json.dumps({"error": {"message": message}}).encode(), "application/json")
            return
        try:
            self._serve(turn, chat=chat)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            self.close_connection = True

    def _plain(self, status: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("content-type", content_type)
        self.send_header("content-length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def _serve(self, turn: Turn, *, chat: bool) -> None:
        closing = self.server.owner._closing
        if turn.delay_before_s and closing.wait(turn.delay_before_s):
            self._abort()
            return
        if turn.body is not None:
            self._plain(turn.status, turn.body, turn.content_type or "application/json", turn.headers)
            return
        self.send_response(turn.status)
        self.send_header("content-type", turn.content_type or "text/event-stream")
        self.send_header("cache-control", "no-cache")
        self.send_header("transfer-encoding", "chunked")
        for name, value in turn.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if turn.frames is not None:
            self._stream_lazy(turn.frames(), turn)
            return
        frames = [_encode(event, chat=chat) for event in turn.events]
        if chat and turn.done_marker:
            frames.append(b"data: [DONE]\n\n")
        self._stream(frames, turn)

    def _stream_lazy(self, frames: Iterator[bytes], turn: Turn) -> None:
        """Write frames as they are produced, batched, paced by `event_delay_s` (per piece with `drip_bytes`)."""
        closing = self.server.owner._closing
        batch = bytearray()
        for frame in frames:
            pieces = (
                [frame[i : i + turn.drip_bytes] for i in range(0, len(frame), turn.drip_bytes)]
                if (turn.drip_bytes > 0)
                else [frame]
            )
            for piece in pieces:
                if turn.event_delay_s:
                    self._chunk(piece)
                    self.wfile.flush()
                    if closing.wait(turn.event_delay_s):
                        self._abort()
                        return
                    continue
                batch += piece
                if len(batch) >= _BATCH_BYTES:
                    self._chunk(batch)
                    batch.clear()
                    if closing.is_set():
                        self._abort()
                        return
        self._chunk(batch)
        self.wfile.write(b"0\r\n\r\n")

    def _stream(self, frames: list[bytes], turn: Turn) -> None:
        closing = self.server.owner._closing
        batch = bytearray()
        for index, frame in enumerate(frames):
            if index == turn.drop_after:
                self._chunk(batch)
                self._abort()
                return
            if index == turn.stall_after:
                self._chunk(batch)
                batch.clear()
                if closing.wait(turn.stall_s):
                    self._abort()
                    return
            if turn.event_delay_s:
                self._chunk(batch)
                batch.clear()
                if closing.wait(turn.event_delay_s):
                    self._abort()
                    return
            batch += frame
            if len(batch) >= _BATCH_BYTES:
                self._chunk(batch)
                batch.clear()
        if turn.drop_after is not None and turn.drop_after >= len(frames):
            self._chunk(batch)
            self._abort()
            return
        self._chunk(batch)
        self.wfile.write(b"0\r\n\r\n")

    def _chunk(self, data: bytes | bytearray) -> None:
        if data:
            self.wfile.write(b"%x\r\n%s\r\n" % (len(data), bytes(data)))

    def _abort(self) -> None:
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def _encode(event: Event, *, chat: bool) -> bytes:
    if isinstance(event, bytes):
        return event
    return encode_chat_chunk(event) if chat else encode_responses_event(event)


class ScriptedServer:
    """A fake Responses / Chat Completions server on `127.0.0.1` that answers each request with the next turn.

    Use it as a (sync or async) context manager. Requests to `POST .../responses` and
    `POST .../chat/completions` consume turns in order; every request is recorded in `requests`.

    Args:
        turns: The initial script; more can be added with `add()` at any time.
    """

    def __init__(self, turns: Iterable[Turn] = ()) -> None:
        self._queue: deque[Turn] = deque(flatten(turns))
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._connections: set[socket.socket] = set()
        self._new_request = threading.Condition(self._lock)
        self.requests: list[RecordedRequest] = []
        """Every request received, in arrival order."""
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:PORT/v1`."""
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def port(self) -> int:
        """The bound port."""
        if self._httpd is None:
            raise RuntimeError("ScriptedServer is not started")
        return int(self._httpd.server_address[1])

    @property
    def pending_turns(self) -> int:
        """How many scripted answers are still unused."""
        with self._lock:
            return len(self._queue)

    def add(self, *turns: Turn) -> None:
        """Append turns to the script."""
        with self._lock:
            self._queue.extend(flatten(turns))

    def start(self) -> ScriptedServer:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        httpd.owner = self
        self._httpd = httpd
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="scripted-server", daemon=True
        )
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving, end stalls and close every open connection."""
        self._closing.set()
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wait_for_requests(self, count: int, timeout: float = 5.0) -> list[RecordedRequest]:
        """Block until at least `count` requests arrived; raise `TimeoutError` otherwise."""
        with self._new_request:
            if not self._new_request.wait_for(lambda: len(self.requests) >= count, timeout):
                raise TimeoutError(f"expected {count} requests, got {len(self.requests)}")
            return list(self.requests)

    async def await_requests(self, count: int, timeout_s: float = 5.0) -> list[RecordedRequest]:
        """Async variant of `wait_for_requests` (waits in a worker thread, not blocking the event loop)."""
        import anyio.to_thread

        return await anyio.to_thread.run_sync(self.wait_for_requests, count, timeout_s)

    def bodies(self) -> list[Any]:
        """The JSON bodies of all recorded requests."""
        return [r.json for r in self.requests]

    def _record(self, record: RecordedRequest) -> None:
        with self._new_request:
            self.requests.append(record)
            self._new_request.notify_all()

    def _record_and_pop(self, record: RecordedRequest) -> Turn | None:
        with self._new_request:
            self.requests.append(record)
            self._new_request.notify_all()
            return self._queue.popleft() if self._queue else None

    def _track(self, conn: socket.socket, *, add: bool) -> None:
        with self._lock:
            if add:
                self._connections.add(conn)
            else:
                self._connections.discard(conn)

    def __enter__(self) -> ScriptedServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    async def __aenter__(self) -> ScriptedServer:
        return self.start()

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

"""The loopback HTTP / CONNECT proxy (threads; bounded headers, connections and time).

Connections arrive two ways: on the loopback listener (`127.0.0.1:PORT`), or as descriptors sent
over a UNIX socket pair by the forwarder inside a sandbox's network namespace (`bridge_socket()`),
which is how a command without any network reaches the proxy. Every decision is logged and kept
(the last 1000) in `ProxyServer.decisions`.
"""

from __future__ import annotations

import array
import collections
import contextlib
import logging
import select
import socket
import threading
from collections.abc import Callable, Mapping

from pycodex_proxy._policy import Decision, DomainPolicy

logger = logging.getLogger(__name__)

__all__ = ["ProxyServer"]

_MAX_HEADER = 64 * 1024
_MAX_CONNECTIONS = 64
_IDLE_TIMEOUT = 60.0


def _reply(conn: socket.socket, status: str, reason: str | None = None) -> None:
    headers = f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n"
    if reason:
        headers += f"x-proxy-error: {reason}\r\n"
    with contextlib.suppress(OSError):
        conn.sendall((headers + "\r\n").encode())


def _read_head(conn: socket.socket) -> tuple[bytes, bytes] | None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(4096)
        if not chunk or len(data) > _MAX_HEADER:
            return None
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _splice(a: socket.socket, b: socket.socket) -> None:
    sockets = [a, b]
    while True:
        readable, _, _ = select.select(sockets, [], [], _IDLE_TIMEOUT)
        if not readable:
            return
        for sock in readable:
            data = sock.recv(65536)
            if not data:
                return
            (b if sock is a else a).sendall(data)


class ProxyServer:
    """A policy proxy on `127.0.0.1`; use as a context manager or call `start()` / `close()`."""

    def __init__(
        self,
        policy: DomainPolicy,
        *,
        resolve: Mapping[str, str] | None = None,
        on_decision: Callable[[Decision], None] | None = None,
    ) -> None:
        """Create the proxy.

        Args:
            policy: The allow and deny lists.
            resolve: Fixed name-to-address entries consulted before DNS (tests use loopback names).
            on_decision: Called with every decision (besides the log and `decisions`).
        """
        self.policy = policy
        self.resolve = dict(resolve or {})
        self.decisions: collections.deque[Decision] = collections.deque(maxlen=1000)
        self._on_decision = on_decision
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        """The loopback port it listens on."""
        self._slots = threading.BoundedSemaphore(_MAX_CONNECTIONS)
        self._closed = threading.Event()
        self._threads: list[threading.Thread] = []
        self._bridges: list[socket.socket] = []

    @property
    def url(self) -> str:
        """`http://127.0.0.1:PORT`, for `HTTP_PROXY` / `HTTPS_PROXY`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ProxyServer:
        """Start accepting in a background thread."""
        self._spawn(self._accept_loop, self._listener)
        return self

    def bridge_socket(self) -> socket.socket:
        """One end of a socket pair for a sandbox's forwarder; accepted connections arrive over it as descriptors."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._bridges.append(ours)
        self._spawn(self._bridge_loop, ours)
        return theirs

    def close(self) -> None:
        """Stop accepting and close the listeners (open tunnels end at their idle timeout)."""
        self._closed.set()
        for sock in (self._listener, *self._bridges):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def __enter__(self) -> ProxyServer:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def _spawn(self, target: Callable[[socket.socket], None], sock: socket.socket) -> None:
        thread = threading.Thread(target=target, args=(sock,), daemon=True, name="pycodex-proxy")
        thread.start()
        self._threads.append(thread)

    def _accept_loop(self, listener: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            self._dispatch(conn)

    def _bridge_loop(self, bridge: socket.socket) -> None:
        while not self._closed.is_set():
            try:
                fds = array.array("i")
                _msg, ancdata, _flags, _addr = bridge.recvmsg(1, socket.CMSG_SPACE(fds.itemsize))
            except OSError:
                return
            if not ancdata:
                if not _msg:
                    return
                continue
            for level, kind, data in ancdata:
                if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                    fds.frombytes(data[: len(data) - len(data) % fds.itemsize])
            for fd in fds:
                self._dispatch(socket.socket(fileno=fd))

    def _dispatch(self, conn: socket.socket) -> None:
        if not self._slots.acquire(blocking=False):
            _reply(conn, "503 Service Unavailable", "too-many-connections")
            conn.close()
            return
        threading.Thread(target=self._handle, args=(conn,), daemon=True).start()

    def _record(self, decision: Decision) -> Decision:
        self.decisions.append(decision)
        logger.info("proxy %s %s:%d -> %s", decision.method, decision.host, decision.port, decision.reason)
        if self._on_decision is not None:
            self._on_decision(decision)
        return decision

    def _handle(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(_IDLE_TIMEOUT)
            got = _read_head(conn)
            if got is not None:
                self._serve(conn, *got)
            else:
                _reply(conn, "400 Bad Request")
        except OSError as exc:
            logger.debug("proxy connection ended: %s", exc)
        finally:
            conn.close()
            self._slots.release()

    def _target(self, method: str, target: str, headers: list[bytes]) -> tuple[str, int, str] | None:
        """(host, port, origin-form path) of a request, or None when it names no absolute target."""
        if method == "CONNECT":
            host, _, port = target.rpartition(":")
            return (host, int(port), "") if host and port.isdigit() else None
        if not target.startswith("http://"):
            return None
        rest = target[len("http://") :]
        authority, slash, path = rest.partition("/")
        host, _, port = authority.rpartition(":") if ":" in authority.strip("[]") else (authority, "", "80")
        return (host, int(port) if port.isdigit() else 80, slash + path or "/")

    def _serve(self, conn: socket.socket, head: bytes, rest: bytes) -> None:
        lines = head.split(b"\r\n")
        parts = lines[0].decode("latin-1").split()
        if len(parts) != 3:
            _reply(conn, "400 Bad Request")
            return
        method, target, version = parts
        where = self._target(method.upper(), target, lines[1:])
        if where is None:
            _reply(conn, "400 Bad Request")
            return
        host, port, path = where
        decision = self.policy.decide_host(host, port, method.upper())
        address = self.resolve.get(decision.host)
        if decision.allowed and address is None:
            try:
                address = str(socket.getaddrinfo(decision.host, port, type=socket.SOCK_STREAM)[0][4][0])
            except OSError:
                self._record(Decision(decision.host, port, False, "blocked-by-policy", method))
                _reply(conn, "502 Bad Gateway", "dns-failure")
                return
        decision = self._record(self.policy.decide_address(decision, address or ""))
        if not decision.allowed:
            _reply(conn, "403 Forbidden", decision.reason)
            return
        with socket.create_connection((str(address), port), timeout=10) as upstream:
            if method.upper() == "CONNECT":
                conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
            else:
                kept = [h for h in lines[1:] if not h.lower().startswith((b"proxy-", b"connection:"))]
                request = [f"{method} {path} {version}".encode(), *kept, b"Connection: close"]
                upstream.sendall(b"\r\n".join(request) + b"\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            _splice(conn, upstream)

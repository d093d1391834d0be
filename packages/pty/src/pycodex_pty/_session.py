"""Process sessions: a command on a PTY or on pipes, in its own process group, read with a deadline."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import math
import os
import select
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel

from ._buffer import DEFAULT_OUTPUT_CAP, HeadTailBuffer
from .errors import SpawnError

__all__ = ["ProcessSession"]

logger = logging.getLogger(__name__)

_READ_CHUNK = 64 * 1024
_EXIT_POLL_S = 0.05
_DRAIN_GRACE_S = 0.15
"""How long output may still arrive after the process exited (a background child can hold it open)."""
_WRITE_POLL_MAX_S = 0.02


def _exec_problem(argv: Sequence[str], cwd: str | os.PathLike[str] | None, env: Mapping[str, str] | None) -> str | None:
    """Why the command cannot be passed to exec (a NUL byte somewhere), or `None` when it can."""
    if any("\0" in arg for arg in argv):
        return "argument contains a NUL byte"
    if cwd is not None and "\0" in os.fsdecode(cwd):
        return "working directory contains a NUL byte"
    if env is not None and any("\0" in key or "\0" in value or "=" in key for key, value in env.items()):
        return "environment contains a NUL byte or a bad variable name"
    return None


class ProcessSession:
    """A running command whose merged output is drained by a background thread.

    Create one with `ProcessSession.spawn`. Output accumulates in a capped head/tail buffer until
    `collect` takes it. The process runs in its own session and process group, so `kill` reaches
    everything it started.
    """

    def __init__(
        self,
        *,
        pid: int,
        read_fd: int,
        write_fd: int | None,
        tty: bool,
        output_cap: int,
        popen: subprocess.Popen[bytes] | None,
        pty_process: Any = None,
        on_output: Callable[[bytes], None] | None = None,
    ) -> None:
        self.pid = pid
        """Process id of the command (also its process-group id)."""
        self.tty = tty
        """Whether the command runs on a pseudo-terminal."""
        self._read_fd = read_fd
        self._write_fd = write_fd
        self._popen = popen
        self._pty = pty_process
        self._lock = threading.Lock()
        self._reap_lock = threading.Lock()
        self._write_lock = threading.Lock()
        """Held around each (non-blocking) write and while stdin is closed, so a write never hits a reused fd."""
        self._exit_seen: float | None = None
        self._pending = HeadTailBuffer(output_cap)
        self.last_take_dropped = 0
        """Bytes dropped from the middle of the output the last `take_output()` (or `collect()`) returned."""
        self._aggregated = HeadTailBuffer(output_cap)
        self._eof = False
        self._returncode: int | None = None
        self._loop = asyncio.get_running_loop()
        self._wakeup = anyio.Event()
        self._started = time.monotonic()
        self._on_output = on_output
        self._thread = threading.Thread(target=self._drain, name=f"pty-reader-{pid}", daemon=True)
        self._thread.start()

    @classmethod
    def spawn(
        cls,
        argv: Sequence[str],
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        tty: bool = False,
        output_cap: int = DEFAULT_OUTPUT_CAP,
        rows: int = 24,
        cols: int = 80,
        on_output: Callable[[bytes], None] | None = None,
        open_stdin: bool = False,
        pass_fds: Sequence[int] = (),
    ) -> ProcessSession:
        """Start `argv` and begin draining its output. Must be called from the event loop thread.

        With `tty=False` stdout and stderr share one pipe (so they interleave in arrival order) and
        stdin is `/dev/null`, so a command that reads its input sees end-of-file at once instead of
        waiting forever; `open_stdin=True` makes it a pipe that `write()` feeds. With `tty=True` the
        command gets a pseudo-terminal of `rows` x `cols`.

        Args:
            argv: The program and its arguments.
            cwd: Working directory (default: ours).
            env: The complete environment of the child (default: ours).
            tty: Run on a pseudo-terminal instead of pipes.
            output_cap: Maximum bytes of output kept (head and tail; the middle is dropped).
            rows: Terminal height when `tty` is set.
            cols: Terminal width when `tty` is set.
            on_output: Called with each chunk of output as it is read, from the reader thread (keep it
                short and thread-safe; an exception it raises is logged and the output still kept).
            open_stdin: Without `tty`, give the command a stdin pipe instead of `/dev/null`.
            pass_fds: Descriptors the command inherits besides 0-2 (every other one is closed).

        Raises:
            SpawnError: The program could not be started (not found, not executable, bad cwd).
        """
        argv = list(argv)
        if not argv:
            raise SpawnError(argv, "empty command")
        problem = _exec_problem(argv, cwd, env)
        if problem is not None:
            raise SpawnError(argv, problem)
        if cwd is not None and not Path(cwd).is_dir():
            raise SpawnError(argv, f"working directory {str(cwd)!r} does not exist")
        if tty:
            return cls._spawn_pty(
                argv,
                cwd=cwd,
                env=env,
                output_cap=output_cap,
                rows=rows,
                cols=cols,
                on_output=on_output,
                pass_fds=tuple(pass_fds),
            )
        try:
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=dict(env) if env is not None else None,
                stdin=subprocess.PIPE if open_stdin else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
                pass_fds=tuple(pass_fds),
            )
        except OSError as exc:
            raise SpawnError(argv, exc.strerror or str(exc)) from exc
        except ValueError as exc:  # what exec cannot take (a NUL byte, a bad variable name)
            raise SpawnError(argv, str(exc)) from exc
        assert popen.stdout is not None
        if popen.stdin is not None:
            os.set_blocking(popen.stdin.fileno(), False)
        return cls(
            pid=popen.pid,
            read_fd=popen.stdout.fileno(),
            write_fd=popen.stdin.fileno() if popen.stdin is not None else None,
            tty=False,
            output_cap=output_cap,
            popen=popen,
            on_output=on_output,
        )

    @classmethod
    def _spawn_pty(
        cls,
        argv: list[str],
        *,
        cwd: str | os.PathLike[str] | None,
        env: Mapping[str, str] | None,
        output_cap: int,
        rows: int,
        cols: int,
        on_output: Callable[[bytes], None] | None,
        pass_fds: tuple[int, ...] = (),
    ) -> ProcessSession:
        import shutil

        from ptyprocess import PtyProcess

        env_dict = dict(env) if env is not None else dict(os.environ)
        problem = _exec_problem(argv, None, env_dict)
        if problem is not None:
            raise SpawnError(argv, problem)
        if shutil.which(argv[0], path=env_dict.get("PATH")) is None and not os.access(argv[0], os.X_OK):
            raise SpawnError(argv, "No such file or directory")
        try:
            proc: Any = PtyProcess.spawn(
                argv,
                cwd=None if cwd is None else str(cwd),
                env=env_dict,
                dimensions=(rows, cols),
                echo=False,
                pass_fds=pass_fds,
            )
        except OSError as exc:
            raise SpawnError(argv, exc.strerror or str(exc)) from exc
        except ValueError as exc:
            raise SpawnError(argv, str(exc)) from exc
        # Writes must never block the event loop; the reader thread copes with EAGAIN (same descriptor).
        os.set_blocking(int(proc.fd), False)
        return cls(
            pid=int(proc.pid),
            read_fd=int(proc.fd),
            write_fd=int(proc.fd),
            tty=True,
            output_cap=output_cap,
            popen=None,
            pty_process=proc,
            on_output=on_output,
        )

    # -- background thread -------------------------------------------------------------------

    def _drain(self) -> None:
        fd = self._read_fd
        while True:
            try:
                data = os.read(fd, _READ_CHUNK)
            except BlockingIOError:
                # A PTY's master is non-blocking for the writer's sake: wait until there is something to read.
                try:
                    select.select([fd], [], [], 1.0)
                except (OSError, ValueError):
                    data = b""
                else:
                    continue
            except OSError as exc:
                if exc.errno == errno.EINTR:
                    continue
                data = b""  # EIO: the PTY's last slave closed
            if not data:
                break
            with self._lock:
                self._pending.append(data)
                self._aggregated.append(data)
            if self._on_output is not None:
                try:
                    self._on_output(data)
                except Exception:  # a listener's bug must not stop the draining
                    logger.exception("output listener of process %d failed", self.pid)
            self._notify()
        with self._lock:
            self._eof = True
        self._reap(block=True)
        if self._popen is not None:
            with self._write_lock:
                for stream in (self._popen.stdout, self._popen.stdin):
                    if stream is not None:
                        with contextlib.suppress(OSError):
                            stream.close()
                self._write_fd = None
        self._notify()

    def _notify(self) -> None:
        with contextlib.suppress(RuntimeError):  # loop closed: nobody is waiting any more
            self._loop.call_soon_threadsafe(self._set_wakeup)

    def _set_wakeup(self) -> None:
        self._wakeup.set()

    def _reap(self, *, block: bool) -> int | None:
        if self._returncode is not None:
            return self._returncode
        code: int | None
        if self._popen is not None:
            raw = self._popen.wait() if block else self._popen.poll()
            code = None if raw is None else (128 - raw if raw < 0 else raw)
        else:
            code = self._reap_pty(block=block)
            if code is None:
                return None
        self._returncode = code
        return code

    def _reap_pty(self, *, block: bool) -> int | None:
        # ptyprocess is not thread-safe: both threads may ask, so every call holds the lock and
        # the reader thread polls instead of blocking in waitpid while holding it.
        proc = self._pty
        while True:
            with self._reap_lock:
                if self._returncode is not None:
                    return self._returncode
                try:
                    alive = proc.isalive()
                except Exception:  # ptyprocess raises its own error when the child was reaped elsewhere
                    alive = False
                if not alive:
                    status = proc.signalstatus
                    return 128 + int(status) if status is not None else int(proc.exitstatus or 0)
            if not block:
                return None
            time.sleep(0.005)

    # -- public API --------------------------------------------------------------------------

    @property
    def returncode(self) -> int | None:
        """The exit code once the process has exited (128+N when killed by signal N), else `None`."""
        return self._reap(block=False)

    @property
    def has_exited(self) -> bool:
        """Whether the process has exited."""
        return self.returncode is not None

    @property
    def elapsed(self) -> float:
        """Seconds since the process started."""
        return time.monotonic() - self._started

    def take_output(self) -> bytes:
        """Return the output not taken yet (head and tail kept if it exceeded the cap).

        `last_take_dropped` then tells how many bytes were dropped from its middle.
        """
        with self._lock:
            self.last_take_dropped = self._pending.dropped
            return self._pending.take()

    def aggregated_output(self) -> bytes:
        """All output seen so far (capped the same way), whether taken or not."""
        with self._lock:
            return self._aggregated.getvalue()

    async def wait_exit(self, max_wait: float) -> int | None:
        """Wait up to `max_wait` seconds for the process to exit and its output to be drained.

        Once the process has exited, its output gets a short grace period to reach end-of-file,
        counted from when the exit was first seen: a background child that keeps the output open
        does not hold the caller until `max_wait`.

        Returns:
            The exit code, or `None` if the process is still running.
        """
        deadline = time.monotonic() + max_wait
        while True:
            self._wakeup = anyio.Event()
            code = self.returncode
            if code is not None and (self._eof or not self._thread.is_alive()):
                return code
            now = time.monotonic()
            if code is not None:
                if self._exit_seen is None:
                    self._exit_seen = now
                remaining = self._exit_seen + _DRAIN_GRACE_S - now
                if remaining <= 0:
                    return code
            else:
                remaining = deadline - now
                if remaining <= 0:
                    return None
            with anyio.move_on_after(min(remaining, _EXIT_POLL_S)):
                await self._wakeup.wait()

    async def collect(self, yield_time: float) -> tuple[bytes, int | None]:
        """Wait up to `yield_time` seconds for exit, then take the pending output.

        Returns:
            `(output, exit_code)`; `exit_code` is `None` while the process keeps running.
        """
        code = await self.wait_exit(yield_time)
        return self.take_output(), code

    async def write(self, data: bytes, max_wait: float | None = None) -> int:
        """Write `data` to the process's stdin (or terminal) without ever blocking the event loop.

        When the process does not read its input, the pipe (or terminal buffer) fills up and the
        write waits; it gives up after `max_wait` seconds (never, when `None`) and is cancellable.

        Returns:
            The number of bytes written: less than `len(data)` when `max_wait` expired first.

        Raises:
            BrokenPipeError: stdin is closed or the process has exited before anything was written.
        """
        view = memoryview(data)
        written = 0
        delay = 0.001
        with anyio.move_on_after(math.inf if max_wait is None else max(max_wait, 0.0)):
            while written < len(view):
                with self._write_lock:
                    fd = self._write_fd
                    if fd is None:
                        if written:
                            break
                        raise BrokenPipeError("stdin is closed")
                    try:
                        count = os.write(fd, view[written:])
                    except BlockingIOError:
                        count = 0
                    except OSError:  # EPIPE, or EIO from a terminal whose process is gone
                        if written:
                            break
                        raise
                if count:
                    written += count
                    delay = 0.001
                    await anyio.lowlevel.checkpoint()
                else:
                    await anyio.sleep(delay)
                    delay = min(delay * 2, _WRITE_POLL_MAX_S)
        return written

    def close_stdin(self) -> None:
        """Close the stdin pipe (EOF for the child); a no-op on a PTY."""
        if self._popen is not None and self._popen.stdin is not None:
            with self._write_lock:
                if not self._popen.stdin.closed:
                    with contextlib.suppress(OSError):
                        self._popen.stdin.close()
                self._write_fd = None

    def kill(self, grace: float = 0.5) -> None:
        """Stop the whole process group: SIGTERM now, SIGKILL `grace` seconds later (idempotent).

        The grace period lets shells and the tools they run release what they hold: a login shell
        killed outright can leave lock files behind (pyenv's shim lock, for one) that make every
        later login shell wait. With `grace <= 0` the group gets SIGKILL at once.

        The escalation runs in a non-daemon thread that ends as soon as the group is gone, so it
        still happens when the interpreter exits within the grace period.
        """
        if grace <= 0:
            self._signal_group(signal.SIGKILL)
            return
        if self._signal_group(signal.SIGTERM):
            thread = threading.Thread(
                target=self._escalate, args=(time.monotonic() + grace,), name=f"pty-kill-{self.pid}", daemon=False
            )
            thread.start()

    def _escalate(self, deadline: float) -> None:
        while time.monotonic() < deadline:
            if not self.group_alive:
                return
            time.sleep(min(_EXIT_POLL_S / 2, max(deadline - time.monotonic(), 0.0)))
        if self.group_alive:
            self._signal_group(signal.SIGKILL)

    @property
    def group_alive(self) -> bool:
        """Whether any process of the command's process group is still running (or not reaped yet)."""
        self._reap(block=False)
        try:
            os.killpg(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True

    def _signal_group(self, sig: signal.Signals) -> bool:
        """Send `sig` to the process group; False when the group is gone."""
        try:
            os.killpg(self.pid, sig)
        except ProcessLookupError:
            return False
        except PermissionError:
            logger.warning("could not signal process group %d", self.pid)
            return False
        if self._popen is None and self._pty is not None:
            # Also the terminal's child itself, should it have left the group. Not through ptyprocess, whose
            # `kill` raises its own error when the child was already reaped.
            with contextlib.suppress(OSError):
                os.kill(self.pid, sig)
        return True

    async def terminate(self, grace: float = 2.0) -> int | None:
        """Stop the process group (see `kill`) and wait up to `grace` seconds for the exit code."""
        self.kill(min(0.5, grace / 2))
        return await self.wait_exit(grace)

    def close(self, grace: float = 0.5) -> None:
        """Kill the process group (see `kill`) and release the file descriptors."""
        self.kill(grace)
        self.close_stdin()
        if self._pty is not None:
            with self._write_lock:
                self._write_fd = None
            with contextlib.suppress(Exception):
                self._pty.close(force=True)
        elif self._popen is not None and self._popen.stdout is not None:
            # The reader thread owns the read end until EOF; it ends once the group is dead.
            pass

    def __repr__(self) -> str:
        return f"ProcessSession(pid={self.pid!r}, tty={self.tty!r}, returncode={self._returncode!r})"

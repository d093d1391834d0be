"""`notify = ["prog", "arg"]`: run a program after each agent turn with Codex's `agent-turn-complete` JSON.

The program gets the JSON as one extra, last argument; its stdin, stdout and stderr are
`/dev/null`. It runs in the background, so the session never waits for it: a program still running
after `NOTIFY_TIMEOUT_S` is killed (its whole process group), every child is reaped, and at most
`MAX_RUNNING` run at once (a turn that ends while that many still run sends no notification). A
program that cannot start or fails is logged, never raised.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

import anyio
from anyio.abc import TaskGroup

__all__ = ["MAX_RUNNING", "NOTIFY_TIMEOUT_S", "TurnNotifier", "notify_client", "turn_complete_payload"]

logger = logging.getLogger(__name__)

NOTIFY_TIMEOUT_S = 10.0
"""A notify program still running after this is killed."""
MAX_RUNNING = 4
"""Notify programs running at once, at most."""
_REAP_S = 2.0
_CLIENTS = {"codex_exec": "codex_exec", "codex_cli_rs": "codex-tui"}


def notify_client(originator: str) -> str:
    """The `client` field Codex 0.169 sends: `codex_exec` for `codex exec`, `codex-tui` for the TUI."""
    return _CLIENTS.get(originator, originator)


def turn_complete_payload(
    *,
    thread_id: str,
    turn_id: str,
    cwd: str,
    client: str | None,
    input_messages: Sequence[str],
    last_assistant_message: str | None,
) -> dict[str, Any]:
    """The `agent-turn-complete` notification, keys in Codex's order (`client` left out when unknown)."""
    payload: dict[str, Any] = {"type": "agent-turn-complete", "thread-id": thread_id, "turn-id": turn_id, "cwd": cwd}
    if client:
        payload["client"] = client
    payload["input-messages"] = list(input_messages)
    payload["last-assistant-message"] = last_assistant_message
    return payload


class TurnNotifier:
    """Starts the `notify` program in the background for each completed turn.

    Args:
        argv: The program and its arguments (`notify` in config); empty: never notify.
        timeout_s: How long a program may run before it is killed.
    """

    def __init__(self, argv: Sequence[str], *, timeout_s: float = NOTIFY_TIMEOUT_S) -> None:
        self.argv = tuple(str(part) for part in argv)
        self.timeout_s = timeout_s
        self._running = 0
        self._idle = anyio.Event()
        self._idle.set()

    @property
    def running(self) -> int:
        """Notify programs not finished yet."""
        return self._running

    def start(self, tg: TaskGroup, payload: dict[str, Any]) -> bool:
        """Run the program with `payload` as its last argument, in `tg`; False when it was not started."""
        if not self.argv or not self.argv[0]:
            return False
        if self._running >= MAX_RUNNING:
            logger.warning("notify: %d programs still running; this turn's notification is skipped", self._running)
            return False
        try:
            argument = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        except (TypeError, ValueError):
            logger.exception("notify: the payload cannot be serialized")
            return False
        self._running += 1
        if self._idle.is_set():
            self._idle = anyio.Event()
        tg.start_soon(self._run, [*self.argv, argument])
        return True

    async def wait_idle(self, limit_s: float) -> None:
        """Wait up to `limit_s` seconds for every running program to finish (before shutdown)."""
        with anyio.move_on_after(limit_s):
            await self._idle.wait()

    async def _run(self, argv: list[str]) -> None:
        try:
            await run_bounded(argv, self.timeout_s)
        finally:
            self._running -= 1
            if self._running == 0:
                self._idle.set()


async def run_bounded(argv: list[str], timeout_s: float) -> int | None:
    """Run `argv` with no stdio for at most `timeout_s` seconds; kill its process group after; always reap it.

    Returns:
        The exit status, or `None` when it could not start or was killed.
    """
    posix = sys.platform != "win32"
    try:
        proc = await anyio.open_process(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=posix,
        )
    except (OSError, ValueError) as exc:
        logger.warning("notify: cannot run %r: %s", argv[0], exc)
        return None
    try:
        with anyio.move_on_after(timeout_s):
            code = await proc.wait()
            if code:
                logger.warning("notify: %r exited with status %d", argv[0], code)
            return code
        logger.warning("notify: %r still running after %.0f s; killed", argv[0], timeout_s)
        return None
    finally:
        if proc.returncode is None:
            with anyio.CancelScope(shield=True):
                _kill(proc.pid, posix, proc)
                with anyio.move_on_after(_REAP_S):
                    await proc.wait()


def _kill(pid: int, posix: bool, proc: Any) -> None:
    try:
        if posix:
            os.killpg(pid, signal.SIGKILL)
        else:
            proc.kill()
    except (ProcessLookupError, PermissionError):
        pass

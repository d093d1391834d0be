"""Drive the interactive `codex` in a detached tmux session: send keys, read the pane, with deadlines."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

__all__ = ["Tmux", "have_tmux"]


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


class Tmux:
    """One tmux server (own socket) with one window running `argv`."""

    def __init__(self, argv: list[str], *, cwd: Path, env: dict[str, str], width: int = 120, height: int = 40):
        self.socket = f"pycodex-{uuid.uuid4().hex[:10]}"
        self.target = "main"
        env = {**env, "TERM": "xterm-256color"}
        env.pop("TMUX", None)
        exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items() if k.isidentifier())
        command = f"cd {shlex.quote(str(cwd))} && env -i {exports} {shlex.join(argv)}; echo __EXIT_$?__; sleep 30"
        self._tmux(
            "new-session", "-d", "-s", self.target, "-x", str(width), "-y", str(height), "bash", "--norc", "-c", command
        )
        self._tmux("set-option", "-t", self.target, "history-limit", "50000")

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=10,
            check=False,
        )
        return done.stdout

    def send(self, *keys: str) -> None:
        """`send-keys` (tmux key names such as `Enter`, `Escape`, `C-c`)."""
        self._tmux("send-keys", "-t", self.target, *keys)

    def type(self, text: str) -> None:
        """Type literal text."""
        self._tmux("send-keys", "-t", self.target, "-l", text)

    def screen(self) -> str:
        """The visible pane."""
        return self._tmux("capture-pane", "-p", "-t", self.target)

    def history(self) -> str:
        """The pane with all of its scrollback."""
        return self._tmux("capture-pane", "-p", "-S", "-50000", "-t", self.target)

    def wait_idle(self, timeout: float = 45.0) -> None:
        """Poll until no turn is running (the status indicator is gone)."""
        deadline = time.monotonic() + timeout
        while "esc to interrupt" in self.screen():
            if time.monotonic() > deadline:
                raise TimeoutError(f"still working after {timeout}s:\n{self.screen()}")
            time.sleep(0.05)

    def wait_for(self, text: str, timeout: float = 45.0, *, scrollback: bool = False) -> str:
        """Poll until `text` shows; raise `TimeoutError` with the screen otherwise."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.history() if scrollback else self.screen()
            if text in shown:
                return shown
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} not shown within {timeout}s; screen:\n{shown}")
            time.sleep(0.05)

    def close(self) -> None:
        self._tmux("kill-server")


def codex_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "pycodex_cli", *args]


def clean_env(home: Path, **extra: str) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "USER", "SHELL", "VIRTUAL_ENV", "PYTHONPATH")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    user_home = home.parent / "user-home"  # a clean HOME: no login scripts that slow `bash -lc` down
    user_home.mkdir(exist_ok=True)
    env.update({"CODEX_HOME": str(home), "HOME": str(user_home), "MOCK_API_KEY": "test-key"})
    env.update(extra)
    return env

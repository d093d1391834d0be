"""The server child exits by itself when the process that started it dies."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

SCRIPT = """
import sys, time
from pycodex_local_models import start_llamacpp
server = start_llamacpp(max_seconds=300)
print(server.pid, server.base_url, flush=True)
time.sleep(300)
"""


def process_gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    try:
        # A zombie waiting for a non-reaping init has exited too.
        return stat.read_text(encoding="utf-8").rsplit(")", 1)[1].split()[0] == "Z"
    except (OSError, IndexError):
        return False


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="POSIX process checks")
def test_child_exits_when_parent_dies() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, encoding="utf-8"
    )
    child_pid = 0
    try:
        assert parent.stdout is not None
        line = parent.stdout.readline()  # bounded: start_llamacpp gives up after 60 s
        child_pid_text, base_url = line.split()
        child_pid = int(child_pid_text)
        assert not process_gone(child_pid)
        parent.kill()
        parent.wait(10)
        killed_at = time.monotonic()
        while not process_gone(child_pid):
            assert time.monotonic() - killed_at < 10, f"server child {child_pid} outlived its parent"
            time.sleep(0.05)
        print(f"child exited {time.monotonic() - killed_at:.2f}s after its parent")
    finally:
        if child_pid and not process_gone(child_pid):
            os.kill(child_pid, 9)
        if parent.poll() is None:
            parent.kill()
            parent.wait(10)
        if parent.stdout is not None:
            parent.stdout.close()

"""`codex exec` against every hostile server mode, on both wires: no traceback, a finished turn, bounded memory."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pytest
from e2e_support import Env, codex_command, message_turn, parse_jsonl

from pycodex_test_support import HOSTILE_MODES, ScriptedServer, Turn, hostile_turn

RSS_LIMIT_MB = 300
"""Peak resident memory allowed for one run of the endless and huge modes (Codex 0.169 stays near 150)."""
ENDLESS_BYTES = 200 * 1024 * 1024
"""How much text `endless_deltas` streams before it answers: well past `RSS_LIMIT_MB`, so memory that grows with
the stream fails the test."""


@dataclass
class Run:
    rc: int
    stdout: bytes
    stderr: str
    peak_rss_mb: float

    @property
    def events(self) -> list[dict[str, Any]]:
        return parse_jsonl(self.stdout.decode("utf-8"))


def _drain(stream: IO[bytes] | None, into: list[bytes]) -> None:
    if stream is not None:
        into.append(stream.read())


def run_exec(env: Env, turns: list[Turn], *, chat: bool, json_mode: bool = True, timeout: float = 40) -> Run:
    """Run `codex exec` against `turns` under read-only; measure the child's peak RSS.

    The peak is the child's own `VmHWM`, sampled from /proc while it runs: `wait4`'s `ru_maxrss` also
    counts the memory of the pytest worker the child was forked from, which a long suite makes large.
    """
    provider = (
        f'wire_api = "{"chat" if chat else "responses"}"\n'
        "stream_max_retries = 1\nrequest_max_retries = 0\nstream_idle_timeout_ms = 800\n"
    )
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, provider=provider, extra="[tools.update_plan]\nenabled = true")
        config = env.home / "config.toml"
        text = config.read_text(encoding="utf-8").replace('wire_api = "responses"\n', "", 1)
        config.write_text(text.replace("danger-full-access", "read-only"), encoding="utf-8")
        args = [*codex_command(), *(["--json"] if json_mode else []), "--skip-git-repo-check", "go"]
        proc = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=env.work,
            env=env.environ(),
        )
        out: list[bytes] = []
        err: list[bytes] = []
        readers = [
            threading.Thread(target=_drain, args=(proc.stdout, out), daemon=True),
            threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True),
        ]
        peak: list[int] = [0]
        sampler = threading.Thread(target=_sample_hwm, args=(proc.pid, peak, readers[0]), daemon=True)
        for thread in (*readers, sampler):
            thread.start()
        readers[0].join(timeout)
        if readers[0].is_alive():
            proc.kill()
        sampler.join(5)
        _, status, _usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        for reader in readers:
            reader.join(5)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
    return Run(proc.returncode, b"".join(out), b"".join(err).decode("utf-8", errors="replace"), peak[0] / 1024)


def _sample_hwm(pid: int, peak: list[int], stdout_reader: threading.Thread) -> None:
    """Keep the highest `VmHWM` (KiB) of `pid` in `peak[0]` until its stdout closes (it is about to exit)."""
    status = Path(f"/proc/{pid}/status")
    while True:
        try:
            for line in status.read_text(encoding="utf-8").splitlines():
                if line.startswith("VmHWM:"):
                    peak[0] = max(peak[0], int(line.split()[1]))
        except (OSError, ValueError):
            return
        if not stdout_reader.is_alive():
            return
        time.sleep(0.02)


def _turns(mode: str, chat: bool) -> list[Turn]:
    total = ENDLESS_BYTES if mode == "endless_deltas" else None
    hostile = hostile_turn(mode, chat=chat, total_bytes=total, times=2)
    # A tool call in a hostile answer asks for a follow-up: plain answers finish the turn.
    return [hostile, message_turn("after"), message_turn("after"), message_turn("after")]


_CASES = [
    pytest.param(
        mode,
        chat,
        id=f"{mode}-{'chat' if chat else 'responses'}",
    )
    for mode in HOSTILE_MODES
    for chat in (False, True)
]


@pytest.mark.parametrize(("mode", "chat"), _CASES)
def test_hostile_mode(env: Env, mode: str, chat: bool) -> None:
    run = run_exec(env, _turns(mode, chat), chat=chat)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    run.stdout.decode("utf-8")  # never an invalid byte on stdout
    types = [e["type"] for e in run.events]
    assert types[-1] in ("turn.completed", "turn.failed"), (types[-5:], run.stderr[-2000:])
    assert run.rc == (0 if types[-1] == "turn.completed" else 1)
    if mode in ("huge_line", "endless_deltas"):
        assert 10 < run.peak_rss_mb < RSS_LIMIT_MB, run.peak_rss_mb  # sampled: never 0
    if mode in ("keepalive", "huge_line"):
        assert types[-1] == "turn.failed"
        assert "Reconnecting... 1/1" in str(run.events)
    if mode == "surrogates":
        plans = [e["item"] for e in run.events if e.get("item", {}).get("type") == "todo_list"]
        assert plans and plans[0]["items"][0]["text"] == "s\ufffd"


@pytest.mark.parametrize("chat", [False, True], ids=["responses", "chat"])
@pytest.mark.parametrize("mode", ["surrogates", "wrong_types", "deep"])
def test_hostile_mode_human_output(env: Env, mode: str, chat: bool) -> None:
    run = run_exec(env, _turns(mode, chat), chat=chat, json_mode=False)
    assert "Traceback" not in run.stderr, run.stderr[-3000:]
    run.stdout.decode("utf-8")
    assert run.rc == 0, run.stderr[-2000:]

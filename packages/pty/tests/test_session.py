import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import anyio
import pytest

from pycodex_pty import ProcessSession, SpawnError

pytestmark = pytest.mark.anyio


async def test_pipes_merge_stdout_and_stderr_in_order() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "echo out; sleep 0.05; echo err >&2; exit 3"])
        out, code = await proc.collect(5)
    assert out == b"out\nerr\n"
    assert code == 3
    assert proc.aggregated_output() == b"out\nerr\n"


async def test_env_and_cwd(tmp_path: Path) -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(
            ["/bin/sh", "-c", 'echo "$FOO"; pwd'], cwd=str(tmp_path), env={"FOO": "bar", "PATH": "/usr/bin:/bin"}
        )
        out, code = await proc.collect(5)
    assert out.decode().splitlines() == ["bar", str(await anyio.Path(tmp_path).resolve())]
    assert code == 0


async def test_yield_deadline_returns_while_running_then_stdin() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "echo ready; read line; echo got:$line"], open_stdin=True)
        out, code = await proc.collect(0.3)
        assert code is None
        assert out == b"ready\n"
        await proc.write(b"hello\n")
        out, code = await proc.collect(3)
    assert out == b"got:hello\n"
    assert code == 0


async def test_tty_mode_is_a_terminal() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "test -t 0 && test -t 1 && echo tty"], tty=True)
        out, code = await proc.collect(5)
    assert code == 0
    assert b"tty" in out


async def test_tty_interactive_input() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "read x; echo you said $x"], tty=True)
        await proc.write(b"hi\n")
        out, code = await proc.collect(3)
    assert code == 0
    assert b"you said hi" in out


async def test_kill_reaches_the_whole_group() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "sleep 30 & echo $!; wait"])
        await anyio.sleep(0.2)
        child = int(proc.take_output().split()[0])
        code = await proc.terminate()
    assert code == 128 + signal.SIGTERM
    await anyio.sleep(0.1)
    assert not _alive(child)


async def test_kill_escalates_to_sigkill_when_sigterm_is_ignored() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "trap '' TERM; echo ready; while :; do sleep 0.05; done"])
        await anyio.sleep(0.2)
        assert b"ready" in proc.take_output()
        proc.kill(grace=0.2)
        code = await proc.wait_exit(3)
    assert code == 128 + signal.SIGKILL


async def test_kill_without_grace_is_immediate() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["sleep", "30"])
        proc.kill(grace=0)
        code = await proc.wait_exit(3)
    assert code == 128 + signal.SIGKILL


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            state = f.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


async def test_exit_detected_while_background_child_holds_pipe() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "sleep 3 & echo started"])
        out, code = await proc.collect(2)
        proc.kill()
    assert code == 0
    assert out == b"started\n"


async def test_output_cap_keeps_head_and_tail() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(
            ["python3", "-c", "import sys; sys.stdout.write('A'*1000 + 'B'*5000 + 'C'*1000)"], output_cap=2000
        )
        out, code = await proc.collect(5)
    assert code == 0
    assert out == b"A" * 1000 + b"C" * 1000


async def test_missing_program_raises() -> None:
    with pytest.raises(SpawnError, match="no-such-program"):
        ProcessSession.spawn(["no-such-program-xyz"])
    with pytest.raises(SpawnError):
        ProcessSession.spawn(["no-such-program-xyz"], tty=True)


async def test_write_to_a_process_not_reading_stdin_keeps_the_loop_running_and_stops_at_the_deadline() -> None:
    ticks: list[float] = []

    async def ticker() -> None:
        while True:
            ticks.append(time.monotonic())
            await anyio.sleep(0.02)

    written = 0
    started = time.monotonic()
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["sleep", "30"], open_stdin=True)
        try:
            async with anyio.create_task_group() as tg:
                tg.start_soon(ticker)
                started = time.monotonic()
                written = await proc.write(b"x" * 1_000_000, max_wait=0.4)
                tg.cancel_scope.cancel()
        finally:
            proc.kill(grace=0)
    assert 0 < written < 1_000_000
    assert 0.3 < time.monotonic() - started < 2
    assert max(b - a for a, b in zip(ticks, ticks[1:], strict=False)) < 0.2


@pytest.mark.parametrize("tty", [False, True])
async def test_pending_write_is_cancellable(tty: bool) -> None:
    with anyio.fail_after(5):
        # In canonical mode a terminal drops what does not fit; in raw mode its buffer fills up like a pipe.
        proc = ProcessSession.spawn(["bash", "-c", "stty raw -echo; exec sleep 30"], tty=tty, open_stdin=True)
        try:
            await anyio.sleep(0.2)
            with anyio.move_on_after(0.3) as scope:
                await proc.write(b"y" * 1_000_000)
            assert scope.cancelled_caught
            code = await proc.terminate(1)
        finally:
            proc.kill(grace=0)
    assert code == 128 + signal.SIGTERM


async def test_tty_output_still_read_after_a_full_write() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "stty raw -echo; sleep 0.5; echo done"], tty=True)
        await anyio.sleep(0.2)
        written = await proc.write(b"z" * 200_000, max_wait=0.2)
        out, code = await proc.collect(3)
    assert written < 200_000
    assert code == 0
    assert b"done" in out


def test_kill_escalation_happens_even_when_the_interpreter_exits(tmp_path: Path) -> None:
    pidfile = tmp_path / "pid"
    script = f"""
import anyio, time
from pathlib import Path
from pycodex_pty import ProcessSession

async def main():
    proc = ProcessSession.spawn(["bash", "-c", "trap '' TERM; echo $$ > {pidfile}; while :; do sleep 0.05; done"])
    while not Path({str(pidfile)!r}).exists():
        await anyio.sleep(0.02)
    await anyio.sleep(0.1)
    proc.kill(grace=0.3)

anyio.run(main)
"""
    subprocess.run([sys.executable, "-c", script], timeout=10, check=True)
    pid = int(pidfile.read_text(encoding="utf-8"))
    deadline = time.monotonic() + 2
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    try:
        assert not _alive(pid)
    finally:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)


async def test_wait_exit_returns_soon_after_exit_when_a_background_child_holds_the_output() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "sleep 30 & echo started"])
        proc.close_stdin()
        started = time.monotonic()
        try:
            code = await proc.wait_exit(4)
            took = time.monotonic() - started
        finally:
            proc.kill(grace=0)
    assert code == 0
    assert took < 1
    assert proc.aggregated_output() == b"started\n"


@pytest.mark.parametrize("tty", [False, True])
def test_nul_bytes_raise_spawn_error(tty: bool) -> None:
    with pytest.raises(SpawnError, match="NUL"):
        ProcessSession.spawn(["echo", "a\0b"], tty=tty)
    with pytest.raises(SpawnError, match="NUL"):
        ProcessSession.spawn(["echo", "ab"], env={"A": "x\0y"}, tty=tty)

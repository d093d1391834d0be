import signal
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
        proc = ProcessSession.spawn(["bash", "-c", "echo ready; read line; echo got:$line"])
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

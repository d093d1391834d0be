"""A command without a terminal reads end-of-file from stdin at once instead of waiting for input."""

from __future__ import annotations

import anyio
import pytest

from pycodex_pty import ProcessSession

pytestmark = pytest.mark.anyio


@pytest.mark.parametrize(
    "argv",
    [
        ["python3", "-c", "input()"],
        ["cat"],
        ["bash", "-c", "read -p 'name? ' x; echo got:$x:"],
    ],
)
async def test_non_tty_stdin_is_at_eof(argv: list[str]) -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(argv)
        try:
            code = await proc.wait_exit(3)
        finally:
            proc.kill(grace=0)
    assert code is not None


async def test_non_tty_write_without_open_stdin_is_a_broken_pipe() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["sleep", "5"])
        try:
            with pytest.raises(BrokenPipeError):
                await proc.write(b"x\n")
        finally:
            proc.kill(grace=0)


async def test_open_stdin_keeps_a_pipe() -> None:
    with anyio.fail_after(5):
        proc = ProcessSession.spawn(["bash", "-c", "read x; echo got:$x"], open_stdin=True)
        await proc.write(b"hi\n")
        out, code = await proc.collect(3)
    assert (out, code) == (b"got:hi\n", 0)

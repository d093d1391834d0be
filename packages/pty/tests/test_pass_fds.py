"""`pass_fds`: the command inherits exactly the descriptors it is given, on pipes and on a terminal."""

from __future__ import annotations

import os
import sys

import anyio
import pytest

from pycodex_pty import ProcessSession

pytestmark = pytest.mark.anyio

_WRITE = (
    "import os, sys\n"
    "try:\n    os.write(int(sys.argv[1]), b'hi')\n    print('wrote')\n"
    "except OSError:\n    print('closed')\n"
)


@pytest.mark.parametrize("tty", [False, True])
@pytest.mark.parametrize("passed", [False, True])
async def test_only_passed_descriptors_reach_the_command(tty: bool, passed: bool) -> None:
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    try:
        with anyio.fail_after(10):
            argv = [sys.executable, "-c", _WRITE, str(write_end)]
            proc = ProcessSession.spawn(argv, tty=tty, pass_fds=(write_end,) if passed else ())
            try:
                assert await proc.wait_exit(8) == 0
                await anyio.sleep(0.1)  # the reader thread drains what is left
                out = proc.take_output()
            finally:
                proc.kill(grace=0)
        os.close(write_end)
        write_end = -1
        assert (os.read(read_end, 10) == b"hi") is passed
        assert (b"wrote" if passed else b"closed") in out
    finally:
        os.close(read_end)
        if write_end >= 0:
            os.close(write_end)

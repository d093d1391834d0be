"""The session tells how many bytes its capture buffer dropped, so a tool can report the true output size."""

from __future__ import annotations

import anyio
import pytest

from pycodex_pty import ProcessSession

pytestmark = pytest.mark.anyio


async def test_take_output_tells_how_much_the_buffer_dropped() -> None:
    with anyio.fail_after(10):
        proc = ProcessSession.spawn(
            ["python3", "-c", "import sys; sys.stdout.write('x' * 300_000)"], output_cap=100_000
        )
        out, code = await proc.collect(5)
    assert code == 0
    assert len(out) == 100_000
    assert proc.last_take_dropped == 200_000

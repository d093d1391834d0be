"""Start-up edge cases of the embedded server that need no model (plus one slow check)."""

from __future__ import annotations

import math
import subprocess
import sys
import tempfile
import threading
import time

import pytest

import pycodex_local_models._llamacpp as llamacpp
from pycodex_local_models import EmbeddedServerError, start_llamacpp
from pycodex_local_models._serve import lifetime_timeout


def test_lifetime_timeout_accepts_infinity() -> None:
    assert lifetime_timeout(math.inf) is None
    assert lifetime_timeout(1e300) is None
    assert lifetime_timeout(30.0) == 30.0
    # The result must be a valid Event.wait timeout (math.inf raised OverflowError).
    assert threading.Event().wait(lifetime_timeout(0.01)) is False


@pytest.mark.parametrize("value", [0.0, -1.0, math.nan])
def test_start_rejects_non_positive_max_seconds(value: float) -> None:
    with pytest.raises(ValueError, match="max_seconds"):
        start_llamacpp(max_seconds=value)


def test_wait_healthy_notices_dead_child(closed_port_url: str) -> None:
    code = "import sys; sys.stderr.write('boom: child crashed\\n'); sys.exit(3)"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=log)
        try:
            process.wait(10)
            started = time.monotonic()
            address = closed_port_url.removesuffix("/v1")
            with pytest.raises(EmbeddedServerError, match="status 3") as info:
                llamacpp._wait_healthy(process, log, address, deadline=started + 20)
            assert time.monotonic() - started < 2
            assert "boom: child crashed" in str(info.value)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(5)
            assert process.stdout is not None
            process.stdout.close()


@pytest.mark.slow
def test_start_with_unlimited_lifetime_stays_up() -> None:
    with start_llamacpp(max_seconds=math.inf, startup_timeout=60) as server:
        time.sleep(1.0)
        assert server.running

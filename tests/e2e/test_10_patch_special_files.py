"""Issue 10, item 2: `codex exec` deletes links to devices and FIFOs without reading them (no hang, no OOM)."""

from __future__ import annotations

import os

import pytest
from e2e_support import Env, message_turn, patch_turn

from pycodex_test_support import ScriptedServer

DELETE = "*** Begin Patch\n*** Delete File: cache\n*** Delete File: pipe\n*** End Patch\n"


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="needs FIFOs and /dev/zero")
def test_exec_deletes_a_link_to_dev_zero_and_a_fifo(env: Env) -> None:
    (env.work / "cache").symlink_to("/dev/zero")
    os.mkfifo(env.work / "pipe")
    with ScriptedServer([patch_turn("call_1", DELETE), message_turn("done")]) as server:
        env.write_config(server.base_url)
        r = env.run("--json", "-s", "workspace-write", "clean up", timeout=60)
    assert r.rc == 0, r.stderr
    [change] = [item for item in r.items("file_change") if item["status"] == "completed"]
    assert [c["kind"] for c in change["changes"]] == ["delete", "delete"]
    assert not os.path.lexists(env.work / "cache")
    assert not os.path.lexists(env.work / "pipe")

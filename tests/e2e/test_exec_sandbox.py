"""`codex exec` under workspace-write runs commands for real inside the OS sandbox."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from e2e_support import Env, exec_turn, message_turn

from pycodex_test_support import ScriptedServer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the bubblewrap sandbox is Linux-only")


def test_workspace_write_runs_inside_and_reports_the_denial_outside(env: Env) -> None:
    scratch = Path(tempfile.mkdtemp(prefix="pycodex-exec-sandbox-", dir="/var/tmp"))
    try:
        outside = scratch / "escape.txt"
        turns = [
            exec_turn("c1", "echo sandboxed > inside.txt && cat inside.txt"),
            exec_turn("c2", f"echo no > {outside}"),
            message_turn("done"),
        ]
        with ScriptedServer(turns) as server:
            env.write_config(server.base_url)
            r = env.run("--json", "-s", "workspace-write", "write files")
            outputs = [
                i["output"] for req in server.requests for i in req.json["input"] if i["type"] == "function_call_output"
            ]
        assert r.rc == 0, r.stderr
        assert (env.work / "inside.txt").read_text(encoding="utf-8") == "sandboxed\n"
        assert not outside.exists()
        statuses = [i["status"] for i in r.items("command_execution")]
        assert statuses == ["completed", "failed"]
        assert "Read-only file system" in outputs[-1]
    finally:
        shutil.rmtree(scratch, ignore_errors=True)

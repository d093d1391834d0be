"""`notify`: the program `codex exec` runs after a turn gets the same argument from pycodex as from Codex 0.169."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from e2e_support import Env, message_turn, real_codex

from pycodex_test_support import ScriptedServer

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
RECORDER = "import json, sys\nwith open(sys.argv[1], 'a') as f:\n    f.write(json.dumps(sys.argv[2:]) + '\\n')\n"


def _notified(root: Path, name: str, command: list[str] | None) -> list[str]:
    home, work = root / name / "home", root / name / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    env = Env(home, work)
    script, out = root / name / "recorder.py", root / name / "notified.txt"
    script.write_text(RECORDER, encoding="utf-8")
    notify = "notify = " + json.dumps([sys.executable, str(script), str(out), "first"])
    with ScriptedServer([message_turn("Done here")]) as server:
        env.write_config(server.base_url, extra=f"{notify}\ncheck_for_update_on_startup = false")
        result = env.run("say hi", command=command, timeout=90)
    assert result.rc == 0, result.stderr
    deadline = time.monotonic() + 10
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    (line,) = out.read_text(encoding="utf-8").splitlines()
    return [UUID.sub("<uuid>", arg).replace(str(work), "<work>") for arg in json.loads(line)]


def test_notify_argument_of_codex_exec(var_tmp: Path) -> None:
    ours = _notified(var_tmp, "ours", None)
    assert ours == [
        "first",
        '{"type":"agent-turn-complete","thread-id":"<uuid>","turn-id":"<uuid>","cwd":"<work>",'
        '"client":"codex_exec","input-messages":["say hi"],"last-assistant-message":"Done here"}',
    ]
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.skip("the real Codex 0.169 binary is not installed")
    assert _notified(var_tmp, "codex", [str(binary), "exec"]) == ours

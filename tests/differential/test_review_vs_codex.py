"""`codex exec review --uncommitted` sends the review request Codex 0.169 sends and prints the findings.

Compared with fixtures/codex_0169_review_uncommitted.json, recorded from Codex 0.169 against the
scripted server with the same model answer (only shapes and facts are kept, not Codex's prompt).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pycodex_test_support import ScriptedServer, ev_completed, ev_message, ev_response_created, sse_turn

RECORDING: dict[str, Any] = json.loads(
    (Path(__file__).parent / "fixtures" / "codex_0169_review_uncommitted.json").read_text(encoding="utf-8")
)


def _repo(root: Path) -> Path:
    work = root / "work"
    work.mkdir()
    git = ["git", "-c", "user.email=t@example.invalid", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q"], cwd=work, check=True)
    (work / "a.py").write_text("x = 1\n", encoding="utf-8")
    subprocess.run([*git, "add", "a.py"], cwd=work, check=True)
    subprocess.run([*git, "commit", "-qm", "init"], cwd=work, check=True)
    (work / "a.py").write_text("for i in range(3):\n    pass\n", encoding="utf-8")
    (work / "b.txt").write_text("new\n", encoding="utf-8")
    return work


def test_exec_review_uncommitted_matches_the_recording(tmp_path: Path) -> None:
    work = _repo(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    answer = json.dumps(RECORDING["model_answer"]).replace("$WORK", str(work))
    turn = sse_turn([ev_response_created("r1"), ev_message("m1", answer), ev_completed("r1", 5, 3)])
    with ScriptedServer([turn]) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
        env["CODEX_HOME"] = str(home)
        done = subprocess.run(
            [sys.executable, "-m", "pycodex_cli", "exec", "review", "--uncommitted", "--json"],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
        requests = list(server.requests)
    assert done.returncode == 0, done.stderr
    assert len(requests) == RECORDING["request_count"]
    request = requests[0]
    body = request.json
    for name, value in RECORDING["headers"].items():
        assert request.headers.get(name) == value, name
    assert body["client_metadata"]["x-openai-subagent"] == RECORDING["client_metadata_subagent"]
    metadata = json.loads(request.headers["x-codex-turn-metadata"])
    for key in ("subagent_kind", "thread_source"):
        assert metadata[key] == RECORDING["turn_metadata"][key], key
    assert set(RECORDING["body_keys"]) <= set(body)
    roles = [item.get("role") for item in body["input"]]
    assert roles == RECORDING["input_roles"]
    # The review instructions (pycodex's wording) replace the base prompt as the first developer message.
    first = body["input"][0]["content"][0]["text"]
    assert first.startswith("# Code review") and '"findings"' in first
    last = body["input"][-1]["content"][0]["text"]
    assert all(word in last for word in RECORDING["last_user_mentions"])
    events = [json.loads(line) for line in done.stdout.splitlines()]
    expected = json.loads(json.dumps(RECORDING["jsonl"]).replace("$WORK", str(work)))
    assert [e["type"] for e in events] == [e["type"] for e in expected]
    message = next(e for e in events if e["type"] == "item.completed")
    assert message["item"] == next(e for e in expected if e["type"] == "item.completed")["item"]


def test_codex_review_prints_the_findings(tmp_path: Path) -> None:
    work = _repo(tmp_path)
    home = tmp_path / "home"
    home.mkdir()
    answer = json.dumps(RECORDING["model_answer"]).replace("$WORK", str(work))
    turn = sse_turn([ev_response_created("r1"), ev_message("m1", answer), ev_completed("r1", 5, 3)])
    with ScriptedServer([turn]) as server:
        (home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\n[model_providers.mock]\nname = "mock"\n'
            f'base_url = "{server.base_url}"\nwire_api = "responses"\n',
            encoding="utf-8",
        )
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
        env["CODEX_HOME"] = str(home)
        done = subprocess.run(
            [sys.executable, "-m", "pycodex_cli", "review", "--uncommitted"],
            cwd=work,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=120,
        )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout == f"One bug.\n\nReview comment:\n\n- [P1] Off-by-one in loop — {work}/a.py:2-3\n"
        "  The loop skips the last element.\n"
    )

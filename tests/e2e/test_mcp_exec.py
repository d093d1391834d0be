"""MCP tools end to end through `codex exec --json`: real servers, a scripted model, and Codex 0.169 beside us.

Servers: `@modelcontextprotocol/server-everything` and `server-filesystem` (npm), `mcp-server-time`
(PyPI), and the mcp SDK's own server over streamable HTTP on 127.0.0.1. The model first runs a
short `sleep` (Codex 0.169 offers a server's tools only once it has started), then calls tools of
each server; the `mcp_tool_call` items of both programs must be equal.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from e2e_support import (
    MCP_TEST_SERVERS as SERVERS,
    REPO,
    Env,
    Result,
    _u,
    exec_turn,
    mcp_http_server,
    message_turn,
    real_codex,
)

from pycodex_test_support import ScriptedServer, Turn, ev_function_call, ev_response_created, sse_turn

NPM_BIN = REPO / "tests" / "mcp_servers" / "node_modules" / ".bin"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}")


def _npm(name: str) -> str:
    path = NPM_BIN / f"mcp-{name}"
    if not path.exists():
        pytest.fail(f"{path} is missing: run `npm install --no-audit --no-fund --prefix tests/mcp_servers`")
    return str(path)


def _mcp_call(call_id: str, namespace: str, name: str, arguments: dict[str, Any]) -> Turn:
    event = ev_function_call(call_id, name, json.dumps(arguments))
    event["item"]["namespace"] = namespace
    return sse_turn([ev_response_created(f"r_{call_id}"), event, _u(f"r_{call_id}")])


def _servers(files: Path, url: str) -> str:
    return (
        f'[mcp_servers.everything]\ncommand = "{_npm("server-everything")}"\n\n'
        f'[mcp_servers.files]\ncommand = "{_npm("server-filesystem")}"\nargs = ["{files}"]\n\n'
        f'[mcp_servers.time]\ncommand = "{sys.executable}"\n'
        'args = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n\n'
        f'[mcp_servers.web]\nurl = "{url}"\n'
    )


def _script(files: Path) -> list[Turn]:
    return [
        exec_turn("c0", "sleep 8"),
        _mcp_call("c1", "mcp__everything", "echo", {"message": "hi"}),
        _mcp_call("c2", "mcp__everything", "get_structured_content", {"location": "New York"}),
        _mcp_call("c3", "mcp__everything", "get_sum", {"a": "x"}),
        _mcp_call("c4", "mcp__files", "read_text_file", {"path": str(files / "note.txt")}),
        _mcp_call("c5", "mcp__files", "list_directory", {"path": str(files)}),
        _mcp_call(
            "c6",
            "mcp__time",
            "convert_time",
            {"source_timezone": "UTC", "time": "12:00", "target_timezone": "Asia/Tokyo"},
        ),
        _mcp_call("c7", "mcp__web", "add", {"a": 2, "b": 40}),
        _mcp_call("c8", "mcp__everything", "trigger_elicitation_request", {}),  # headless: declined
        message_turn("All done"),
    ]


def _run(root: Path, name: str, url: str, command: list[str] | None) -> tuple[Result, list[Any], Path]:
    home, work, files = root / name / "home", root / name / "work", root / name / "files"
    for path in (home, work, files):
        path.mkdir(parents=True)
    (files / "note.txt").write_text("a note\n", encoding="utf-8")
    env = Env(home, work)
    with ScriptedServer(_script(files)) as server:
        env.write_config(
            server.base_url, extra="check_for_update_on_startup = false\n" + "[analytics]\nenabled = false\n"
        )
        with (home / "config.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n" + _servers(files, url))
        result = env.run("--json", "--skip-git-repo-check", "use the tools", command=command, timeout=120)
        requests = [r.json for r in server.requests]
    return result, requests, files


def _mcp_items(result: Result, files: Path) -> list[Any]:
    items = [e for e in result.events if e["type"].startswith("item.") and e["item"]["type"] == "mcp_tool_call"]
    text = json.dumps(items).replace(str(files), "<files>")
    return json.loads(DATE.sub("<date>", text))


def _outputs(requests: list[Any]) -> list[Any]:
    """The function_call_output items sent back for the MCP calls, wall time removed."""
    last = requests[-1]["input"]
    outs = [i for i in last if i.get("type") == "function_call_output" and i["call_id"] != "c0"]
    text = re.sub(r"Wall time: [0-9.]+ seconds", "Wall time: <t> seconds", json.dumps([o["output"] for o in outs]))
    return json.loads(DATE.sub("<date>", re.sub(r"/var/tmp/pycodex-[^/]+/\w+/files", "<files>", text)))


@pytest.mark.codex
def test_mcp_tool_call_items_match_codex(var_tmp: Path) -> None:
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail("the real Codex 0.169 binary is missing: run `just ref-codex`")
    with mcp_http_server() as url:
        theirs, their_requests, their_files = _run(var_tmp, "codex", url, [str(binary), "exec"])
        ours, our_requests, our_files = _run(var_tmp, "ours", url, None)
    assert (ours.rc, theirs.rc) == (0, 0), ours.stderr[-2000:]
    their_items = _mcp_items(theirs, their_files)
    assert len(their_items) == 16, theirs.stdout  # 8 calls, each started and completed
    assert _mcp_items(ours, our_files) == their_items
    assert _outputs(our_requests) == _outputs(their_requests)


def test_dead_servers_leave_the_session_working(var_tmp: Path) -> None:
    """A server that hangs, one that crashes mid-call, one that sends garbage, one that needs OAuth."""
    home, work = var_tmp / "home", var_tmp / "work"
    home.mkdir()
    work.mkdir()
    py = sys.executable
    servers = (
        f'[mcp_servers.hang]\ncommand = "{py}"\nargs = ["-c", "import time; time.sleep(60)"]\n'
        "startup_timeout_sec = 2\n\n"
        f'[mcp_servers.crashy]\ncommand = "{py}"\nargs = ["{SERVERS / "crashy.py"}"]\n\n'
        f'[mcp_servers.garbage]\ncommand = "{py}"\nargs = ["{SERVERS / "malformed.py"}"]\n\n'
    )
    script = [
        _mcp_call("c1", "mcp__crashy", "crash", {}),
        _mcp_call("c2", "mcp__hang", "anything", {}),
        _mcp_call("c3", "mcp__garbage", "anything", {}),
        message_turn("Still here"),
    ]
    env = Env(home, work)
    started = time.monotonic()
    with mcp_http_server("--auth", "sekrit") as url, ScriptedServer(script) as server:
        env.write_config(server.base_url, extra="")
        with (home / "config.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n" + servers + f'[mcp_servers.locked]\nurl = "{url}"\n')
        result = env.run("--json", "--skip-git-repo-check", "go", timeout=60)
    assert result.rc == 0, result.stderr[-2000:]
    assert time.monotonic() - started < 30
    assert result.items("agent_message")[-1]["text"] == "Still here"
    errors = [i["message"] for i in result.items("error")]
    for name in ("hang", "garbage", "locked"):
        assert sum(f"`{name}`" in m for m in errors) == 1, errors
    assert any("codex mcp login locked" in m for m in errors), errors
    crash = [e["item"] for e in result.events if e["type"] == "item.completed" and e["item"]["type"] == "mcp_tool_call"]
    assert crash[0]["status"] == "failed" and "exited" in crash[0]["error"]["message"]

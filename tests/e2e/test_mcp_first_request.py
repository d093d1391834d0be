"""MCP tools reach the model in the first request, over real HTTP, without waiting for any server.

A model that supports `tool_search` (gpt-5.5) gets every configured namespace listed at once and
searches the tools when it needs them; the request shape and the search answer are compared with
Codex 0.169's. A model that gets MCP tools directly (gpt-4.1) gets the tools its servers listed the
last time, from `$CODEX_HOME/cache/mcp-tools`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest
from e2e_support import Env, Result, _u, exec_turn, mcp_http_server, message_turn, real_codex

from pycodex_test_support import (
    ScriptedServer,
    Turn,
    ev_function_call,
    ev_output_item_added,
    ev_output_item_done,
    ev_response_created,
    sse_turn,
)

TIME_SERVER = f'command = "{sys.executable}"\nargs = ["-m", "mcp_server_time", "--local-timezone", "UTC"]\n'
HANGING_SERVER = (
    f'command = "{sys.executable}"\nargs = ["-c", "import time; time.sleep(60)"]\nstartup_timeout_sec = 2\n'
)
CODEX_ONLY_TOOLS = {"get_goal", "create_goal", "update_goal", "web_search"}


def _search(call_id: str, query: str) -> Turn:
    item = {
        "type": "tool_search_call",
        "id": f"tsc_{call_id}",
        "call_id": call_id,
        "status": "completed",
        "execution": "client",
        "arguments": {"query": query, "limit": 8},
    }
    resp = f"r_{call_id}"
    return sse_turn([ev_response_created(resp), ev_output_item_added(item), ev_output_item_done(item), _u(resp)])


def _namespaced(call_id: str, namespace: str, name: str, arguments: dict[str, Any]) -> Turn:
    event = ev_function_call(call_id, name, json.dumps(arguments))
    event["item"]["namespace"] = namespace
    return sse_turn([ev_response_created(f"r_{call_id}"), event, _u(f"r_{call_id}")])


def _run(
    root: Path, model: str, servers: str, script: list[Turn], command: list[str] | None = None
) -> tuple[Result, list[dict[str, Any]]]:
    home, work = root / "home", root / "work"
    home.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    env = Env(home, work)
    with ScriptedServer(script) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false\n[analytics]\nenabled = false\n")
        config = (home / "config.toml").read_text(encoding="utf-8").replace('"gpt-5.5"', f'"{model}"', 1)
        (home / "config.toml").write_text(config + "\n" + servers, encoding="utf-8")
        result = env.run("--json", "--skip-git-repo-check", "use the tools", command=command, timeout=120)
        return result, [r.json for r in server.requests]


def _tool_names(request: dict[str, Any]) -> list[str]:
    return [str(t.get("name") or t["type"]) for t in request["tools"]]


def _tools_notes(request: dict[str, Any]) -> list[str]:
    return [
        part["text"]
        for item in request["input"]
        if item.get("type") == "message" and item.get("role") == "developer"
        for part in item["content"]
        if part.get("text", "").startswith("<tools>")
    ]


def _outputs(request: dict[str, Any], kind: str) -> dict[str, Any]:
    key = "tools" if kind == "tool_search_output" else "output"
    return {i["call_id"]: i[key] for i in request["input"] if i.get("type") == kind}


def _shape(spec: dict[str, Any]) -> dict[str, Any]:
    """A tool spec without its prose: keys, and each parameter's type."""
    params = spec["parameters"]
    properties = {name: prop["type"] for name, prop in params["properties"].items()}
    return {**{k: v for k, v in spec.items() if k != "description"}, "parameters": {**params, "properties": properties}}


def test_the_first_request_lists_every_namespace_and_search_finds_the_tools(var_tmp: Path) -> None:
    script = [
        _search("s1", "add numbers"),
        _namespaced("c1", "mcp__web", "add", {"a": 2, "b": 40}),
        _search("s2", "anything from the hanging server"),
        message_turn("done"),
    ]
    with mcp_http_server() as url:
        servers = f'[mcp_servers.web]\nurl = "{url}"\n\n[mcp_servers.time]\n{TIME_SERVER}\n'
        servers += f"[mcp_servers.hang]\n{HANGING_SERVER}"
        result, requests = _run(var_tmp, "gpt-5.5", servers, script)
    assert result.rc == 0, result.stderr[-2000:]
    first = requests[0]
    names = _tool_names(first)
    assert names.index("write_stdin") < names.index("list_mcp_resources") < names.index("request_user_input")
    assert names[-1] == "tool_search" and not [n for n in names if n.startswith("mcp__")]
    assert _tools_notes(first) == ["<tools>\nDeferred tool namespaces:\n- mcp__hang\n- mcp__time\n- mcp__web\n</tools>"]
    found = _outputs(requests[1], "tool_search_output")["s1"]
    assert [(ns["name"], [f["name"] for f in ns["tools"]]) for ns in found] == [("mcp__web", ["add"])]
    assert found[0]["tools"][0]["defer_loading"] is True
    assert _outputs(requests[2], "function_call_output")["c1"].endswith('Output:\n{"result":42}')
    assert _outputs(requests[3], "tool_search_output")["s2"] == []  # the hanging server was waited for, 2 s at most
    [call] = result.items("mcp_tool_call")
    assert (call["server"], call["tool"], call["status"]) == ("web", "add", "completed")


def test_the_first_request_carries_the_tools_listed_last_time(var_tmp: Path) -> None:
    servers = f"[mcp_servers.time]\n{TIME_SERVER}"
    call = _namespaced("c1", "mcp__time", "get_current_time", {"timezone": "UTC"})
    first_run, first_requests = _run(var_tmp, "gpt-4.1", servers, [call, message_turn("done")])
    assert first_run.rc == 0, first_run.stderr[-2000:]
    assert [n for n in _tool_names(first_requests[0]) if n.startswith("mcp__")] == []  # nothing known yet
    cached = list((var_tmp / "home" / "cache" / "mcp-tools").glob("*.json"))
    assert len(cached) == 1
    again, requests = _run(var_tmp, "gpt-4.1", servers, [call, message_turn("done")])
    assert again.rc == 0, again.stderr[-2000:]
    [namespace] = [t for t in requests[0]["tools"] if t["type"] == "namespace"]
    assert namespace["name"] == "mcp__time"
    assert namespace["description"] == "Tools in the mcp__time namespace."
    assert sorted(f["name"] for f in namespace["tools"]) == ["convert_time", "get_current_time"]
    assert "defer_loading" not in namespace["tools"][0]
    assert '"timezone":"UTC"' in _outputs(requests[1], "function_call_output")["c1"]


@pytest.mark.codex
def test_the_tool_search_path_matches_codex(var_tmp: Path) -> None:
    """Request shape, search answer and call output, beside Codex 0.169 for the same script."""
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail("the real Codex 0.169 binary is missing: run `just ref-codex`")
    script = [
        exec_turn("c0", "sleep 3"),  # Codex lists a namespace only once its server is up
        _search("s1", "add numbers"),
        _namespaced("c1", "mcp__web", "add", {"a": 2, "b": 40}),
        message_turn("done"),
    ]
    with mcp_http_server() as url:
        servers = f'[mcp_servers.web]\nurl = "{url}"\n'
        theirs, their_requests = _run(var_tmp / "codex", "gpt-5.5", servers, script, [str(binary), "exec"])
        ours, our_requests = _run(var_tmp / "ours", "gpt-5.5", servers, script)
    assert (theirs.rc, ours.rc) == (0, 0), ours.stderr[-2000:]
    assert len(our_requests) == len(their_requests) == 4
    assert _tool_names(our_requests[0]) == [n for n in _tool_names(their_requests[0]) if n not in CODEX_ONLY_TOOLS]
    their_search = next(t for t in their_requests[0]["tools"] if t["type"] == "tool_search")
    our_search = next(t for t in our_requests[0]["tools"] if t["type"] == "tool_search")
    assert _shape(our_search) == _shape(their_search)  # the prose is our own
    their_namespaces = [ln for ln in _tools_notes(their_requests[0])[0].splitlines() if ln.startswith("- mcp__")]
    our_namespaces = [ln for ln in _tools_notes(our_requests[0])[0].splitlines() if ln.startswith("- mcp__")]
    assert [ln.split(":")[0] for ln in our_namespaces] == [ln.split(":")[0] for ln in their_namespaces]
    for kind in ("tool_search_output", "function_call_output"):
        ours_out, theirs_out = _outputs(our_requests[3], kind), _outputs(their_requests[3], kind)
        if kind == "function_call_output":
            ours_out, theirs_out = ({k: v.split("Output:")[-1] for k, v in o.items()} for o in (ours_out, theirs_out))
        assert ours_out == theirs_out
    echoed = [i for i in our_requests[3]["input"] if i.get("type") == "tool_search_call"]
    assert echoed == [i for i in their_requests[3]["input"] if i.get("type") == "tool_search_call"]


@pytest.mark.codex
def test_the_direct_namespace_matches_codex(var_tmp: Path) -> None:
    """A model without tool search gets each server as a `namespace` tool, shaped as Codex 0.169 shapes it."""
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail("the real Codex 0.169 binary is missing: run `just ref-codex`")
    script = [exec_turn("c0", "sleep 3"), _namespaced("c1", "mcp__web", "shout", {"text": "hi"}), message_turn("ok")]
    with mcp_http_server() as url:
        servers = f'[mcp_servers.web]\nurl = "{url}"\n'
        # gpt-5-codex is not in Codex 0.169's catalog (fallback metadata, no tool search), nor searching here.
        theirs, their_requests = _run(var_tmp / "codex", "gpt-5-codex", servers, script, [str(binary), "exec"])
        ours, our_requests = _run(var_tmp / "ours", "gpt-5-codex", servers, script)
    assert (theirs.rc, ours.rc) == (0, 0), ours.stderr[-2000:]

    def namespaces(request: dict[str, Any]) -> list[Any]:
        return [t for t in request["tools"] if t["type"] == "namespace" and t["name"].startswith("mcp__")]

    assert namespaces(our_requests[1]) == namespaces(their_requests[1])
    assert len(namespaces(our_requests[1])) == 1
    assert (
        _outputs(our_requests[2], "function_call_output")["c1"].split("Output:")[-1]
        == (_outputs(their_requests[2], "function_call_output")["c1"].split("Output:")[-1])
    )

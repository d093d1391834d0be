from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_mcp_server import McpServerError, ServerOptions, approval_request, build_config, decision_from_reply


@pytest.mark.parametrize(
    ("reply", "decision"),
    [
        ({"decision": "approved"}, "approved"),
        ({"decision": "approved_for_session"}, "approved_for_session"),
        ({"action": "accept", "content": {}}, "approved"),
        ({"action": "accept", "content": {"decision": "denied"}}, "denied"),
        ({"action": "decline"}, "denied"),
        ({"action": "cancel"}, "abort"),
        ({"decision": "rm -rf"}, "denied"),
        ({}, "denied"),
        ({"content": 3, "action": None}, "denied"),
    ],
)
def test_decisions(reply: dict[str, object], decision: str) -> None:
    assert decision_from_reply(reply) == decision


def test_exec_approval_request_params() -> None:
    msg = {"type": "exec_approval_request", "call_id": "c1", "command": ["bash", "-lc", "echo hi"], "cwd": "/w"}
    params = approval_request(msg, "t1", "e1", 7)
    assert params["message"] == "Allow Codex to run `bash -lc 'echo hi'` in `/w`?"
    assert params["requestedSchema"] == {"type": "object", "properties": {}}
    assert (params["codex_elicitation"], params["codex_call_id"], params["threadId"]) == ("exec-approval", "c1", "t1")
    assert params["codex_mcp_tool_call_id"] == 7 and params["codex_command"] == ["bash", "-lc", "echo hi"]


@pytest.mark.parametrize(
    ("args", "text"),
    [
        ({}, "`prompt` is required"),
        ({"prompt": 3}, "`prompt` must be a string"),
        ({"prompt": "x", "model": ["a"]}, "`model` must be a string"),
        ({"prompt": "x", "config": "model=1"}, "`config` must be an object"),
    ],
)
def test_bad_arguments_are_clear(args: dict[str, object], text: str) -> None:
    with pytest.raises(McpServerError, match=text):
        build_config(args, ServerOptions())


def test_config_overrides_and_relative_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_HOME", str(tmp_path))
    (tmp_path / "sub").mkdir()
    config = build_config(
        {"prompt": "x", "cwd": "sub", "config": {"model": "from-config", "tools": {"update_plan": {"enabled": True}}}},
        ServerOptions(cwd=tmp_path),
    )
    assert config.cwd == tmp_path / "sub"
    assert config.model == "from-config"
    assert build_config({"prompt": "x", "model": "m2"}, ServerOptions(cwd=tmp_path)).model == "m2"

"""Commands run for real under the platform sandbox (bubblewrap here): writes, denials, escalation, retry."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, function_call, response, user_input_op

pytestmark = [pytest.mark.anyio, pytest.mark.skipif(sys.platform != "linux", reason="bubblewrap is Linux-only")]

ConfigFactory = Callable[..., Config]
ONLY_WORKSPACE = (
    "sandbox_workspace_write.exclude_slash_tmp=true",
    "sandbox_workspace_write.exclude_tmpdir_env_var=true",
)


async def _run(
    config: Config, transport: ScriptedTransport, approval: str, decisions: list[str]
) -> list[dict[str, Any]]:
    msgs: list[dict[str, Any]] = []
    answers = list(decisions)
    with anyio.fail_after(30):
        async with Codex.start(config, transport=transport) as codex:
            override: Any = {"type": "override_turn_context", "approval_policy": approval}
            await codex.submit(override)
            await codex.submit(user_input_op("go"))
            while True:
                msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_approval_request":
                    answer: Any = {"type": "exec_approval", "id": msg["call_id"], "decision": answers.pop(0)}
                    await codex.submit(answer)
                if msg["type"] in ("task_complete", "turn_aborted"):
                    break
    assert not answers
    return msgs


def _output(transport: ScriptedTransport, index: int, call_id: str) -> str:
    for item in transport.requests[index]["input"]:
        if item["type"] == "function_call_output" and item["call_id"] == call_id:
            return str(item["output"])
    raise AssertionError(f"no output for {call_id}")


async def test_workspace_write_runs_inside_and_denies_outside(
    make_config: ConfigFactory, workspace: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "echo made > inside.txt && cat inside.txt"}, call_id="in")),
            response(function_call("exec_command", {"cmd": f"touch {outside}/escape.txt"}, call_id="out")),
            response(assistant_message("done")),
        ]
    )
    config = make_config(sandbox="workspace-write", overrides=ONLY_WORKSPACE)
    msgs = await _run(config, transport, "never", [])
    assert (workspace / "inside.txt").read_text(encoding="utf-8") == "made\n"
    assert not (outside / "escape.txt").exists()
    assert "made" in _output(transport, 1, "in")
    denied = _output(transport, 2, "out")
    assert "Read-only file system" in denied
    ends = [m for m in msgs if m["type"] == "exec_command_end"]
    assert [e["exit_code"] for e in ends][:1] == [0] and ends[1]["exit_code"] != 0


async def test_on_request_escalation_runs_outside_after_approval(make_config: ConfigFactory, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    args = {
        "cmd": f"touch {outside}/approved.txt",
        "sandbox_permissions": "require_escalated",
        "justification": "needs it",
    }
    transport = ScriptedTransport(
        [response(function_call("exec_command", args, call_id="esc")), response(assistant_message("ok"))]
    )
    msgs = await _run(
        make_config(sandbox="workspace-write", overrides=ONLY_WORKSPACE), transport, "on-request", ["approved"]
    )
    assert [m["type"] for m in msgs].count("exec_approval_request") == 1
    assert (outside / "approved.txt").exists()


async def test_on_failure_offers_the_unsandboxed_retry(make_config: ConfigFactory, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": f"touch {outside}/retried.txt"}, call_id="r")),
            response(assistant_message("ok")),
        ]
    )
    msgs = await _run(
        make_config(sandbox="workspace-write", overrides=ONLY_WORKSPACE), transport, "on-failure", ["approved"]
    )
    [request] = [m for m in msgs if m["type"] == "exec_approval_request"]
    assert request["reason"] == "command failed; retry without sandbox?"
    assert (outside / "retried.txt").exists()


async def test_read_only_denies_workspace_writes(make_config: ConfigFactory, workspace: Path) -> None:
    transport = ScriptedTransport(
        [
            response(function_call("exec_command", {"cmd": "touch nope.txt; ls /"}, call_id="ro")),
            response(assistant_message("ok")),
        ]
    )
    await _run(make_config(sandbox="read-only"), transport, "never", [])
    assert not (workspace / "nope.txt").exists()
    output = _output(transport, 1, "ro")
    assert "Read-only file system" in output and "usr" in output


def test_filesystem_context_matches_codex_layout() -> None:
    from pycodex_config import legacy_permission_profile
    from pycodex_core._prompts import filesystem_context

    policy: Any = {"type": "workspace-write", "writable_roots": ["/srv"], "network_access": True,
                   "exclude_tmpdir_env_var": False, "exclude_slash_tmp": False}  # fmt: skip
    ws = Path("/var/tmp/sbx")
    text = filesystem_context(dict(legacy_permission_profile(policy, ws)), [ws, Path("/srv")])
    # Recorded from Codex 0.169: `codex -s workspace-write --add-dir /srv debug prompt-input hi`.
    expected = (
        '<filesystem><workspace_roots><root>/var/tmp/sbx</root><root>/srv</root></workspace_roots><permission_profile type="managed"><file_system type="restricted"><entry access="read"><special>:root</special></entry><entry access="write"><path>/var/tmp/sbx</path></entry><entry access="write"><path>/srv</path></entry><entry access="write"><special>:slash_tmp</special></entry><entry access="write"><special>:tmpdir</special></entry><entry access="read"><path>/var/tmp/sbx/.git</path></entry><entry access="read"><path>/srv/.git</path></entry><entry access="read"><path>/var/tmp/sbx/.agents</path></entry><entry access="read"><path>/srv/.agents</path></entry><entry access="read"><path>/var/tmp/sbx/.codex</path></entry><entry access="read"><path>/srv/.codex</path></entry><entry access="read"><path>/var/tmp/sbx/.aws</path></entry><entry access="read"><path>/srv/.aws</path></entry></file_system></permission_profile></filesystem>'  # noqa: E501
    )  # fmt: skip
    assert text == expected
    danger = filesystem_context({"type": "disabled"}, [ws])
    assert danger == (
        "<filesystem><workspace_roots><root>/var/tmp/sbx</root></workspace_roots>"
        '<permission_profile type="disabled"><file_system type="unrestricted" /></permission_profile></filesystem>'
    )


def test_bad_permission_profile_refuses_commands(make_config: ConfigFactory) -> None:
    import dataclasses

    from pycodex_core._exec_types import ExecRequest, Refusal
    from pycodex_core._platform_sandbox import PlatformSandbox

    config = make_config(sandbox="workspace-write", overrides=('default_permissions="nope"',))
    # As when the profile comes from config.toml with no `-s` given (`-s` would win over it).
    config = dataclasses.replace(config, raw={k: v for k, v in config.raw.items() if k != "sandbox_mode"})
    step = PlatformSandbox(config)
    request = ExecRequest(argv=("true",), cwd=config.cwd, call_id="c", tool_name="exec_command")
    refusal = step.prepare(request, {"type": "read-only"})
    assert isinstance(refusal, Refusal)
    assert "Command not run" in refusal.message
    assert step.prepare(request, {"type": "danger-full-access"}) is not None

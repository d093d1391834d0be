"""Round trips of core events, submissions and policy values."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from pycodex_protocol import Event, SandboxPolicy, Submission
from pycodex_protocol.schema import (
    ask_for_approval_adapter,
    event_adapter,
    event_msg_adapter,
    op_adapter,
    sandbox_policy_adapter,
    submission_adapter,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


EVENT_MSG_LINES = _lines("event_msgs.jsonl")
OP_LINES = _lines("ops.jsonl")


def _sorted(value: object) -> str:
    return json.dumps(value, sort_keys=True)


@pytest.mark.parametrize("line", EVENT_MSG_LINES)
def test_event_msg_round_trip(line: str) -> None:
    adapter = event_msg_adapter()
    msg = adapter.validate_json(line)
    assert adapter.dump_json(msg).decode() == line
    assert _sorted(adapter.dump_python(msg, mode="json")) == _sorted(json.loads(line))


@pytest.mark.parametrize("line", EVENT_MSG_LINES)
def test_event_envelope_round_trip(line: str) -> None:
    envelope = f'{{"id":"sub-1","msg":{line}}}'
    adapter = event_adapter()
    assert adapter.dump_json(adapter.validate_json(envelope)).decode() == envelope


def test_required_event_kinds_are_covered() -> None:
    kinds = {json.loads(line)["type"] for line in EVENT_MSG_LINES}
    assert kinds >= {
        "session_configured",
        "exec_command_begin",
        "exec_command_end",
        "patch_apply_begin",
        "patch_apply_end",
        "token_count",
        "task_complete",
        "stream_error",
    }


def test_nested_initial_messages_are_validated() -> None:
    bad = {
        "type": "session_configured",
        "session_id": "s",
        "model": "m",
        "model_provider_id": "p",
        "approval_policy": "never",
        "approvals_reviewer": "user",
        "sandbox_policy": {"type": "read-only"},
        "cwd": "/",
        "history_log_id": 0,
        "history_entry_count": 0,
        "initial_messages": [{"type": "agent_message"}],
    }
    with pytest.raises(ValidationError) as info:
        event_msg_adapter().validate_python(bad)
    assert info.value.errors()[0]["loc"] == ("session_configured", "initial_messages", 0, "agent_message", "message")


@pytest.mark.parametrize("line", OP_LINES)
def test_submission_round_trip(line: str) -> None:
    adapter = submission_adapter()
    submission = adapter.validate_json(line)
    assert adapter.dump_json(submission).decode() == line
    assert _sorted(op_adapter().dump_python(submission["op"], mode="json")) == _sorted(json.loads(line)["op"])


def test_typed_values_serialize_without_pydantic() -> None:
    event: Event = {"id": "1", "msg": {"type": "agent_message_delta", "delta": "Hi"}}
    submission: Submission = {"id": "2", "op": {"type": "interrupt"}}
    assert json.dumps(event, separators=(",", ":")) == '{"id":"1","msg":{"type":"agent_message_delta","delta":"Hi"}}'
    assert submission_adapter().validate_python(submission) == submission


@pytest.mark.parametrize(
    ("value", "error_type"),
    [
        ({"id": "1", "msg": {"type": "task_exploded"}}, "union_tag_invalid"),
        ({"id": "1", "msg": {"type": "exec_command_end", "call_id": "c"}}, "missing"),
        ({"msg": {"type": "shutdown_complete"}}, "missing"),
        (
            {"id": "1", "msg": {"type": "exec_command_output_delta", "call_id": "c", "stream": "stdin", "chunk": ""}},
            "literal_error",
        ),
    ],
)
def test_invalid_events_are_rejected(value: object, error_type: str) -> None:
    with pytest.raises(ValidationError) as info:
        event_adapter().validate_python(value)
    assert {e["type"] for e in info.value.errors()} == {error_type}


@pytest.mark.parametrize(
    "value",
    [
        {"type": "user_input"},
        {"type": "user_input", "items": [{"type": "text", "text": "hi"}]},
        {"type": "exec_approval", "id": "c", "decision": "maybe"},
        {"type": "warp_drive"},
    ],
)
def test_invalid_ops_are_rejected(value: object) -> None:
    with pytest.raises(ValidationError):
        op_adapter().validate_python(value)


SANDBOX_POLICIES = [
    '{"type":"danger-full-access"}',
    '{"type":"read-only"}',
    '{"type":"read-only","network_access":true}',
    '{"type":"external-sandbox","network_access":"restricted"}',
    '{"type":"external-sandbox","network_access":"enabled"}',
    '{"type":"workspace-write","writable_roots":["/home/u/extra"],"network_access":false,'
    '"exclude_tmpdir_env_var":false,"exclude_slash_tmp":true}',
]


@pytest.mark.parametrize("line", SANDBOX_POLICIES)
def test_sandbox_policy_round_trip(line: str) -> None:
    adapter = sandbox_policy_adapter()
    assert adapter.dump_json(adapter.validate_json(line)).decode() == line


@pytest.mark.parametrize(
    "value",
    [
        {"type": "workspace_write"},
        {"type": "workspace-write", "writable_roots": []},
        {"type": "external-sandbox", "network_access": True},
        {"type": "read-only", "network_access": "yes"},
    ],
)
def test_invalid_sandbox_policies_are_rejected(value: object) -> None:
    with pytest.raises(ValidationError):
        sandbox_policy_adapter().validate_python(value)


def test_sandbox_policy_literal_builds_plain_dict() -> None:
    policy: SandboxPolicy = {"type": "read-only"}
    assert sandbox_policy_adapter().validate_python(policy) == {"type": "read-only"}


@pytest.mark.parametrize("value", ["untrusted", "on-failure", "on-request", "never"])
def test_ask_for_approval_values(value: str) -> None:
    adapter = ask_for_approval_adapter()
    assert adapter.dump_json(adapter.validate_json(json.dumps(value))).decode() == json.dumps(value)


@pytest.mark.parametrize("value", ["on_request", "always", "unless-trusted", ""])
def test_ask_for_approval_rejects_unknown_values(value: str) -> None:
    with pytest.raises(ValidationError):
        ask_for_approval_adapter().validate_python(value)

import io

from pycodex_exec import HumanRenderer
from pycodex_exec._human import sandbox_summary


def test_transcript_plain() -> None:
    err = io.StringIO()
    h = HumanRenderer(err, color=False, version_line="v")
    h.header(
        {
            "cwd": "/w",
            "model": "gpt-5.5",
            "approval_policy": "never",
            "sandbox_policy": {"type": "danger-full-access"},
            "session_id": "S",
        },
        provider="mock",
        effort=None,
        summary=None,
    )
    h.user_prompt("do it")
    for msg in (
        {"type": "agent_reasoning", "text": "**A** one"},
        {"type": "exec_command_begin", "call_id": "c", "command": ["/bin/bash", "-lc", "exit 3"], "cwd": "/w"},
        {
            "type": "exec_command_end",
            "call_id": "c",
            "aggregated_output": "hi\nerr\n",
            "exit_code": 3,
            "duration": {"secs": 0, "nanos": 5_000_000},
        },
        {"type": "agent_message", "message": "Hello"},
        {
            "type": "token_count",
            "info": {"total_token_usage": {"input_tokens": 3000, "cached_input_tokens": 30, "output_tokens": 60}},
        },
        {"type": "task_complete", "turn_id": "t"},
    ):
        h.render({"id": "1", "msg": msg})
    assert err.getvalue() == (
        "v\n--------\nworkdir: /w\nmodel: gpt-5.5\nprovider: mock\napproval: never\nsandbox: danger-full-access\n"
        "reasoning effort: none\nreasoning summaries: none\nsession id: S\n--------\n"
        "user\ndo it\n**A** one\nexec\n/bin/bash -lc 'exit 3' in /w\n exited 3 in 5ms:\nhi\nerr\n\n"
        "codex\nHello\ntokens used\n3,030\n"
    )


def test_colours_match_codex() -> None:
    err = io.StringIO()
    h = HumanRenderer(err, color=True, version_line="v")
    h.render({"id": "1", "msg": {"type": "agent_message", "message": "m"}})
    assert err.getvalue() == "\x1b[35m\x1b[3mcodex\x1b[0m\x1b[0m\nm\n"


def test_sandbox_summary() -> None:
    policy = {"type": "workspace-write", "writable_roots": ["/x"], "network_access": True}
    assert sandbox_summary(policy) == "workspace-write [workdir, /tmp, $TMPDIR, /x] (network access enabled)"
    assert sandbox_summary({"type": "read-only"}) == "read-only"


def test_auto_review_assessments() -> None:
    err = io.StringIO()
    h = HumanRenderer(err, color=False, version_line="v")
    for msg in (
        {"type": "guardian_assessment", "id": "c", "turn_id": "t", "status": "in_progress"},
        {"type": "guardian_assessment", "id": "c", "turn_id": "t", "status": "approved", "risk_level": "low",
         "rationale": "one small file"},
        {"type": "guardian_assessment", "id": "d", "turn_id": "t", "status": "denied", "risk_level": "high"},
    ):  # fmt: skip
        h.render({"id": "1", "msg": msg})
    assert err.getvalue() == "auto review: approved (low risk): one small file\nauto review: denied (high risk)\n"

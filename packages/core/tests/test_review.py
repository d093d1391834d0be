"""Review mode helpers: target prompts, the rendered findings, the sub-agent transport."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pycodex_core import REVIEW_INSTRUCTIONS, ReviewTarget, ReviewTransport, format_review, review_prompt
from pycodex_core.testing import ScriptedTransport, assistant_message, response


def test_prompts_name_the_target(tmp_path: Path) -> None:
    git = ["git", "-c", "user.email=t@x", "-c", "user.name=t"]
    subprocess.run([*git, "init", "-q", "-b", "main"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "one"], cwd=tmp_path, check=True)
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, encoding="utf-8"
    ).stdout.strip()
    assert "untracked" in review_prompt(ReviewTarget("uncommitted"), tmp_path)
    base = review_prompt(ReviewTarget("base", "main"), tmp_path)
    assert f"git diff {head}" in base and "'main'" in base
    commit = review_prompt(ReviewTarget("commit", "abc123", "Fix it"), tmp_path)
    assert "git show abc123" in commit and '"Fix it"' in commit
    assert review_prompt(ReviewTarget("custom", "look at the tests"), tmp_path) == "look at the tests"
    assert '"findings"' in REVIEW_INSTRUCTIONS


def test_format_review() -> None:
    answer = {
        "findings": [
            {
                "title": "[P1] A",
                "body": "one\ntwo",
                "code_location": {"absolute_file_path": "/r/a.py", "line_range": {"start": 3, "end": 3}},
            },
            {
                "title": "[P2] B",
                "body": "",
                "code_location": {"absolute_file_path": "/r/b.py", "line_range": {"start": 1, "end": 4}},
            },
        ],
        "overall_explanation": "Two problems.",
    }
    assert format_review(json.dumps(answer)) == (
        "Two problems.\n\nReview comments:\n\n- [P1] A — /r/a.py:3\n  one\n  two\n\n- [P2] B — /r/b.py:1-4"
    )
    assert format_review(json.dumps({"findings": [], "overall_explanation": "Fine."})) == "Fine."
    assert format_review("not json {") == "not json {"
    assert format_review("[1, 2]") == "[1, 2]"


@pytest.mark.anyio
async def test_transport_marks_the_sub_agent_and_renders_the_answer() -> None:
    answer = json.dumps({"findings": [], "overall_explanation": "All good."})
    inner = ScriptedTransport([response(assistant_message(answer))])
    transport = ReviewTransport(inner, parent_thread_id="parent-1")
    headers = {"x-codex-turn-metadata": json.dumps({"request_kind": "turn"})}
    events: list[Any] = [
        e async for e in transport.stream({"model": "m", "client_metadata": {"a": "b"}}, headers=headers)
    ]
    sent = inner.headers[0]
    assert sent["x-openai-subagent"] == "review" and sent["x-codex-parent-thread-id"] == "parent-1"
    assert json.loads(sent["x-codex-turn-metadata"]) == {
        "request_kind": "turn",
        "subagent_kind": "review",
        "thread_source": "subagent",
    }
    assert inner.requests[0]["client_metadata"] == {
        "a": "b",
        "x-openai-subagent": "review",
        "x-codex-parent-thread-id": "parent-1",
    }
    texts = [p["text"] for e in events if hasattr(e, "item") for p in e.item.get("content", []) if "text" in p]
    assert texts == ["All good."]

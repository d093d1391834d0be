"""Review mode: a request of its own with review instructions, sent as Codex 0.169's `review` sub-agent.

A review runs as a session whose base instructions are `REVIEW_INSTRUCTIONS` and whose user
message names the target (`review_prompt`). Its requests carry `x-openai-subagent: review` (and
the parent thread id), as Codex's do; `ReviewTransport` adds them around any model transport and
turns the model's JSON answer into the text Codex prints (`format_review`).
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, cast

__all__ = ["REVIEW_INSTRUCTIONS", "ReviewTarget", "ReviewTransport", "format_review", "review_prompt"]

REVIEW_INSTRUCTIONS = """\
# Code review

You are reviewing a code change someone else wrote. Your job is to find the problems its author
would want to know about before the change lands, and to say nothing about the rest.

Report an issue only when all of these hold:
- it makes the code wrong, insecure, slower in a way that matters, or clearly harder to maintain;
- it was introduced by this change (leave problems that were already there alone);
- it is concrete: you can point at the lines and explain what goes wrong and when;
- fixing it fits the standards of the surrounding code (no demands for rigour the project lacks);
- it does not depend on guesses about intentions or code you have not seen.

Read the change with the tools you have (for example `git diff`, `git show`, reading files) and
look around it as needed. Do not modify any file.

For each issue write a short title starting with its priority tag — [P0] (blocks release),
[P1] (urgent), [P2] (normal) or [P3] (minor) — and a body of one short paragraph: what is wrong,
in which case, and why it matters. Point at the smallest line range that shows it (a few lines,
never a whole file), by absolute path.

Answer with one JSON object and nothing else:
{
  "findings": [
    {
      "title": "[P1] <= 80 characters, imperative",
      "body": "markdown explanation",
      "confidence_score": 0.0-1.0,
      "priority": 0-3,
      "code_location": {"absolute_file_path": "/abs/path", "line_range": {"start": 1, "end": 2}}
    }
  ],
  "overall_correctness": "patch is correct" or "patch is incorrect",
  "overall_explanation": "one to three sentences on the change as a whole",
  "overall_confidence_score": 0.0-1.0
}
An empty "findings" list is a fine answer when nothing qualifies.
"""


@dataclass(frozen=True)
class ReviewTarget:
    """What to review (Codex's `ReviewTarget`)."""

    kind: Literal["uncommitted", "base", "commit", "custom"]
    value: str = ""
    """The branch, the commit SHA or the custom instructions."""
    title: str | None = None
    """For a commit: its title, shown to the model."""


def _git(cwd: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def review_prompt(target: ReviewTarget, cwd: Path) -> str:
    """The user message of a review of `target` in the repository at `cwd` (pycodex's wording)."""
    if target.kind == "uncommitted":
        return (
            "Review the uncommitted changes of this repository (staged, unstaged and untracked files) "
            "and report prioritized findings."
        )
    if target.kind == "base":
        base = _git(cwd, "merge-base", "HEAD", target.value)
        if base:
            return (
                f"Review the changes of the current branch against the base branch '{target.value}'. "
                f"Their merge base is {base}: `git diff {base}` shows the changes to review. "
                "Report prioritized findings."
            )
        return (
            f"Review the changes of the current branch against the base branch '{target.value}' "
            f"(find their merge base with `git merge-base HEAD {target.value}`). Report prioritized findings."
        )
    if target.kind == "commit":
        titled = f' ("{target.title}")' if target.title else ""
        return (
            f"Review the changes introduced by commit {target.value}{titled}; `git show {target.value}` shows them. "
            "Report prioritized findings."
        )
    return target.value


def _location(finding: Mapping[str, Any]) -> str:
    where = finding.get("code_location")
    if not isinstance(where, Mapping):
        return ""
    location = cast(Mapping[str, Any], where)
    path = str(location.get("absolute_file_path") or "")
    lines = location.get("line_range")
    if isinstance(lines, Mapping):
        span = cast(Mapping[str, Any], lines)
        start, end = span.get("start"), span.get("end")
        if isinstance(start, int) and isinstance(end, int) and end != start:
            return f"{path}:{start}-{end}"
        if isinstance(start, int):
            return f"{path}:{start}"
    return path


def format_review(text: str) -> str:
    """The text Codex prints for a review answer: the overall explanation, then each finding.

    An answer that is not the expected JSON object is returned as it is.
    """
    review = _json_object(text)
    if review is None:
        return text
    findings = [cast(Mapping[str, Any], f) for f in review.get("findings") or [] if isinstance(f, Mapping)]
    parts = [str(review.get("overall_explanation") or "").strip()]
    if findings:
        parts.append("Review comment:" if len(findings) == 1 else "Review comments:")
        for finding in findings:
            title = str(finding.get("title") or "").strip()
            where = _location(finding)
            head = f"- {title} — {where}" if where else f"- {title}"
            body = str(finding.get("body") or "").strip().replace("\n", "\n  ")
            parts.append(f"{head}\n  {body}" if body else head)
    return "\n\n".join(p for p in parts if p)


class ReviewTransport:
    """Wraps a model transport for a review: sub-agent headers out, the JSON answer rendered in.

    Args:
        inner: The transport to the model (a `pycodex_model_client.ModelClient`).
        parent_thread_id: The thread the review belongs to, sent as `x-codex-parent-thread-id`.
    """

    def __init__(self, inner: Any, parent_thread_id: str | None = None) -> None:
        self.inner = inner
        self.parent_thread_id = parent_thread_id

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        """Send `request` as the review sub-agent; yield the events with the answer rendered."""
        from pycodex_model_client import OutputItemDone, OutputTextDelta

        extra = {**(headers or {}), "x-openai-subagent": "review"}
        if "x-codex-turn-metadata" in extra:
            extra["x-codex-turn-metadata"] = _review_metadata(extra["x-codex-turn-metadata"])
        metadata = dict(request.get("client_metadata") or {})
        metadata["x-openai-subagent"] = "review"
        if self.parent_thread_id:
            extra["x-codex-parent-thread-id"] = self.parent_thread_id
            metadata["x-codex-parent-thread-id"] = self.parent_thread_id
        request = {**request, "client_metadata": metadata}
        async for event in self.inner.stream(request, headers=extra):
            if isinstance(event, OutputTextDelta):
                continue  # the answer is shown once rendered, not as raw JSON
            if isinstance(event, OutputItemDone):
                event = OutputItemDone(item=_rendered(event.item))
            yield event

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        close = getattr(self.inner, "aclose", None)
        if close is not None:
            await close()


def _review_metadata(text: str) -> str:
    """The turn metadata header of a review turn: `subagent_kind` and `thread_source` as Codex sends them."""
    data = _json_object(text)
    if data is None:
        return text
    return json.dumps({**data, "subagent_kind": "review", "thread_source": "subagent"})


def _json_object(text: str) -> dict[str, Any] | None:
    """`text` parsed when it is a JSON object (however deep or odd), else `None`."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return cast(dict[str, Any], data) if isinstance(data, dict) else None


def _rendered(item: dict[str, Any]) -> dict[str, Any]:
    if item.get("type") != "message" or item.get("role") != "assistant":
        return item
    content = [dict(part) for part in cast(list[dict[str, Any]], item.get("content") or []) if isinstance(part, dict)]
    for part in content:
        if part.get("type") == "output_text" and isinstance(part.get("text"), str):
            part["text"] = format_review(part["text"])
    return {**item, "content": content}

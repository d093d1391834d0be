import pytest

from pycodex_tui import UsageError, parse_args
from pycodex_tui._markdown import MarkdownStream, render_markdown
from pycodex_tui._slash import COMMANDS, filter_commands
from pycodex_tui._text import markup


def test_code_fence_lines_are_highlighted_and_fences_dropped() -> None:
    out = markup(render_markdown("```python\nimport os\n```\nafter"))
    assert "```" not in out and "class:pygments.keyword.namespace]import" in out and out.endswith("after\n")


def test_stream_holds_tables_until_they_end() -> None:
    stream = MarkdownStream()
    assert stream.push("| a | b |\n|---|---|\n| 1 | 2 |\n") == []
    rows = stream.push("done\n")
    assert len(rows) == 4 and "done" in markup(rows[-1:])


def test_unclosed_markup_and_huge_lines_are_plain_text() -> None:
    out = markup(render_markdown("**not closed `nor this [x](y" + "z" * 10000))
    assert "z" * 10000 in out


def test_slash_filter_prefers_prefixes() -> None:
    assert [c.name for c in filter_commands("/")] == [c.name for c in COMMANDS]
    assert [c.name for c in filter_commands("/di")][:1] == ["diff"]
    assert [c.name for c in filter_commands("/qt")] == ["quit"]


def test_args_for_prompt_resume_and_fork() -> None:
    args = parse_args(
        ["--model=gpt-5.5", "-a", "untrusted", "--sandbox=danger-full-access", "--image=a.png,b.png", "fix it"]
    )
    assert (args.model, args.approval, args.sandbox, args.prompt) == (
        "gpt-5.5",
        "untrusted",
        "danger-full-access",
        "fix it",
    )
    assert args.images == ["a.png", "b.png"]
    resume = parse_args(["--last"], "resume")
    assert resume.last and resume.command == "resume"
    assert parse_args(["0199-abc"], "fork").session_id == "0199-abc"
    assert parse_args(["--all", "--include-non-interactive"], "resume").include_non_interactive
    with pytest.raises(UsageError):
        parse_args(["-a", "sometimes"])

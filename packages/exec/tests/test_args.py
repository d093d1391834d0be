import pytest

from pycodex_exec import ExecArgs, parse_args
from pycodex_exec._args import UsageError


def test_terminal_bench_command_line() -> None:
    args = parse_args(
        ["--sandbox", "danger-full-access", "--skip-git-repo-check", "--json", "--model", "M", "--", "-task-"]
    )
    assert args == ExecArgs(
        sandbox="danger-full-access", skip_git_repo_check=True, json=True, model="M", prompt="-task-"
    )


def test_repeatable_and_aliases() -> None:
    args = parse_args(
        ["-c", "a=1", "--config=b=2", "--enable", "x", "--yolo", "--experimental-json", "-i", "a.png,b.png", "--", "p"]
    )
    assert args.config == ["a=1", "b=2"]
    assert args.enable == ["x"]
    assert args.yolo and args.json
    assert args.images == ["a.png", "b.png"]
    assert args.prompt == "p"


def test_resume_subcommand_with_options_on_both_sides() -> None:
    args = parse_args(["--json", "-c", "a=1", "resume", "--last", "-c", "b=2", "next prompt"])
    assert args.command == "resume"
    assert args.last and args.json
    assert args.session_id is None and args.prompt == "next prompt"
    assert args.config == ["a=1", "b=2"]
    args = parse_args(["resume", "0199-abc", "go"])
    assert (args.session_id, args.prompt) == ("0199-abc", "go")


def test_fork_needs_session_id() -> None:
    assert parse_args(["fork", "abc"]).session_id == "abc"
    with pytest.raises(SystemExit) as info:
        parse_args(["fork"])
    assert info.value.code == 2


def test_a_prompt_named_like_a_subcommand_after_dashdash() -> None:
    args = parse_args(["--", "resume"])
    assert args.command is None and args.prompt == "resume"


@pytest.mark.parametrize("flag", ["--worktree", "--trust"])
def test_unsupported_flags_fail_loudly(flag: str) -> None:
    with pytest.raises(UsageError, match=flag):
        parse_args([flag, "p"])


def test_approve_for_me() -> None:
    assert parse_args(["--approve-for-me", "p"]).approve_for_me
    assert parse_args(["--not-so-yolo", "p"]).approve_for_me
    with pytest.raises(UsageError, match="cannot be used with"):
        parse_args(["--approve-for-me", "--yolo", "p"])


def test_unknown_flag_and_bad_choice_exit_2() -> None:
    for argv in (["--full-auto", "p"], ["-s", "nope", "p"], ["--color", "sometimes", "p"]):
        with pytest.raises(SystemExit) as info:
            parse_args(argv)
        assert info.value.code == 2


def test_review_is_refused() -> None:
    with pytest.raises(UsageError):
        parse_args(["review"])

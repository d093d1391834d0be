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


def test_codex_0169_flags_parse() -> None:
    args = parse_args(
        [
            "--approve-for-me",
            "--worktree",
            "--trust",
            "--thread-source",
            "ci",
            "--cyber-access-program",
            "standard",
            "p",
        ]
    )
    assert (args.approve_for_me, args.worktree, args.trust) == (True, True, True)
    assert (args.thread_source, args.cyber_access_program, args.prompt) == ("ci", "standard", "p")


def test_resume_image_takes_one_value_and_keeps_the_prompt() -> None:
    # Codex 0.169: `exec resume --last -i a.png "prompt"` sends the image and the prompt.
    args = parse_args(["resume", "--last", "-i", "a.png", "the prompt"])
    assert (args.images, args.prompt, args.last) == (["a.png"], "the prompt", True)


def test_version_and_bad_profile(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        parse_args(["-V"])
    assert info.value.code == 0
    assert capsys.readouterr().out.startswith("codex-cli-exec ")
    with pytest.raises(SystemExit) as info:
        parse_args(["-p", "bad/name", "p"])
    assert info.value.code == 2
    assert "invalid --profile value `bad/name`; pass a plain name such as `work`" in capsys.readouterr().err


def test_unknown_flag_and_bad_choice_exit_2() -> None:
    for argv in (["--full-auto", "p"], ["-s", "nope", "p"], ["--color", "sometimes", "p"]):
        with pytest.raises(SystemExit) as info:
            parse_args(argv)
        assert info.value.code == 2


def test_review_targets() -> None:
    args = parse_args(["--json", "review", "--base", "main", "--title", "T", "focus on tests"])
    assert (args.command, args.base, args.title, args.prompt, args.json) == (
        "review",
        "main",
        "T",
        "focus on tests",
        True,
    )
    assert parse_args(["review", "--uncommitted"]).uncommitted
    with pytest.raises(SystemExit) as info:
        parse_args(["review", "--uncommitted", "--commit", "abc"])
    assert info.value.code == 2
    with pytest.raises(UsageError, match="not supported with review"):
        parse_args(["review", "--cyber-access-program", "standard", "--uncommitted"])

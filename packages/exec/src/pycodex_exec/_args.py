"""Command line of `codex exec` (and its `resume` / `fork` / `review` subcommands), built with argparse.

The flags match Codex 0.169's `codex exec --help`, level by level: the common flags (`-c`,
`--enable`, `--disable`, `--strict-config`, `-m`, `--json`, `-o`, ...) are accepted on both sides
of the subcommand, the session-only ones (`-s`, `-C`, `-p`, `--add-dir`, `--oss`...) before it.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

from ._shape import elements

__all__ = ["ExecArgs", "UsageError", "parse_args"]

SUBCOMMANDS = ("resume", "fork", "review", "help")
CYBER_PROGRAMS = ("standard", "daybreak_blue", "daybreak_red")
# Options (long and short) that consume the next argv word.
_VALUE_OPTIONS = frozenset(
    {
        "-c", "--config", "--enable", "--disable", "-i", "--image", "-m", "--model", "--local-provider",
        "-p", "--profile", "-s", "--sandbox", "-C", "--cd", "--add-dir", "--output-schema", "--color",
        "-o", "--output-last-message", "--thread-source", "--cyber-access-program", "--base", "--commit", "--title",
    }
)  # fmt: skip


class UsageError(Exception):
    """The command line cannot be honoured; exit status 2."""


@dataclass
class ExecArgs:
    """Parsed `codex exec` arguments."""

    command: str | None = None
    """`None` for a new session, or `resume` / `fork` / `review`."""
    prompt: str | None = None
    session_id: str | None = None
    last: bool = False
    all: bool = False
    config: list[str] = field(default_factory=list[str])
    enable: list[str] = field(default_factory=list[str])
    disable: list[str] = field(default_factory=list[str])
    strict_config: bool = False
    images: list[str] = field(default_factory=list[str])
    model: str | None = None
    oss: bool = False
    local_provider: str | None = None
    profile: str | None = None
    sandbox: str | None = None
    yolo: bool = False
    approve_for_me: bool = False
    cd: str | None = None
    worktree: bool = False
    add_dir: list[str] = field(default_factory=list[str])
    thread_source: str | None = None
    cyber_access_program: str | None = None
    skip_git_repo_check: bool = False
    trust: bool = False
    ephemeral: bool = False
    ignore_user_config: bool = False
    ignore_rules: bool = False
    output_schema: str | None = None
    color: str = "auto"
    json: bool = False
    output_last_message: str | None = None
    show_instructions: bool = False
    uncommitted: bool = False
    """`review --uncommitted`: review staged, unstaged and untracked changes."""
    base: str | None = None
    """`review --base BRANCH`: review the changes against this branch."""
    commit: str | None = None
    """`review --commit SHA`: review the changes of this commit."""
    title: str | None = None
    """`review --title T`: the commit title shown in the review summary."""


def _common(p: argparse.ArgumentParser, *, kind: str | None) -> None:
    """Options of `exec` and of each subcommand (`kind`), as Codex 0.169 lists them."""
    p.add_argument("-c", "--config", action="append", metavar="key=value", help="override a config value (TOML)")
    p.add_argument("--enable", action="append", metavar="FEATURE", help="enable a feature (repeatable)")
    p.add_argument("--disable", action="append", metavar="FEATURE", help="disable a feature (repeatable)")
    p.add_argument("--strict-config", action="store_true", help="unknown config.toml fields are errors")
    if kind != "review":
        if kind is None:  # `exec -i a.png b.png`; the subcommands take one file per `-i`, as in Codex
            p.add_argument("-i", "--image", dest="images", action="append", nargs="+", metavar="FILE", help="images")
        else:
            p.add_argument("-i", "--image", dest="images", action="append", metavar="FILE", help="attach an image")
    p.add_argument("-m", "--model", help="model the agent should use")
    p.add_argument(
        "--dangerously-bypass-approvals-and-sandbox",
        "--yolo",
        dest="yolo",
        action="store_true",
        help="run commands without sandbox or approvals (for externally sandboxed environments only)",
    )
    p.add_argument("--dangerously-bypass-hook-trust", action="store_true", help="accepted; pycodex runs no hooks")
    p.add_argument("--worktree", action="store_true", help="run the session in a new Git worktree of the repository")
    p.add_argument("--thread-source", metavar="SOURCE", help="source classification recorded for new threads")
    p.add_argument("--cyber-access-program", choices=CYBER_PROGRAMS, metavar="PROGRAM", help="OpenAI provider only")
    p.add_argument("--skip-git-repo-check", action="store_true", help="allow running outside a Git repository")
    p.add_argument("--trust", action="store_true", help="save trust for this project (kept even with --ephemeral)")
    p.add_argument("--ephemeral", action="store_true", help="do not write a session rollout")
    p.add_argument("--ignore-user-config", action="store_true", help="do not load $CODEX_HOME/config.toml")
    p.add_argument("--ignore-rules", action="store_true", help="do not load execpolicy .rules files")
    p.add_argument("--output-schema", metavar="FILE", help="JSON Schema file for the final response")
    p.add_argument("--json", "--experimental-json", dest="json", action="store_true", help="print JSONL events")
    p.add_argument("-o", "--output-last-message", metavar="FILE", help="write the last agent message to FILE")
    p.add_argument("--show-instructions", action="store_true", help="print which AGENTS.md files are loaded")
    if kind is None:
        p.add_argument("--oss", action="store_true", help="use a local open-source model provider")
        p.add_argument("--local-provider", choices=["ollama", "lmstudio", "llamacpp"], help="which local provider")
        p.add_argument("-p", "--profile", help="layer $CODEX_HOME/<name>.config.toml over the user config")
        p.add_argument("-s", "--sandbox", choices=["read-only", "workspace-write", "danger-full-access"])
        p.add_argument("--approve-for-me", action="store_true", help="automatic approval review (see the docs)")
        p.add_argument("-C", "--cd", metavar="DIR", help="working root of the agent")
        p.add_argument("--add-dir", action="append", metavar="DIR", help="extra writable directory")
        p.add_argument("--color", choices=["always", "never", "auto"], default="auto", help="colour output")
        p.add_argument("-V", "--version", action="store_true", help="print the version")


def _parser(kind: str | None) -> argparse.ArgumentParser:
    prog = "codex exec" if kind is None else f"codex exec {kind}"
    p = argparse.ArgumentParser(prog=prog, description="Run Codex non-interactively.", allow_abbrev=False)
    _common(p, kind=kind)
    if kind is None:
        p.add_argument("prompt", nargs="?", help="instructions for the agent; `-` or none reads stdin")
    elif kind == "resume":
        p.add_argument("--last", action="store_true", help="resume the most recent session")
        p.add_argument("--all", action="store_true", help="do not filter sessions by working directory")
        p.add_argument("session_id", nargs="?", help="session id (UUID) or thread name")
        p.add_argument("prompt", nargs="?", help="prompt to send after resuming; `-` reads stdin")
    elif kind == "fork":
        p.add_argument("session_id", help="session id (UUID) or thread name to fork")
        p.add_argument("prompt", nargs="?", help="prompt to send after forking; `-` reads stdin")
    else:
        target = p.add_mutually_exclusive_group()
        target.add_argument("--uncommitted", action="store_true", help="review staged, unstaged and untracked changes")
        target.add_argument("--base", metavar="BRANCH", help="review the changes against this base branch")
        target.add_argument("--commit", metavar="SHA", help="review the changes introduced by a commit")
        p.add_argument("--title", help="optional commit title shown in the review summary")
        p.add_argument("prompt", nargs="?", metavar="PROMPT", help="custom review instructions; `-` reads stdin")
    return p


def _subcommand_index(argv: list[str]) -> int | None:
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return None
        if word.startswith("-"):
            i += 2 if word in _VALUE_OPTIONS else 1
            continue
        return i if word in SUBCOMMANDS else None
    return None


def _flatten(values: object) -> list[str]:
    out: list[str] = []
    for v in elements(values):
        out.extend(_flatten(v) if isinstance(v, list) else [str(v)])  # pyright: ignore[reportUnknownArgumentType]
    return out


def _check_profile(profile: str | None) -> None:
    if profile is None:
        return
    from pycodex_config import profile_name_error

    error = profile_name_error(profile)
    if error is not None:
        sys.stderr.write(f"error: {error}\n\nFor more information, try '--help'.\n")
        raise SystemExit(2)


def parse_args(argv: list[str]) -> ExecArgs:
    """Parse `codex exec` argv (the words after `exec`).

    Raises:
        SystemExit: `--help` / `-V` (status 0) or a malformed command line (status 2), as argparse does.
        UsageError: a recognised flag or subcommand pycodex cannot honour.
    """
    idx = _subcommand_index(argv)
    kind = argv[idx] if idx is not None else None
    if kind == "help" and idx is not None:
        topic = argv[idx + 1] if argv[idx + 1 : idx + 2] in (["resume"], ["fork"], ["review"]) else None
        _parser(topic).print_help()
        raise SystemExit(0)
    ns = _parser(None).parse_args(argv if idx is None else argv[:idx])
    if ns.version:
        from pycodex_exec import __version__

        sys.stdout.write(f"codex-cli-exec {__version__} (pycodex)\n")
        raise SystemExit(0)
    if idx is not None:
        ns = _parser(kind).parse_args(argv[idx + 1 :], namespace=ns)
    _check_profile(ns.profile)
    args = ExecArgs(command=kind)
    for name in vars(args):
        if name != "command" and hasattr(ns, name):
            setattr(args, name, getattr(ns, name))
    args.config = list(ns.config or [])
    args.enable = list(ns.enable or [])
    args.disable = list(ns.disable or [])
    args.add_dir = list(ns.add_dir or [])
    args.images = [part for word in _flatten(ns.images) for part in word.split(",") if part]
    if kind == "resume" and args.last and args.session_id is not None and args.prompt is None:
        args.session_id, args.prompt = None, args.session_id  # `resume --last "prompt"`
    if kind == "review" and args.cyber_access_program:
        raise UsageError("--cyber-access-program is not supported with review")
    return args

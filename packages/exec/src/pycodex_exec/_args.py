"""Command line of `codex exec` (and its `resume` / `fork` subcommands), built with argparse.

The flags match Codex 0.169's `codex exec --help`. Flags Codex has whose behaviour pycodex does
not implement yet are still recognised, so that using one fails loudly (exit 2) instead of
being ignored.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

from ._shape import elements

__all__ = ["ExecArgs", "UsageError", "parse_args"]

SUBCOMMANDS = ("resume", "fork", "review", "help")
# Options (long and short) that consume the next argv word.
_VALUE_OPTIONS = frozenset(
    {
        "-c", "--config", "--enable", "--disable", "-i", "--image", "-m", "--model", "--local-provider",
        "-p", "--profile", "-s", "--sandbox", "-C", "--cd", "--add-dir", "--output-schema", "--color",
        "-o", "--output-last-message", "--thread-source", "--cyber-access-program",
    }
)  # fmt: skip
_UNSUPPORTED = {
    "approve_for_me": "--approve-for-me (automatic approval review) is not supported by pycodex yet",
    "worktree": "--worktree (managed Git worktrees) is not supported by pycodex yet",
    "thread_source": "--thread-source is not supported by pycodex yet",
    "cyber_access_program": "--cyber-access-program is only available with OpenAI's hosted service",
    "trust": "--trust (saving project trust) is not supported by pycodex yet",
}


class UsageError(Exception):
    """The command line cannot be honoured; exit status 2."""


@dataclass
class ExecArgs:
    """Parsed `codex exec` arguments."""

    command: str | None = None
    """`None` for a new session, or `resume` / `fork`."""
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
    cd: str | None = None
    add_dir: list[str] = field(default_factory=list[str])
    skip_git_repo_check: bool = False
    ephemeral: bool = False
    ignore_user_config: bool = False
    ignore_rules: bool = False
    output_schema: str | None = None
    color: str = "auto"
    json: bool = False
    output_last_message: str | None = None
    show_instructions: bool = False


def _common(p: argparse.ArgumentParser, *, full: bool) -> None:
    """Options shared by `exec`, `exec resume` and `exec fork`."""
    p.add_argument("-c", "--config", action="append", metavar="key=value", help="override a config value (TOML)")
    p.add_argument("--enable", action="append", metavar="FEATURE", help="enable a feature (repeatable)")
    p.add_argument("--disable", action="append", metavar="FEATURE", help="disable a feature (repeatable)")
    p.add_argument("--strict-config", action="store_true", help="unknown config.toml fields are errors")
    p.add_argument("-i", "--image", dest="images", action="append", nargs="+", metavar="FILE", help="attach images")
    p.add_argument("-m", "--model", help="model the agent should use")
    p.add_argument(
        "--dangerously-bypass-approvals-and-sandbox",
        "--yolo",
        dest="yolo",
        action="store_true",
        help="run commands without sandbox or approvals (for externally sandboxed environments only)",
    )
    p.add_argument("--dangerously-bypass-hook-trust", action="store_true", help="accepted; pycodex runs no hooks")
    p.add_argument("--skip-git-repo-check", action="store_true", help="allow running outside a Git repository")
    p.add_argument("--ephemeral", action="store_true", help="do not write a session rollout")
    p.add_argument("--ignore-user-config", action="store_true", help="do not load $CODEX_HOME/config.toml")
    p.add_argument("--ignore-rules", action="store_true", help="do not load execpolicy .rules files")
    p.add_argument("--output-schema", metavar="FILE", help="JSON Schema file for the final response")
    p.add_argument("--json", "--experimental-json", dest="json", action="store_true", help="print JSONL events")
    p.add_argument("-o", "--output-last-message", metavar="FILE", help="write the last agent message to FILE")
    p.add_argument("--show-instructions", action="store_true", help="print which AGENTS.md files are loaded")
    for flag, dest in (("--approve-for-me", "approve_for_me"), ("--worktree", "worktree"), ("--trust", "trust")):
        p.add_argument(flag, dest=dest, action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--thread-source", help=argparse.SUPPRESS)
    p.add_argument("--cyber-access-program", help=argparse.SUPPRESS)
    if full:
        p.add_argument("--oss", action="store_true", help="use a local open-source model provider")
        p.add_argument("--local-provider", choices=["ollama", "lmstudio", "llamacpp"], help="which local provider")
        p.add_argument("-p", "--profile", help="configuration profile")
        p.add_argument("-s", "--sandbox", choices=["read-only", "workspace-write", "danger-full-access"])
        p.add_argument("-C", "--cd", metavar="DIR", help="working root of the agent")
        p.add_argument("--add-dir", action="append", metavar="DIR", help="extra writable directory")
        p.add_argument("--color", choices=["always", "never", "auto"], default="auto", help="colour output")


def _parser(kind: str | None) -> argparse.ArgumentParser:
    prog = "codex exec" if kind is None else f"codex exec {kind}"
    p = argparse.ArgumentParser(prog=prog, description="Run Codex non-interactively.", allow_abbrev=False)
    _common(p, full=kind is None)
    if kind is None:
        p.add_argument("prompt", nargs="?", help="instructions for the agent; `-` or none reads stdin")
    elif kind == "resume":
        p.add_argument("--last", action="store_true", help="resume the most recent session")
        p.add_argument("--all", action="store_true", help="do not filter sessions by working directory")
        p.add_argument("session_id", nargs="?", help="session id (UUID) or thread name")
        p.add_argument("prompt", nargs="?", help="prompt to send after resuming; `-` reads stdin")
    else:
        p.add_argument("session_id", help="session id (UUID) or thread name to fork")
        p.add_argument("prompt", nargs="?", help="prompt to send after forking; `-` reads stdin")
    return p


def _subcommand_index(argv: list[str]) -> int | None:
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            return None
        if word.startswith("-"):
            if word in _VALUE_OPTIONS:
                i += 1
            elif word in ("-i", "--image"):
                i += 1
            i += 1
            continue
        return i if word in SUBCOMMANDS else None
    return None


def _flatten(values: object) -> list[str]:
    out: list[str] = []
    for v in elements(values):
        out.extend(_flatten(v) if isinstance(v, list) else [str(v)])  # pyright: ignore[reportUnknownArgumentType]
    return out


def parse_args(argv: list[str]) -> ExecArgs:
    """Parse `codex exec` argv (the words after `exec`).

    Raises:
        SystemExit: `--help` (status 0) or a malformed command line (status 2), as argparse does.
        UsageError: a recognised flag or subcommand pycodex cannot honour.
    """
    idx = _subcommand_index(argv)
    kind = argv[idx] if idx is not None else None
    if kind == "help":
        _parser(None).print_help()
        raise SystemExit(0)
    if kind == "review":
        raise UsageError("`codex exec review` is not supported by pycodex yet")
    ns = _parser(None).parse_args(argv if idx is None else argv[:idx])
    if idx is not None:
        ns = _parser(kind).parse_args(argv[idx + 1 :], namespace=ns)
    for dest, message in _UNSUPPORTED.items():
        if getattr(ns, dest, None):
            raise UsageError(message)
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
    return args

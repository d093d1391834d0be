"""Command line of the interactive `codex [OPTIONS] [PROMPT]`, `codex resume` and `codex fork`."""

from __future__ import annotations

import argparse
from dataclasses import dataclass, field

__all__ = ["TuiArgs", "UsageError", "parse_args"]


class UsageError(Exception):
    """A command line that cannot be understood."""


@dataclass
class TuiArgs:
    """Parsed options."""

    command: str | None = None
    """`None`, `resume` or `fork`."""
    prompt: str | None = None
    config: list[str] = field(default_factory=list[str])
    enable: list[str] = field(default_factory=list[str])
    disable: list[str] = field(default_factory=list[str])
    model: str | None = None
    profile: str | None = None
    sandbox: str | None = None
    approval: str | None = None
    cd: str | None = None
    add_dir: list[str] = field(default_factory=list[str])
    images: list[str] = field(default_factory=list[str])
    oss: bool = False
    local_provider: str | None = None
    search: bool = False
    no_alt_screen: bool = False
    full_auto: bool = False
    yolo: bool = False
    strict_config: bool = False
    session_id: str | None = None
    last: bool = False
    all: bool = False
    include_non_interactive: bool = False


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


def _parser(command: str | None) -> argparse.ArgumentParser:
    prog = f"codex {command}" if command else "codex"
    p = _Parser(prog=prog, description="Run Codex interactively.")
    p.add_argument("-c", "--config", action="append", default=[], metavar="key=value")
    p.add_argument("--enable", action="append", default=[])
    p.add_argument("--disable", action="append", default=[])
    p.add_argument("-m", "--model")
    p.add_argument("-p", "--profile")
    p.add_argument("-s", "--sandbox", choices=["read-only", "workspace-write", "danger-full-access"])
    p.add_argument(
        "-a", "--ask-for-approval", dest="approval", choices=["untrusted", "on-failure", "on-request", "never"]
    )
    p.add_argument("-C", "--cd")
    p.add_argument("--add-dir", action="append", default=[])
    p.add_argument("-i", "--image", dest="images", action="append", default=[])
    p.add_argument("--oss", action="store_true")
    p.add_argument("--local-provider")
    p.add_argument("--search", action="store_true")
    p.add_argument("--no-alt-screen", action="store_true")
    p.add_argument("--full-auto", action="store_true")
    p.add_argument("--dangerously-bypass-approvals-and-sandbox", "--yolo", dest="yolo", action="store_true")
    p.add_argument("--strict-config", action="store_true")
    p.add_argument("-V", "--version", action="version", version="codex-cli (pycodex)")
    # Accepted as Codex 0.169 accepts them; they change nothing in a local session.
    for flag in ("--remote", "--remote-auth-token-env"):
        p.add_argument(flag, help=argparse.SUPPRESS)
    for flag in ("--approve-for-me", "--dangerously-bypass-hook-trust", "--worktree", "--no-daemon"):
        p.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    if command in ("resume", "fork"):
        p.add_argument("session_id", nargs="?", metavar="SESSION_ID")
        p.add_argument("--last", action="store_true", help="Continue the most recent session")
        p.add_argument("--all", action="store_true", help="Sessions of every directory, not just this one")
        if command == "resume":
            p.add_argument("--include-non-interactive", action="store_true", help="Also list `codex exec` sessions")
        p.add_argument("prompt", nargs="?", metavar="PROMPT")
    else:
        p.add_argument("prompt", nargs="?", metavar="PROMPT")
    return p


def parse_args(argv: list[str], command: str | None = None) -> TuiArgs:
    """Parse `argv` (global flags and the command's own words).

    Raises:
        UsageError: The words cannot be parsed.
        SystemExit: `--help` was given (after printing the help).
    """
    ns = _parser(command).parse_args(argv)
    images: list[str] = []
    for value in ns.images:
        images += [v for v in value.split(",") if v]
    args = TuiArgs(command=command, images=images)
    for key, value in vars(ns).items():
        if key != "images" and hasattr(args, key):
            setattr(args, key, value)
    if args.last and args.session_id and args.prompt is None:
        args.prompt, args.session_id = args.session_id, None
    return args

"""The table of `codex` subcommands and of the flags the root command accepts.

A subcommand is one `Command` entry in `COMMANDS`: its one-line summary, and the `module:function`
that runs it, imported only when that subcommand runs. The function takes the argv words meant
for it (the root flags it receives, as `--long=value` words, then the words after its name) and
returns the exit status. See packages/cli/README.md.

This module imports nothing: `codex --version` and `codex --help` read it at start-up.
"""

from __future__ import annotations

from typing import Literal, NamedTuple

__all__ = ["COMMANDS", "INTERACTIVE", "ROOT_FLAGS", "Command", "RootFlag", "lookup"]

Takes = Literal["common", "session", "interactive"]
"""Which root flags a subcommand receives (see `RootFlag.kind`)."""


class Command(NamedTuple):
    """One `codex` subcommand."""

    summary: str
    """The line `codex --help` shows."""
    entry: str | None
    """`package.module:function` taking `argv: list[str]` and returning the exit status; `None` when
    pycodex does not run this command (then `unavailable` says why, in one line)."""
    aliases: tuple[str, ...] = ()
    takes: Takes = "common"
    """`common`: only `-c/--enable/--disable` from the root; `session`: also the session flags
    (model, sandbox, profile, cwd...), not the TUI-only ones; `interactive`: every root flag."""
    unavailable: str = ""
    """Why the command does not run here (`entry` is `None`): the one line printed, exit 1."""
    hidden: bool = False
    """Left out of `codex --help` (pycodex-only helpers)."""


_CLOUD = "needs OpenAI's hosted Codex service, which pycodex does not talk to"
_NOT_YET = "is not available in pycodex yet"
_UPGRADE = "is not used with pycodex: upgrade it with your package manager"

# The interactive session: `codex [OPTIONS] [PROMPT]` with no subcommand.
INTERACTIVE = Command("Interactive session", "pycodex_cli._cmd_tui:interactive", takes="interactive")

# One line per subcommand, in the order of Codex 0.169's `codex --help`.
COMMANDS: dict[str, Command] = {
    "agents": Command("Open the agent command center to browse and switch sessions", None, unavailable=_NOT_YET),
    "exec": Command("Run Codex non-interactively", "pycodex_exec:main", ("e",), "session"),
    "review": Command("Run a code review non-interactively", "pycodex_cli._cmd_review:main", (), "session"),
    "login": Command("Manage login", "pycodex_cli._cmd_login:login"),
    "logout": Command("Remove stored authentication credentials", "pycodex_cli._cmd_login:logout"),
    "mcp": Command("Manage external MCP servers for Codex", "pycodex_cli._mcp_cmd:main"),
    "mcp-server": Command("Run Codex as an MCP server (stdio)", "pycodex_cli._mcp_cmd:serve", (), "session"),
    "plugin": Command("Manage Codex plugins", None, unavailable=_NOT_YET),
    "app-server": Command("[experimental] Run the app server or related tooling", None, unavailable=_NOT_YET),
    "remote-control": Command(
        "[experimental] Manage the app-server daemon with remote control", None, unavailable=_CLOUD
    ),
    "completion": Command("Generate shell completion scripts", "pycodex_cli._cmd_completion:main"),
    "update": Command("Update Codex to the latest version", None, unavailable=_UPGRADE),
    "doctor": Command(
        "Diagnose local Codex installation, config, auth, and runtime health", "pycodex_cli._commands:doctor"
    ),
    "sandbox": Command("Run commands within a Codex-provided sandbox", "pycodex_cli._sandbox_cmd:main"),
    "execpolicy": Command("Check commands against execpolicy rules", "pycodex_cli._execpolicy_cmd:main"),
    "debug": Command("Debugging tools", "pycodex_cli._cmd_debug:main"),
    "apply": Command(
        "Apply the latest diff produced by Codex agent as a `git apply` to your local working tree",
        None,
        ("a",),
        unavailable=_CLOUD,
    ),
    "resume": Command(
        "Resume a previous interactive session (picker by default; use --last to continue the most recent)",
        "pycodex_cli._cmd_tui:resume",
        (),
        "interactive",
    ),
    "queue": Command("Queue a message for an existing session", None, unavailable=_NOT_YET),
    "archive": Command(
        "Archive a saved session by id or session name", "pycodex_cli._cmd_sessions:archive", (), "session"
    ),
    "delete": Command(
        "Permanently delete a saved session by id or session name", "pycodex_cli._cmd_sessions:delete", (), "session"
    ),
    "migrate-rollouts": Command(
        "Inspect or migrate legacy local sessions to paginated thread history", None, unavailable=_NOT_YET
    ),
    "migrate-nfs-db": Command(
        "[experimental] Migrate configured SQLite databases to DELETE mode in place", None, unavailable=_NOT_YET
    ),
    "unarchive": Command(
        "Unarchive a saved session by id or session name", "pycodex_cli._cmd_sessions:unarchive", (), "session"
    ),
    "fork": Command(
        "Fork a previous interactive session (picker by default; use --last to fork the most recent)",
        "pycodex_cli._cmd_tui:fork",
        (),
        "interactive",
    ),
    "cloud": Command(
        "[EXPERIMENTAL] Browse tasks from Codex Cloud and apply changes locally", None, unavailable=_CLOUD
    ),
    "exec-server": Command("[EXPERIMENTAL] Run the standalone exec-server service", None, unavailable=_NOT_YET),
    "features": Command("Inspect feature flags", "pycodex_cli._commands:features"),
    "config": Command(
        "Configuration helpers (migrate the TypeScript-era config)", "pycodex_cli._commands:config", hidden=True
    ),
}


class RootFlag(NamedTuple):
    """A flag of the root `codex` command."""

    long: str
    """The name it is handed on under (`--long=value`, or `--long` for a switch)."""
    value: bool
    """Whether it takes a value."""
    kind: Literal["common", "session", "tui", "remote", "strict"]
    """`common` goes to every subcommand; `session` to `session`/`interactive` commands (dropped
    for the others, as Codex does); `tui` only to `interactive` ones; `remote` is an error before
    any other command; `strict` is forwarded to `session`/`interactive` ones, an error elsewhere."""


ROOT_FLAGS: dict[str, RootFlag] = {}
for _names, _flag in (
    (("-c", "--config"), RootFlag("--config", True, "common")),
    (("--enable",), RootFlag("--enable", True, "common")),
    (("--disable",), RootFlag("--disable", True, "common")),
    (("--remote",), RootFlag("--remote", True, "remote")),
    (("--remote-auth-token-env",), RootFlag("--remote-auth-token-env", True, "remote")),
    (("--strict-config",), RootFlag("--strict-config", False, "strict")),
    (("-i", "--image"), RootFlag("--image", True, "session")),
    (("-m", "--model"), RootFlag("--model", True, "session")),
    (("--oss",), RootFlag("--oss", False, "session")),
    (("--local-provider",), RootFlag("--local-provider", True, "session")),
    (("-p", "--profile"), RootFlag("--profile", True, "session")),
    (("-s", "--sandbox"), RootFlag("--sandbox", True, "session")),
    (("--approve-for-me",), RootFlag("--approve-for-me", False, "session")),
    (
        ("--dangerously-bypass-approvals-and-sandbox", "--yolo"),
        RootFlag("--dangerously-bypass-approvals-and-sandbox", False, "session"),
    ),
    (("--dangerously-bypass-hook-trust",), RootFlag("--dangerously-bypass-hook-trust", False, "session")),
    (("-C", "--cd"), RootFlag("--cd", True, "session")),
    (("--worktree",), RootFlag("--worktree", False, "session")),
    (("--add-dir",), RootFlag("--add-dir", True, "session")),
    (("-a", "--ask-for-approval"), RootFlag("--ask-for-approval", True, "tui")),
    (("--search",), RootFlag("--search", False, "tui")),
    (("--no-alt-screen",), RootFlag("--no-alt-screen", False, "tui")),
    (("--no-daemon",), RootFlag("--no-daemon", False, "tui")),
):
    for _name in _names:
        ROOT_FLAGS[_name] = _flag


def lookup(word: str) -> tuple[str, Command] | None:
    """The (name, command) that `word` names, aliases included, or `None`."""
    command = COMMANDS.get(word)
    if command is not None:
        return word, command
    for name, command in COMMANDS.items():
        if word in command.aliases:
            return name, command
    return None

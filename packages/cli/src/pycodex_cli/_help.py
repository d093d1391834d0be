"""`codex --help`, `codex help [SUB...]`, and the help of commands pycodex does not run."""

from __future__ import annotations

import sys
import textwrap

from pycodex_cli._registry import COMMANDS, lookup

__all__ = ["command_help", "help_command", "root_help"]

_OPTIONS = """\
Options:
  -c, --config <key=value>      Override a config.toml value (`foo.bar=value`; TOML, else a string)
      --enable <FEATURE>        Enable a feature (repeatable); same as `-c features.<name>=true`
      --disable <FEATURE>       Disable a feature (repeatable); same as `-c features.<name>=false`
      --remote <ADDR>           Connect the interactive session to a remote app server
      --remote-auth-token-env <ENV_VAR>
                                Environment variable holding the remote server's bearer token
      --strict-config           Fail when config.toml has fields this version does not know
  -i, --image <FILE>...         Image(s) to attach to the initial prompt
  -m, --model <MODEL>           Model the agent should use
      --oss                     Use a local open-source model provider
      --local-provider <OSS_PROVIDER>
                                Which local provider to use (lmstudio or ollama)
  -p, --profile <CONFIG_PROFILE_V2>
                                Layer $CODEX_HOME/<name>.config.toml over the user config
  -s, --sandbox <SANDBOX_MODE>  read-only | workspace-write | danger-full-access
      --approve-for-me          Route approval requests through automatic review
      --dangerously-bypass-approvals-and-sandbox
                                Run commands with no sandbox and no approvals (externally sandboxed
                                environments only)
      --dangerously-bypass-hook-trust
                                Run enabled hooks without persisted hook trust
  -C, --cd <DIR>                Working root of the agent
      --worktree                Run the session in a new Git worktree
      --add-dir <DIR>           Extra writable directory
  -a, --ask-for-approval <APPROVAL_POLICY>
                                on-request | never
      --search                  Enable live web search
      --no-alt-screen           Inline mode: keep the terminal scrollback
      --no-daemon               Run without the shared background server
  -h, --help                    Print help
  -V, --version                 Print version
"""


def root_help() -> str:
    """The text of `codex --help`."""
    lines = [
        "pycodex: a terminal coding agent, compatible with OpenAI's Codex CLI.",
        "",
        "If no subcommand is specified, options will be forwarded to the interactive CLI.",
        "",
        "Usage: codex [OPTIONS] [PROMPT]",
        "       codex [OPTIONS] <COMMAND> [ARGS]",
        "",
        "Commands:",
    ]
    for name, command in COMMANDS.items():
        if command.hidden:
            continue
        text = command.summary
        if command.aliases:
            text += f" [aliases: {', '.join(command.aliases)}]"
        if command.entry is None:
            text += " (not available in pycodex)"
        wrapped = textwrap.wrap(text, 80) or [""]
        lines.append(f"  {name:<17} {wrapped[0]}")
        lines.extend(f"  {'':<17} {more}" for more in wrapped[1:])
    lines.append(f"  {'help':<17} Print this message or the help of the given subcommand(s)")
    lines += ["", "Arguments:", "  [PROMPT]  Optional user prompt to start the session", "", _OPTIONS]
    return "\n".join(lines)


def command_help(name: str) -> str:
    """The help of a command pycodex does not run: what it is, and why it does not run."""
    command = COMMANDS[name]
    return f"{command.summary}\n\nUsage: codex {name} [OPTIONS]\n\npycodex: `codex {name}` {command.unavailable}.\n"


def help_command(words: list[str]) -> int:
    """`codex help [SUB [SUBSUB...]]`: the help of that command, as `codex SUB ... --help` prints it."""
    if not words:
        sys.stdout.write(root_help())
        return 0
    found = lookup(words[0])
    if found is None:
        sys.stderr.write(
            f"error: unrecognized subcommand '{words[0]}'\n\n"
            "Usage: codex [OPTIONS] [PROMPT]\n       codex [OPTIONS] <COMMAND> [ARGS]\n\n"
            "For more information, try '--help'.\n"
        )
        return 2
    from pycodex_cli._main import run_command

    name, command = found
    return run_command(name, command, [*words[1:], "--help"])

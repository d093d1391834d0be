"""Entry point of the `codex` command.

The parser is built only when it is needed: `--version` is answered from argv alone, and each
subcommand imports its front end when it runs.
"""

from __future__ import annotations

import sys

from pycodex_cli import __version__

# Flags accepted before the subcommand and handed on to it, with whether each takes a value.
GLOBAL_FLAGS: dict[str, bool] = {
    "-c": True,
    "--config": True,
    "--enable": True,
    "--disable": True,
    "-m": True,
    "--model": True,
    "-p": True,
    "--profile": True,
    "-s": True,
    "--sandbox": True,
    "-C": True,
    "--cd": True,
    "--add-dir": True,
    "-i": True,
    "--image": True,
    "--local-provider": True,
    "--oss": False,
    "--strict-config": False,
    "--dangerously-bypass-approvals-and-sandbox": False,
    "--yolo": False,
}

# Flags of the interactive front end that exec does not take.
TUI_ONLY_FLAGS: dict[str, bool] = {
    "-a": True,
    "--ask-for-approval": True,
    "--search": False,
    "--no-alt-screen": False,
}

# Subcommands and a one-line description; `None` marks those that are not built yet.
SUBCOMMANDS: dict[str, str] = {
    "exec": "Run Codex non-interactively (alias: e)",
    "features": "Inspect feature flags",
    "config": "Configuration helpers (migrate the TypeScript-era config)",
    "completion": "Print a shell completion script (bash, zsh, fish)",
    "doctor": "Check this machine and the configuration",
    "mcp": "Manage external MCP servers",
    "mcp-server": "Run Codex as an MCP server (stdio)",
    "login": "Manage login",
    "logout": "Remove stored authentication credentials",
    "sandbox": "Run a command inside the Codex sandbox",
    "execpolicy": "Check commands against execpolicy rules",
    "apply": "Apply the latest diff produced by a Codex agent",
    "resume": "Resume a previous interactive session",
    "fork": "Fork a previous interactive session",
    "review": "Run a code review non-interactively",
}
ALIASES = {"e": "exec"}
NOT_YET = frozenset({"login", "logout", "sandbox", "execpolicy", "apply", "resume", "fork", "review"})


# Long names of the short global flags, so a flag and its value travel as one `--name=value` word.
LONG_NAMES = {"-c": "--config", "-m": "--model", "-p": "--profile", "-s": "--sandbox", "-C": "--cd", "-i": "--image"}


def split_globals(args: list[str]) -> tuple[list[str], str | None, list[str]]:
    """Split argv into (global flags, subcommand or None, the subcommand's own arguments).

    A global flag that takes a value is handed on as one `--name=value` word: the subcommand may
    accept several values for it (`-i a.png b.png`), and must not take its own arguments as more.
    """
    globals_: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name = arg.split("=", 1)[0]
        if name in GLOBAL_FLAGS or name in TUI_ONLY_FLAGS:
            takes_value = GLOBAL_FLAGS.get(name, TUI_ONLY_FLAGS.get(name, False))
            if not takes_value:
                globals_.append(arg)
            elif "=" in arg:
                globals_.append(f"{LONG_NAMES.get(name, name)}={arg.split('=', 1)[1]}")
            else:
                if i + 1 >= len(args):
                    raise UsageError(f"option {name!r} needs a value")
                globals_.append(f"{LONG_NAMES.get(name, name)}={args[i + 1]}")
                i += 1
            i += 1
            continue
        if arg.startswith("-c") and len(arg) > 2:  # `-ckey=value`
            globals_.append(f"--config={arg[2:]}")
            i += 1
            continue
        if arg in SUBCOMMANDS or arg in ALIASES:
            return globals_, ALIASES.get(arg, arg), args[i + 1 :]
        return globals_, None, args[i:]
    return globals_, None, []


class UsageError(Exception):
    """A command line that cannot be understood."""


def dispatch(args: list[str]) -> int:
    """Run `codex ARGS` (anything but `--version`) and return the exit code."""
    if args and args[0] in ("-h", "--help", "help"):
        sys.stdout.write(_help_text())
        return 0
    try:
        globals_, sub, rest = split_globals(args)
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if sub is None:
        if rest and rest[0].startswith("-"):
            sys.stderr.write(f"error: unexpected argument {rest[0]!r}\n\n{_usage()}")
            return 2
        return _not_yet("the interactive session (run `codex exec` for the headless agent)")
    if sub in NOT_YET:
        return _not_yet(f"`codex {sub}`")
    from pycodex_cli._logging import setup_logging

    setup_logging()
    if sub == "exec":
        for flag in globals_:
            if flag.split("=", 1)[0] in TUI_ONLY_FLAGS:
                sys.stderr.write(f"error: {flag.split('=', 1)[0]!r} is not accepted by `codex exec`\n")
                return 2
        from pycodex_exec import main as exec_main

        return exec_main(globals_ + rest)
    if sub in ("mcp", "mcp-server"):
        from pycodex_cli import _mcp_cmd

        return _mcp_cmd.run(globals_, rest) if sub == "mcp" else _mcp_cmd.serve(globals_, rest)
    from pycodex_cli import _commands

    return _commands.run(sub, globals_, rest)


def _not_yet(what: str) -> int:
    sys.stderr.write(f"{what} is not available yet in pycodex {__version__}.\n")
    return 2


def _usage() -> str:
    return "Usage: codex [OPTIONS] [PROMPT]\n       codex [OPTIONS] <COMMAND> [ARGS]\n"


def _help_text() -> str:
    lines = [
        "pycodex: a terminal coding agent, compatible with OpenAI's Codex CLI.",
        "",
        _usage().rstrip("\n"),
        "",
        "Commands:",
    ]
    for name, text in SUBCOMMANDS.items():
        suffix = " (not available yet)" if name in NOT_YET else ""
        lines.append(f"  {name:<12} {text}{suffix}")
    lines += [
        "",
        "Options (given before a command, they apply to it):",
        "  -c, --config <key=value>   Override a config.toml value (TOML, else a string)",
        "      --enable <FEATURE>     Enable a feature (same as -c features.<name>=true)",
        "      --disable <FEATURE>    Disable a feature",
        "  -m, --model <MODEL>        Model to use",
        "  -p, --profile <NAME>       Layer $CODEX_HOME/<NAME>.config.toml on the user config",
        "  -s, --sandbox <MODE>       read-only | workspace-write | danger-full-access",
        "  -C, --cd <DIR>             Working directory",
        "      --oss                  Use a local model provider",
        "  -V, --version              Print the version",
        "  -h, --help                 Print this help",
        "",
    ]
    return "\n".join(lines)

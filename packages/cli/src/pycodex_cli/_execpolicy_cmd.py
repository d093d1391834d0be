"""`codex execpolicy check` (Codex 0.169's output, byte for byte) and `codex execpolicy explain` (ours)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

_USAGE_CHECK = "Usage: codex execpolicy check [OPTIONS] --rules <PATH> <COMMAND>...\n"
_USAGE_EXPLAIN = "Usage: codex execpolicy explain [OPTIONS] [--] <COMMAND>...\n"
_USAGE = "Usage: codex execpolicy [OPTIONS] <COMMAND>\n"
_HELP = f"""Execpolicy tooling

{_USAGE}
Commands:
  check    Check execpolicy files against a command
  explain  Explain which rules decide a command, and what would change the decision
  help     Print this message or the help of the given subcommand(s)

Options:
  -h, --help  Print help
"""
_HELP_CHECK = f"""Check execpolicy files against a command

{_USAGE_CHECK}
Arguments:
  <COMMAND>...  Command tokens to check against the policy

Options:
  -r, --rules <PATH>            Paths to execpolicy rule files to evaluate (repeatable)
      --pretty                  Pretty-print the JSON output
      --resolve-host-executables
                                Resolve absolute program paths against basename rules, gated by any
                                `host_executable()` definitions in the loaded policy files
  -c, --config <key=value>      Accepted for compatibility; rules come only from --rules
  -h, --help                    Print help
"""
_HELP_EXPLAIN = f"""Explain which rules decide a command, and what would change the decision

{_USAGE_EXPLAIN}
Without --rules, the rule files Codex loads are used: $CODEX_HOME/rules/*.rules, then the
project's .codex/rules/*.rules.

Options:
  -r, --rules <PATH>  Rule files to use instead (repeatable)
      --ignore-rules  Use no rule files, only the heuristics
  -h, --help          Print help
"""


@dataclass
class _Args:
    rules: list[str] = field(default_factory=lambda: [])
    pretty: bool = False
    resolve: bool = False
    ignore_rules: bool = False
    command: list[str] = field(default_factory=lambda: [])
    help: bool = False


class _Usage(Exception):
    pass


_ROOT_FLAG_PREFIXES = ("--config=", "--enable=", "--disable=")


def main(argv: list[str]) -> int:
    """Entry of `codex execpolicy`: the root flags it receives (`--config=...`), then its own words."""
    i = 0
    while i < len(argv) and argv[i].startswith(_ROOT_FLAG_PREFIXES):
        i += 1
    return run(argv[:i], argv[i:])


def run(globals_: list[str], rest: list[str]) -> int:
    """Run `codex execpolicy ...` and return the exit code."""
    del globals_  # rules come from --rules or the rule folders, never from config overrides
    if not rest or rest[0] in ("-h", "--help", "help"):
        if not rest:
            sys.stderr.write(_HELP)
            return 2
        sys.stdout.write(_HELP)
        return 0
    sub, args = rest[0], rest[1:]
    if sub not in ("check", "explain"):
        sys.stderr.write(f"error: unrecognized subcommand '{sub}'\n\n{_USAGE}\nFor more information, try '--help'.\n")
        return 2
    usage = _USAGE_CHECK if sub == "check" else _USAGE_EXPLAIN
    try:
        parsed = _parse(args, explain=sub == "explain")
        if parsed.help:
            sys.stdout.write(_HELP_CHECK if sub == "check" else _HELP_EXPLAIN)
            return 0
        _require(parsed, sub)
    except _Usage as exc:
        sys.stderr.write(f"error: {exc}\n\n{usage}\nFor more information, try '--help'.\n")
        return 2
    return _check(parsed) if sub == "check" else _explain(parsed)


def _parse(args: list[str], *, explain: bool) -> _Args:
    out = _Args()
    i = 0
    while i < len(args):
        arg = args[i]
        if arg == "--":
            out.command = args[i + 1 :]
            return out
        if arg in ("-r", "--rules"):
            if i + 1 >= len(args):
                raise _Usage("a value is required for '--rules <PATH>' but none was supplied")
            out.rules.append(args[i + 1])
            i += 2
            continue
        if arg.startswith("--rules="):
            out.rules.append(arg.split("=", 1)[1])
        elif arg in ("-c", "--config", "--enable", "--disable"):
            i += 1  # value accepted and unused
        elif arg.startswith(("--config=", "--enable=", "--disable=")):
            pass
        elif arg == "--pretty" and not explain:
            out.pretty = True
        elif arg == "--resolve-host-executables" and not explain:
            out.resolve = True
        elif arg == "--ignore-rules" and explain:
            out.ignore_rules = True
        elif arg in ("-h", "--help"):
            out.help = True
        else:
            out.command = args[i:]
            return out
        i += 1
    return out


def _require(args: _Args, sub: str) -> None:
    missing: list[str] = []
    if sub == "check" and not args.rules:
        missing.append("--rules <PATH>")
    if not args.command:
        missing.append("<COMMAND>...")
    if missing:
        raise _Usage("the following required arguments were not provided:\n  " + "\n  ".join(missing))
    if any(_not_utf8(word) for word in [*args.command, *args.rules]):
        raise _Usage("invalid UTF-8 was detected in one or more arguments")


def _not_utf8(word: str) -> bool:
    try:
        word.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _check(args: _Args) -> int:
    from pycodex_execpolicy import ExecPolicyError, PolicyParseError, PolicyParser, PolicyReadError

    parser = PolicyParser()
    try:
        for path in args.rules:
            parser.parse_file(path)
    except (PolicyParseError, PolicyReadError) as exc:
        sys.stderr.write(exc.render())
        return 1
    except ExecPolicyError as exc:  # pragma: no cover - every error is one of the above
        sys.stderr.write(f"Error: {exc}\n")
        return 1
    evaluation = parser.policy.check(args.command, resolve_host_executables=args.resolve)
    sys.stdout.write(evaluation.render(pretty=args.pretty) + "\n")
    return 0


def _explain(args: _Args) -> int:
    from pycodex_execpolicy import PolicyParseError, PolicyReadError, explain_command, load_policy, parse_policy_files

    if args.rules:
        try:
            policy = parse_policy_files([Path(p) for p in args.rules])
        except (PolicyParseError, PolicyReadError) as exc:
            sys.stderr.write(exc.render())
            return 1
        sources, warnings = [Path(p) for p in args.rules], []
    else:
        home = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")
        loaded = load_policy(home, Path.cwd(), ignore_rules=args.ignore_rules)
        policy, sources, warnings = loaded.policy, loaded.files, loaded.warnings
    for warning in warnings:
        sys.stderr.write(f"warning: {warning}\n")
    home = Path(os.environ.get("CODEX_HOME") or Path.home() / ".codex")
    sys.stdout.write(explain_command(policy, args.command, sources=sources, codex_home=home))
    return 0

"""Record every command path and flag of the real Codex 0.169 from its `--help` output.

Run with `uv run python tools/record_codex_help.py [CODEX_BINARY]`. It walks the command tree
(`codex --help`, then `codex SUB --help` for each listed command, recursively) and writes
`packages/cli/tests/fixtures/codex_0169_commands.json`: for each path, its aliases, positional
arguments, subcommands and options (short, long, whether it takes a value, possible values).
It also regenerates `packages/cli/src/pycodex_cli/_tree.py`, the same tree in the compact form
the completion scripts use.
"""

from __future__ import annotations

import json
import os
import pprint
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "packages" / "cli" / "tests" / "fixtures" / "codex_0169_commands.json"
TREE = ROOT / "packages" / "cli" / "src" / "pycodex_cli" / "_tree.py"

_COMMAND = re.compile(r"^  (\S+)\s{2,}(.*)$")
_OPTION = re.compile(r"^\s{2,}(?:(-\w)(?:, )?)?(--[\w-]+)?(?: <([^>]+)>(\.\.\.)?| \[<([^>]+)>\])?\s*(.*)$")
_ARG = re.compile(r"^\s{2}[\[<](.+?)[\]>](\.\.\.)?\s*$")
_VALUES = re.compile(r"\[possible values: ([^\]]+)\]")
_ALIASES = re.compile(r"\[aliases?: ([^\]]+)\]")


def find_codex() -> Path:
    """The Codex 0.169 binary: argv[1], `$PYCODEX_REAL_CODEX`, or the npm install in `.codex-ref`."""
    if len(sys.argv) > 1:
        return Path(sys.argv[1])
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    found = sorted((ROOT / ".codex-ref" / "node_modules" / "@openai").glob("codex-linux-*/vendor/*/bin/codex"))
    if not found:
        raise SystemExit("Codex 0.169 not found: pass its path or set PYCODEX_REAL_CODEX")
    return found[0]


def help_text(codex: Path, path: list[str], home: str) -> str:
    """`codex PATH --help` (the long form), stdout only."""
    env = {**os.environ, "CODEX_HOME": home, "NO_COLOR": "1", "COLUMNS": "200"}
    done = subprocess.run(
        [str(codex), *path, "--help"], capture_output=True, text=True, encoding="utf-8", env=env, timeout=30
    )
    return done.stdout


def _sections(text: str) -> dict[str, list[str]]:
    sections: dict[str, list[str]] = {}
    current = ""
    for line in text.splitlines():
        if line and not line.startswith(" ") and line.endswith(":"):
            current = line[:-1]
            sections[current] = []
        elif current:
            sections[current].append(line)
    return sections


def _options(lines: list[str]) -> list[dict[str, Any]]:
    options: list[dict[str, Any]] = []
    for line in lines:
        if not re.match(r"^\s{2,6}-", line):
            if options and (m := _VALUES.search(line)):
                options[-1]["values"] = [v.strip() for v in m.group(1).split(",")]
            elif options and re.match(r"^\s+- ([\w-]+):", line) and options[-1]["value"]:
                options[-1].setdefault("values", []).append(line.strip()[2:].split(":", 1)[0])
            continue
        m = _OPTION.match(line)
        if not m or not (m.group(1) or m.group(2)):
            continue
        short, long_, value, many, optional, rest = m.groups()
        entry: dict[str, Any] = {"short": short, "long": long_, "value": bool(value or optional)}
        if many:
            entry["multiple"] = True
        if optional:
            entry["optional_value"] = True
        if rest and (v := _VALUES.search(rest)):
            entry["values"] = [x.strip() for x in v.group(1).split(",")]
        options.append(entry)
    return options


def _commands(lines: list[str]) -> dict[str, list[str]]:
    commands: dict[str, list[str]] = {}
    last = None
    for line in lines:
        m = _COMMAND.match(line)
        if m:
            last = m.group(1)
            commands[last] = []
            desc = m.group(2)
        elif last and line.strip():
            desc = line.strip()
        else:
            continue
        if a := _ALIASES.search(desc):
            commands[last] = [x.strip() for x in a.group(1).split(",")]
    return commands


def _arguments(lines: list[str]) -> list[str]:
    return [m.group(1) for line in lines if (m := _ARG.match(line))]


def walk(codex: Path, path: list[str], home: str, tree: dict[str, Any], aliases: list[str]) -> None:
    """Record `path` and everything below it into `tree`."""
    text = help_text(codex, path, home)
    sections = _sections(text)
    usage = next((line for line in text.splitlines() if line.startswith("Usage:")), "")
    commands = _commands(sections.get("Commands", []))
    tree[" ".join(path)] = {
        "usage": usage.removeprefix("Usage: ").strip(),
        "aliases": aliases,
        "arguments": _arguments(sections.get("Arguments", [])),
        "commands": [c for c in commands if c != "help"],
        "options": _options(sections.get("Options", [])),
    }
    for name, sub_aliases in commands.items():
        if name != "help":
            walk(codex, [*path, name], home, tree, sub_aliases)


def write_tree(tree: dict[str, Any], version: str) -> None:
    """Write `_tree.py`: path -> (aliases, subcommands, options as (names, takes value, values))."""
    rows: list[str] = []
    for path in sorted(tree):
        entry = tree[path]
        options = [
            (tuple(n for n in (o["short"], o["long"]) if n), o["value"], tuple(o.get("values", ())))
            for o in entry["options"]
        ]
        value = pprint.pformat((tuple(entry["aliases"]), tuple(entry["commands"]), tuple(options)), width=110)
        rows.append(f"    {path!r}: " + value.replace("\n", "\n    ") + ",")
    TREE.write_text(
        f'"""Every command path and option of {version}, from its `--help` (tools/record_codex_help.py)."""\n\n'
        "# Generated: do not edit by hand. path -> (aliases, subcommands, ((names), takes value, (values))).\n"
        "Options = tuple[tuple[tuple[str, ...], bool, tuple[str, ...]], ...]\n"
        "TREE: dict[str, tuple[tuple[str, ...], tuple[str, ...], Options]] = {\n" + "\n".join(rows) + "\n}\n",
        encoding="utf-8",
    )


def main() -> None:
    """Record the tree and write the fixture and `_tree.py`."""
    codex = find_codex()
    version = subprocess.run([str(codex), "--version"], capture_output=True, text=True, encoding="utf-8").stdout.strip()
    tree: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(dir=Path.home()) as home:
        walk(codex, [], home, tree, [])
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"version": version, "paths": tree}, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    write_tree(tree, version)
    print(f"{len(tree)} command paths from {version} -> {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

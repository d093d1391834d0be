"""What every subcommand's parser shares: the common flags, and loading the config from them."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex_config import Config

__all__ = ["add_common", "add_session", "load", "merged", "parser"]


def add_common(p: argparse.ArgumentParser, level: int = 0) -> None:
    """`-c/--config`, `--enable`, `--disable`: accepted at every level, as in Codex.

    A subparser at depth `level` keeps its own lists (argparse would let a subparser's defaults
    replace what the parent collected); `load` merges them in order.
    """
    suffix = f"_{level}" if level else ""
    for flags, name, meta, text in (
        (("-c", "--config"), "config", "key=value", "override a config value"),
        (("--enable",), "enable", "FEATURE", "enable a feature (repeatable)"),
        (("--disable",), "disable", "FEATURE", "disable a feature (repeatable)"),
    ):
        p.add_argument(*flags, dest=name + suffix, action="append", default=[], metavar=meta, help=text)


def merged(ns: argparse.Namespace, name: str) -> list[str]:
    """The values of common flag `name` from every level, root first."""
    values: list[str] = []
    for level in range(4):
        values.extend(getattr(ns, f"{name}_{level}" if level else name, None) or [])
    return values


def add_session(p: argparse.ArgumentParser, *, strict: bool = True) -> None:
    """The session flags a `session` command receives from the root (see `_registry`)."""
    if strict:
        p.add_argument("--strict-config", action="store_true", help="unknown config.toml fields are errors")
    p.add_argument("-m", "--model", help="model the agent should use")
    p.add_argument("-p", "--profile", help="layer $CODEX_HOME/<name>.config.toml over the user config")
    p.add_argument("-s", "--sandbox", choices=["read-only", "workspace-write", "danger-full-access"])
    p.add_argument("-C", "--cd", metavar="DIR", help="working root of the agent")
    p.add_argument("-i", "--image", action="append", default=[], metavar="FILE", help=argparse.SUPPRESS)
    p.add_argument("--add-dir", action="append", default=[], metavar="DIR", help=argparse.SUPPRESS)
    p.add_argument("--oss", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--local-provider", help=argparse.SUPPRESS)
    p.add_argument("--remote", help=argparse.SUPPRESS)
    p.add_argument("--remote-auth-token-env", help=argparse.SUPPRESS)
    for flag in ("--approve-for-me", "--dangerously-bypass-hook-trust", "--worktree"):
        p.add_argument(flag, action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--dangerously-bypass-approvals-and-sandbox", "--yolo", dest="yolo", action="store_true", help=argparse.SUPPRESS
    )


def parser(prog: str, description: str, *, session: bool = False) -> argparse.ArgumentParser:
    """An argparse parser for `codex ...` with the common flags (and the session ones)."""
    p = argparse.ArgumentParser(prog=prog, description=description, allow_abbrev=False)
    add_common(p)
    if session:
        add_session(p)
    return p


def load(ns: argparse.Namespace) -> Config:
    """Load the config the parsed flags describe (common flags, and session flags when present)."""
    from pycodex_config import load_config

    cd = getattr(ns, "cd", None)
    cwd = Path(cd).resolve() if cd else Path.cwd()
    return load_config(
        cwd=cwd,
        overrides=merged(ns, "config"),
        profile=getattr(ns, "profile", None),
        enable=merged(ns, "enable"),
        disable=merged(ns, "disable"),
        strict=getattr(ns, "strict_config", False),
    )

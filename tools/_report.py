"""Shared command-line ending of the workspace checks in this folder."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def run_check(argv: list[str], name: str, check: Callable[[Path], list[str]]) -> int:
    """Run `check` on the workspace (argv[1], default this repository); print problems; return the exit code."""
    root = Path(argv[1]) if len(argv) > 1 else Path(__file__).resolve().parent.parent
    problems = check(root)
    for problem in problems:
        print(problem)
    if problems:
        print(f"{name} check failed: {len(problems)} problem(s)")
        return 1
    print(f"{name} check passed")
    return 0

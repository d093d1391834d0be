"""`codex review [--uncommitted|--base BRANCH|--commit SHA] [--title T] [PROMPT]`: `codex exec review`."""

from __future__ import annotations

__all__ = ["main"]

# Flags `exec` takes only before its subcommand (the session flags a root `codex -m ... review` hands on).
_BEFORE = frozenset(
    {"--sandbox", "--cd", "--profile", "--add-dir", "--oss", "--local-provider", "--approve-for-me", "--image"}
)


def main(argv: list[str]) -> int:
    """Run the review through `codex exec review` and return its exit status."""
    from pycodex_exec import main as exec_main

    if "-h" in argv or "--help" in argv:
        return exec_main(["review", "--help"])
    before = [w for w in argv if w.split("=", 1)[0] in _BEFORE]
    after = [w for w in argv if w.split("=", 1)[0] not in _BEFORE]
    return exec_main([*before, "review", *after])

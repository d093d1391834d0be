"""Check a command line against Codex 0.169's tree (`_tree.TREE`) for commands pycodex does not run.

So `codex cloud list --limit 5` says, in one line, that the command is not available, while a
misspelt flag is still the usage error Codex would give (status 2).
"""

from __future__ import annotations

__all__ = ["check"]


def check(path: list[str], argv: list[str]) -> tuple[str, str | None]:
    """Walk `argv` from command `path`; return (the deepest command path, a usage error or `None`)."""
    from pycodex_cli._tree import TREE

    current = " ".join(path)
    i = 0
    while i < len(argv):
        word = argv[i]
        if word == "--":
            break
        _aliases, subs, options = TREE.get(current, ((), (), ()))
        if word.startswith("-") and word != "-":
            name = word.split("=", 1)[0] if word.startswith("--") else word[:2]
            match = next((o for o in options if name in o[0]), None)
            if match is None:
                return current, f"unexpected argument '{word}' found"
            takes_value = match[1]
            attached = "=" in word or (not word.startswith("--") and len(word) > 2)
            if takes_value and not attached:
                if i + 1 >= len(argv):
                    return current, f"a value is required for '{word}' but none was supplied"
                i += 1
            i += 1
            continue
        child = next((s for s in subs if s == word or word in TREE.get(f"{current} {s}".strip(), ((),))[0]), None)
        if child is not None:
            current = f"{current} {child}".strip()
        i += 1
    return current, None

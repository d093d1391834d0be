"""Splitting `bash -lc SCRIPT` into plain commands with tree-sitter-bash.

Only word-only scripts split: plain commands joined by `&&`, `||`, `;` and `|`, whose words are bare
words, numbers, single-quoted strings or double-quoted strings without expansions (and
concatenations of those). Anything else (substitutions, variables, redirections, subshells,
assignments, control flow) is "complex" and does not split.
"""

from __future__ import annotations

import functools
import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tree_sitter import Node, Parser

__all__ = [
    "extract_shell_script",
    "parse_heredoc_command",
    "parse_plain_commands",
    "parse_shell_lc_plain_commands",
    "script_literal_commands",
]

_ALLOWED_NODES = frozenset(
    {"program", "list", "pipeline", "command", "command_name", "word", "string", "string_content", "raw_string",
     "number", "concatenation"}
)  # fmt: skip
_ALLOWED_PUNCT = frozenset({"&&", "||", ";", "|", '"', "'"})
_SHELLS = frozenset({"bash", "zsh", "sh"})
MAX_SCRIPT_BYTES = 256 * 1024


@functools.cache
def _parser() -> Parser:
    import tree_sitter_bash
    from tree_sitter import Language, Parser

    return Parser(Language(tree_sitter_bash.language()))


def _parse(script: str) -> Node | None:
    data = script.encode("utf-8", "surrogatepass")
    if len(data) > MAX_SCRIPT_BYTES:
        return None
    tree = _parser().parse(data)
    return tree.root_node


def extract_shell_script(command: list[str]) -> tuple[str, str] | None:
    """`(shell, script)` when `command` is exactly `[bash|zsh|sh, -lc|-c, SCRIPT]`."""
    if len(command) != 3 or command[1] not in ("-lc", "-c"):
        return None
    shell = posixpath.basename(command[0])
    return (shell, command[2]) if shell in _SHELLS else None


def parse_plain_commands(script: str) -> list[list[str]] | None:
    """The plain commands of a word-only script, in order; None when the script is anything more."""
    root = _parse(script)
    if root is None or root.has_error:
        return None
    commands: list[list[str]] = []
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node.is_named:
            if node.type not in _ALLOWED_NODES:
                return None
            if node.type == "command":
                words = _command_words(node)
                if words is None:
                    return None
                commands.append(words)
                continue
        elif node.type not in _ALLOWED_PUNCT:
            return None
        stack.extend(reversed(node.children))
    return commands or None


def parse_shell_lc_plain_commands(command: list[str]) -> list[list[str]] | None:
    """The plain commands of `bash -lc SCRIPT` (also zsh, sh, `-c`), or None."""
    found = extract_shell_script(command)
    return None if found is None else parse_plain_commands(found[1])


def _command_words(node: Node) -> list[str] | None:
    words: list[str] = []
    for child in node.children:
        target = child.children[0] if child.type == "command_name" and child.children else child
        word = _word(target)
        if word is None:
            return None
        words.append(word)
    return words or None


def _word(node: Node) -> str | None:
    text = (node.text or b"").decode("utf-8", "surrogatepass")
    if node.type in ("word", "number"):
        return text
    if node.type == "raw_string":
        return text[1:-1] if len(text) >= 2 else None
    if node.type == "string":
        parts: list[str] = []
        for child in node.children:
            if child.type == "string_content":
                parts.append((child.text or b"").decode("utf-8", "surrogatepass"))
            elif child.type != '"':
                return None
        return "".join(parts)
    if node.type == "concatenation":
        pieces = [_word(child) for child in node.children]
        return None if any(p is None for p in pieces) else "".join(p for p in pieces if p is not None)
    return None


def parse_heredoc_command(script: str) -> list[str] | None:
    """The words of a script that is one command fed by heredocs (`cmd <<EOF ...`), without file redirects."""
    root = _parse(script)
    if root is None or root.has_error:
        return None
    statements = [c for c in root.children if c.is_named]
    if len(statements) != 1 or statements[0].type != "redirected_statement":
        return None
    parts = [c for c in statements[0].children if c.is_named]
    if not parts or parts[0].type != "command" or any(p.type != "heredoc_redirect" for p in parts[1:]):
        return None
    return _command_words(parts[0])


def script_literal_commands(script: str) -> list[list[str]]:
    """Every command anywhere in `script` (pipelines, bodies, substitutions) whose words are all literal."""
    root = _parse(script)
    if root is None:
        return []
    return [words for words in _literal_commands(root) if words]


def _literal_commands(root: Node) -> Iterator[list[str]]:
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if node.type == "command":
            words: list[str] = []
            for child in node.children:
                if child.type == "variable_assignment" or child.type.endswith("redirect"):
                    continue
                target = child.children[0] if child.type == "command_name" and child.children else child
                word = _word(target)
                if word is None:
                    break
                words.append(word)
            else:
                yield words
        stack.extend(reversed(node.children))

"""Slash commands: names, descriptions (in Codex's popup order) and the filtering popup's ranking."""

from __future__ import annotations

from dataclasses import dataclass

from pycodex_file_search import fuzzy_indices

from ._text import Line

__all__ = ["COMMANDS", "SlashCommand", "filter_commands", "popup_lines"]


@dataclass(frozen=True)
class SlashCommand:
    """One `/command`."""

    name: str
    description: str
    idle_only: bool = False
    """Refused while a turn runs."""


COMMANDS: tuple[SlashCommand, ...] = (
    SlashCommand("model", "choose what model and reasoning effort to use", idle_only=True),
    SlashCommand("approvals", "choose what Codex can do without approval", idle_only=True),
    SlashCommand("permissions", "choose what Codex is allowed to do", idle_only=True),
    SlashCommand("vim", "toggle Vim mode for the composer"),
    SlashCommand("review", "review my current changes and find issues", idle_only=True),
    SlashCommand("new", "start a new chat during a conversation", idle_only=True),
    SlashCommand("resume", "resume a saved chat", idle_only=True),
    SlashCommand("fork", "fork the current chat", idle_only=True),
    SlashCommand("init", "create an AGENTS.md file with instructions for Codex", idle_only=True),
    SlashCommand("compact", "summarize conversation to prevent hitting the context limit", idle_only=True),
    SlashCommand("copy", "copy the last response as markdown"),
    SlashCommand("diff", "show git diff (including untracked files)"),
    SlashCommand("mention", "mention a file"),
    SlashCommand("status", "show current session configuration and token usage"),
    SlashCommand("debug-config", "show the config files in effect"),
    SlashCommand("statusline", "show the status line items"),
    SlashCommand("mcp", "list configured MCP servers"),
    SlashCommand("rollout", "print the rollout file path"),
    SlashCommand("clear", "clear the terminal and start a new chat", idle_only=True),
    SlashCommand("quit", "exit Codex"),
    SlashCommand("exit", "exit Codex"),
)

_BY_NAME = {c.name: c for c in COMMANDS}


def find_command(name: str) -> SlashCommand | None:
    """The command called `name`, if any."""
    return _BY_NAME.get(name)


def filter_commands(text: str) -> list[SlashCommand]:
    """Commands for the popup given the composer text (`/` then a partial name).

    Prefix matches keep the popup order and come first; fuzzy (subsequence) matches follow.
    """
    query = text[1:].split(" ", 1)[0].lower() if text.startswith("/") else ""
    if not query:
        return list(COMMANDS)
    prefix = [c for c in COMMANDS if c.name.startswith(query)]
    fuzzy = [c for c in COMMANDS if c not in prefix and fuzzy_indices(query, c.name) is not None]
    return prefix + fuzzy


def popup_lines(commands: list[SlashCommand], selected: int, *, limit: int = 8) -> list[Line]:
    """The popup rows, the selected one highlighted, scrolled so it is visible."""
    if not commands:
        return [[("fg:ansibrightblack", "  no matching command")]]
    start = max(0, min(selected - limit + 1, len(commands) - limit)) if selected >= limit else 0
    width = max(len(c.name) for c in commands) + 3
    out: list[Line] = []
    for i, cmd in enumerate(commands[start : start + limit], start):
        mark = "fg:ansicyan bold" if i == selected else ""
        out.append([(mark, f"  /{cmd.name}".ljust(width + 2)), ("fg:ansibrightblack", cmd.description)])
    return out

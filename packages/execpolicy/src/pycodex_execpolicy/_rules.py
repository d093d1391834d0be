"""Rules, matches and evaluations, with the JSON and debug texts Codex 0.169 prints for them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from pycodex_execpolicy._decision import Decision

__all__ = [
    "Evaluation",
    "HeuristicsRuleMatch",
    "NetworkRule",
    "PatternToken",
    "PrefixPattern",
    "PrefixRule",
    "PrefixRuleMatch",
    "RuleMatch",
]

PatternToken = str | tuple[str, ...]
"""One position of a pattern: a single word, or a tuple of alternatives."""


def rust_debug_str(text: str) -> str:
    """`text` quoted the way Rust's `Debug` prints a string."""
    out: list[str] = ['"']
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{{{ord(ch):x}}}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def _debug_list(items: list[str]) -> str:
    return "[" + ", ".join(rust_debug_str(item) for item in items) + "]"


def _debug_option(text: str | None) -> str:
    return "None" if text is None else f"Some({rust_debug_str(text)})"


@dataclass(frozen=True, slots=True)
class PrefixPattern:
    """A command prefix: an exact first word, then words or alternatives."""

    first: str
    """The program, exactly as the command's first word must spell it."""
    rest: tuple[PatternToken, ...] = ()
    """The following positions."""

    def match(self, command: list[str]) -> list[str] | None:
        """The words of `command` this pattern covers, or None when it does not match."""
        rest = self.rest
        if len(command) <= len(rest) or command[0] != self.first:
            return None
        for i, token in enumerate(rest, 1):
            word = command[i]
            if word != token if isinstance(token, str) else word not in token:
                return None
        return command[: len(rest) + 1]

    def debug(self) -> str:
        """The pattern as Codex's error messages print it."""
        parts = [
            f"Single({rust_debug_str(t)})" if isinstance(t, str) else f"Alts({_debug_list(list(t))})" for t in self.rest
        ]
        return (
            f"PrefixPattern {{ canonical_matching: false, first: {rust_debug_str(self.first)}, "
            f"rest: [{', '.join(parts)}] }}"
        )


@dataclass(frozen=True, slots=True)
class PrefixRule:
    """`prefix_rule(...)`: commands starting with `pattern` get `decision`."""

    pattern: PrefixPattern
    """What the command must start with."""
    decision: Decision
    """What happens to a matching command."""
    justification: str | None = None
    """Why, shown to the user and the model."""
    source: str | None = field(default=None, compare=False)
    """Where the rule was defined (`path:line`), when it came from a file."""

    def debug(self) -> str:
        """The rule as Codex's error messages print it."""
        return (
            f"PrefixRule {{ pattern: {self.pattern.debug()}, decision: {self.decision.debug_name}, "
            f"justification: {_debug_option(self.justification)} }}"
        )


@dataclass(frozen=True, slots=True)
class NetworkRule:
    """`network_rule(...)`: what happens when a sandboxed command reaches `host`."""

    host: str
    """The normalised host name or IP literal."""
    protocol: str
    """`http`, `https`, `socks5_tcp` or `socks5_udp`."""
    decision: Decision
    """Allow, prompt or forbid (`deny` in a file is forbidden)."""
    justification: str | None = None
    """Why."""


@dataclass(frozen=True, slots=True)
class PrefixRuleMatch:
    """A prefix rule that matched a command."""

    matched_prefix: tuple[str, ...]
    """The words of the command (or of its resolved program) the rule covered."""
    decision: Decision
    """The rule's decision."""
    resolved_program: str | None = None
    """The absolute program path when the rule matched through its basename."""
    justification: str | None = None
    """The rule's justification."""

    def to_json(self) -> dict[str, Any]:
        """The match as `codex execpolicy check` prints it."""
        body: dict[str, Any] = {"matchedPrefix": list(self.matched_prefix), "decision": self.decision.value}
        if self.resolved_program is not None:
            body["resolvedProgram"] = self.resolved_program
        if self.justification is not None:
            body["justification"] = self.justification
        return {"prefixRuleMatch": body}

    def debug(self) -> str:
        """The match as Codex's error messages print it."""
        program = (
            "None"
            if self.resolved_program is None
            else f"Some(AbsolutePathBuf({rust_debug_str(self.resolved_program)}))"
        )
        return (
            f"PrefixRuleMatch {{ matched_prefix: {_debug_list(list(self.matched_prefix))}, "
            f"decision: {self.decision.debug_name}, resolved_program: {program}, "
            f"justification: {_debug_option(self.justification)} }}"
        )


@dataclass(frozen=True, slots=True)
class HeuristicsRuleMatch:
    """No rule matched; the safety heuristics decided."""

    command: tuple[str, ...]
    """The command the heuristics judged."""
    decision: Decision
    """Their decision."""

    def to_json(self) -> dict[str, Any]:
        """The match in Codex's JSON shape."""
        return {"heuristicsRuleMatch": {"command": list(self.command), "decision": self.decision.value}}


RuleMatch = PrefixRuleMatch | HeuristicsRuleMatch
"""Either kind of match."""


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every match for one command (or all the commands of a script) and the strictest decision."""

    matched_rules: tuple[RuleMatch, ...]
    """Matches in rule-definition order (commands in order)."""

    @property
    def decision(self) -> Decision | None:
        """The strictest decision among the matches, or None when nothing matched."""
        return Decision.strictest([m.decision for m in self.matched_rules])

    @property
    def matched_by_rule(self) -> bool:
        """Whether any explicit rule (not only the heuristics) matched."""
        return any(isinstance(m, PrefixRuleMatch) for m in self.matched_rules)

    def to_json(self) -> dict[str, Any]:
        """The evaluation as `codex execpolicy check` prints it."""
        out: dict[str, Any] = {"matchedRules": [m.to_json() for m in self.matched_rules]}
        decision = self.decision
        if decision is not None:
            out["decision"] = decision.value
        return out

    def render(self, *, pretty: bool = False) -> str:
        """The JSON text, compact or indented by two spaces, as Codex prints it."""
        if pretty:
            return json.dumps(self.to_json(), indent=2, ensure_ascii=False)
        return json.dumps(self.to_json(), separators=(",", ":"), ensure_ascii=False)

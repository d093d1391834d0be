"""A loaded execution policy: prefix rules indexed by program, network rules, host executables."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._rules import (
    Evaluation,
    HeuristicsRuleMatch,
    NetworkRule,
    PrefixPattern,
    PrefixRule,
    PrefixRuleMatch,
    RuleMatch,
)

__all__ = ["Heuristics", "Policy"]

Heuristics = Callable[[list[str]], Decision]
"""Decides a command no rule matched."""


@dataclass
class Policy:
    """Every rule of the loaded `.rules` files, in definition order."""

    rules_by_program: dict[str, list[PrefixRule]] = field(default_factory=lambda: {})
    """Prefix rules keyed by their first word."""
    network_rules: list[NetworkRule] = field(default_factory=lambda: [])
    """Network rules in definition order."""
    host_executables: dict[str, tuple[str, ...]] = field(default_factory=lambda: {})
    """`host_executable(name, paths)`: which absolute paths may stand for `name`."""

    @classmethod
    def empty(cls) -> Policy:
        """A policy with no rules."""
        return cls()

    def add_rule(self, rule: PrefixRule) -> None:
        """Add `rule` after the rules already defined."""
        self.rules_by_program.setdefault(rule.pattern.first, []).append(rule)

    def add_prefix_rule(self, prefix: Sequence[str], decision: Decision, justification: str | None = None) -> None:
        """Add a rule for commands starting with exactly the words `prefix`.

        Raises:
            ValueError: when `prefix` is empty.
        """
        if not prefix:
            raise ValueError("prefix cannot be empty")
        self.add_rule(PrefixRule(PrefixPattern(prefix[0], tuple(prefix[1:])), decision, justification))

    def merge(self, other: Policy) -> None:
        """Add every rule of `other` after these (its host executables override these)."""
        for rules in other.rules_by_program.values():
            for rule in rules:
                self.add_rule(rule)
        self.network_rules.extend(other.network_rules)
        self.host_executables.update(other.host_executables)

    def compiled_network_domains(self) -> tuple[list[str], list[str]]:
        """(allowed hosts, denied hosts) for the network proxy, in definition order; `prompt` rules are in neither."""
        allowed: list[str] = []
        denied: list[str] = []
        for rule in self.network_rules:
            target = (
                allowed if rule.decision is Decision.ALLOW else denied if rule.decision is Decision.FORBIDDEN else None
            )
            if target is not None and rule.host not in target:
                target.append(rule.host)
        return allowed, denied

    @property
    def rule_count(self) -> int:
        """How many prefix rules the policy holds."""
        return sum(len(rules) for rules in self.rules_by_program.values())

    def iter_rules(self) -> Iterable[PrefixRule]:
        """Every prefix rule, grouped by program."""
        for rules in self.rules_by_program.values():
            yield from rules

    def matches_for(self, command: list[str], *, resolve_host_executables: bool = False) -> list[PrefixRuleMatch]:
        """The prefix rules matching `command`, in definition order.

        An absolute program path with no matching rule of its own falls back to the rules for its
        basename when `resolve_host_executables` is set and `host_executable` allows the path.
        """
        if not command:
            return []
        found = _match_rules(self.rules_by_program.get(command[0], ()), command, None)
        if found or not resolve_host_executables:
            return found
        program = command[0]
        if not program.startswith("/"):
            return []
        name = posixpath.basename(program)
        allowed = self.host_executables.get(name)
        if not name or (allowed is not None and program not in allowed):
            return []
        return _match_rules(self.rules_by_program.get(name, ()), [name, *command[1:]], program)

    def check(
        self,
        command: list[str],
        *,
        resolve_host_executables: bool = False,
        heuristics: Heuristics | None = None,
    ) -> Evaluation:
        """Evaluate one command; `heuristics` decides it when no rule matches."""
        return self.check_multiple([command], resolve_host_executables=resolve_host_executables, heuristics=heuristics)

    def check_multiple(
        self,
        commands: Iterable[list[str]],
        *,
        resolve_host_executables: bool = False,
        heuristics: Heuristics | None = None,
    ) -> Evaluation:
        """Evaluate several commands (a script's); the strictest decision over all of them wins."""
        matches: list[RuleMatch] = []
        for command in commands:
            found = self.matches_for(command, resolve_host_executables=resolve_host_executables)
            if found:
                matches.extend(found)
            elif heuristics is not None:
                matches.append(HeuristicsRuleMatch(tuple(command), heuristics(command)))
        return Evaluation(tuple(matches))


def _match_rules(rules: Iterable[PrefixRule], command: list[str], resolved: str | None) -> list[PrefixRuleMatch]:
    out: list[PrefixRuleMatch] = []
    for rule in rules:
        prefix = rule.pattern.match(command)
        if prefix is not None:
            out.append(PrefixRuleMatch(tuple(prefix), rule.decision, resolved, rule.justification))
    return out

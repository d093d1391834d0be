"""What a command needs before it runs: nothing, the user's approval, or nothing ever (forbidden).

The execpolicy rules decide the commands they match; the heuristics decide the rest from the
approval policy and the sandbox. A word-only `bash -lc` script is judged command by command and the
strictest decision wins.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from pycodex_execpolicy._bash import extract_shell_script, parse_heredoc_command, parse_shell_lc_plain_commands
from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._policy import Policy
from pycodex_execpolicy._rules import Evaluation, HeuristicsRuleMatch, PrefixRuleMatch
from pycodex_execpolicy._safety import command_might_be_dangerous, is_known_safe_command
from pycodex_execpolicy._shlex import shell_join

__all__ = [
    "DANGEROUS_REASON",
    "NEVER_REASON",
    "ApprovalPolicyName",
    "ExecRequirement",
    "command_segments",
    "exec_requirement",
    "generalized_prefix",
    "is_banned_prefix",
]

ApprovalPolicyName = Literal["untrusted", "on-failure", "on-request", "never"]
"""The approval policies, spelled as in config."""

NEVER_REASON = "approval required by policy, but AskForApproval is set to Never"
DANGEROUS_REASON = "rm -f style commands are not permitted. Use a safer approach"
_BANNED = frozenset(
    tuple(p.split(" "))
    for p in (
        "python3", "python3 -", "python3 -c", "python", "python -", "python -c", "py", "py -3", "pythonw", "pyw",
        "pypy", "pypy3", "git", "bash", "bash -lc", "sh", "sh -c", "sh -lc", "zsh", "zsh -lc", "/bin/zsh",
        "/bin/zsh -lc", "/bin/bash", "/bin/bash -lc", "pwsh", "pwsh -Command", "pwsh -c", "powershell",
        "powershell -Command", "powershell -c", "powershell.exe", "powershell.exe -Command", "powershell.exe -c",
        "env", "sudo", "node", "node -e", "perl", "perl -e", "ruby", "ruby -e", "php", "php -r", "lua", "lua -e",
        "osascript",
    )
)  # fmt: skip
_SUBCOMMAND = re.compile(r"^[A-Za-z][A-Za-z0-9_:-]*$")


@dataclass(frozen=True)
class ExecRequirement:
    """The outcome for one command."""

    kind: Literal["skip", "needs_approval", "forbidden"]
    """Run as is, ask first, or refuse."""
    reason: str | None
    """Why (shown to the user, or returned to the model when refused)."""
    bypass_sandbox: bool
    """Every command matched an explicit `allow` rule, so it runs outside the sandbox."""
    proposed_amendment: tuple[str, ...] | None
    """A prefix the user may allow from now on ("don't ask again for commands starting with ...")."""
    evaluation: Evaluation
    """Every rule and heuristic that spoke, per command."""
    segments: tuple[tuple[str, ...], ...]
    """The commands judged (one, or each plain command of a script)."""


def command_segments(command: list[str]) -> tuple[list[list[str]], bool]:
    """The commands to judge, and whether a complex parse was needed (no amendments then)."""
    plain = parse_shell_lc_plain_commands(command)
    if plain is not None:
        return plain, False
    found = extract_shell_script(command)
    if found is not None:
        words = parse_heredoc_command(found[1])
        if words is not None:
            return [words], True
    return [command], False


def is_banned_prefix(prefix: Sequence[str]) -> bool:
    """Whether `prefix` is too broad to remember (an interpreter, a shell, `git`, `sudo`, ...)."""
    return tuple(prefix) in _BANNED


def generalized_prefix(command: Sequence[str]) -> tuple[str, ...] | None:
    """The prefix to propose remembering for `command`: its program and subcommand, not its argv.

    `cargo test --all` gives `cargo test`; `git push origin main` gives `git push`; `make` gives
    `make`. None when no safe prefix exists (`rm`, a bare interpreter, a dangerous command).
    """
    words = list(command)
    if not words or words[0] in ("rm", "sudo") or command_might_be_dangerous(words):
        return None
    prefix = words[:1]
    if len(words) > 1 and _SUBCOMMAND.match(words[1]):
        prefix.append(words[1])
    if is_banned_prefix(prefix):
        return None
    return tuple(prefix)


def _heuristic(
    command: list[str], policy_name: ApprovalPolicyName, restricted: bool, override: bool, complex_: bool
) -> Decision:
    if policy_name == "untrusted" and not complex_ and is_known_safe_command(command):
        return Decision.ALLOW
    if command_might_be_dangerous(command):
        return Decision.FORBIDDEN if policy_name == "never" else Decision.PROMPT
    if policy_name in ("never", "on-failure"):
        return Decision.ALLOW
    if policy_name == "untrusted":
        return Decision.PROMPT
    return Decision.PROMPT if restricted and override else Decision.ALLOW


def exec_requirement(
    policy: Policy,
    command: list[str],
    *,
    approval_policy: ApprovalPolicyName,
    filesystem_restricted: bool,
    sandbox_override: bool = False,
    prefix_rule: Sequence[str] | None = None,
) -> ExecRequirement:
    """Decide what `command` needs under `approval_policy`.

    `filesystem_restricted` is true for read-only and workspace-write; `sandbox_override` when the
    call asks to run outside the sandbox (`sandbox_permissions: require_escalated`); `prefix_rule`
    is the prefix the model suggested remembering.
    """
    segments, complex_ = command_segments(command)
    evaluation = policy.check_multiple(
        segments,
        resolve_host_executables=True,
        heuristics=lambda c: _heuristic(c, approval_policy, filesystem_restricted, sandbox_override, complex_),
    )
    decision = evaluation.decision or Decision.ALLOW
    shown = shell_join(command)
    frozen = tuple(tuple(s) for s in segments)
    if decision is Decision.FORBIDDEN:
        return ExecRequirement("forbidden", _forbidden_reason(shown, evaluation), False, None, evaluation, frozen)
    if decision is Decision.PROMPT:
        if approval_policy == "never":
            return ExecRequirement("forbidden", NEVER_REASON, False, None, evaluation, frozen)
        amendment = None if complex_ else _amendment(policy, segments, evaluation, prefix_rule)
        return ExecRequirement(
            "needs_approval", _prompt_reason(shown, evaluation), False, amendment, evaluation, frozen
        )
    bypass = all(isinstance(m, PrefixRuleMatch) for m in evaluation.matched_rules) and evaluation.matched_by_rule
    return ExecRequirement("skip", None, bypass, None, evaluation, frozen)


def _strictest_rule(evaluation: Evaluation, decision: Decision) -> PrefixRuleMatch | None:
    rules = [m for m in evaluation.matched_rules if isinstance(m, PrefixRuleMatch) and m.decision is decision]
    return max(rules, key=lambda m: len(m.matched_prefix)) if rules else None


def _forbidden_reason(shown: str, evaluation: Evaluation) -> str:
    rule = _strictest_rule(evaluation, Decision.FORBIDDEN)
    if rule is None:  # only the heuristics forbid without a rule: a forced rm under `never`
        return f"`{shown}` rejected: {DANGEROUS_REASON}"
    if rule.justification:
        return f"`{shown}` rejected: {rule.justification}"
    return f"`{shown}` rejected: policy forbids commands starting with `{shell_join(list(rule.matched_prefix))}`"


def _prompt_reason(shown: str, evaluation: Evaluation) -> str | None:
    rule = _strictest_rule(evaluation, Decision.PROMPT)
    if rule is None:
        return None
    if rule.justification:
        return f"`{shown}` requires approval: {rule.justification}"
    return f"`{shown}` requires approval by policy"


def _amendment(
    policy: Policy, segments: list[list[str]], evaluation: Evaluation, suggested: Sequence[str] | None
) -> tuple[str, ...] | None:
    if suggested and not is_banned_prefix(suggested):
        trial = Policy(dict(policy.rules_by_program), [], dict(policy.host_executables))
        trial.rules_by_program = {k: list(v) for k, v in policy.rules_by_program.items()}
        trial.add_prefix_rule(list(suggested), Decision.ALLOW)
        if not any(policy.matches_for(s, resolve_host_executables=True) for s in segments):
            if trial.check_multiple(segments, resolve_host_executables=True).decision is Decision.ALLOW:
                return tuple(suggested)
    for match in evaluation.matched_rules:
        if isinstance(match, HeuristicsRuleMatch) and match.decision is Decision.PROMPT:
            return generalized_prefix(match.command)
    return None

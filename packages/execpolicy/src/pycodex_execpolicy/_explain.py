"""`codex execpolicy explain`: which rules decide a command, why, and what would change it."""

from __future__ import annotations

from pathlib import Path

from pycodex_execpolicy._amend import format_prefix_rule
from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._policy import Policy
from pycodex_execpolicy._requirement import command_segments, exec_requirement, generalized_prefix
from pycodex_execpolicy._rules import PrefixRuleMatch
from pycodex_execpolicy._safety import command_might_be_dangerous, is_known_safe_command
from pycodex_execpolicy._shlex import shell_join

__all__ = ["explain_command"]


def explain_command(policy: Policy, command: list[str], *, sources: list[Path], codex_home: Path) -> str:
    """A readable account of how `command` is decided."""
    out = [f"command: {shell_join(command)}"]
    out.append(f"rule files: {', '.join(str(s) for s in sources) if sources else '(none)'}")
    segments, _complex = command_segments(command)
    if len(segments) > 1 or segments[0] != command:
        out.append(f"script split into {len(segments)} command(s): " + " | ".join(shell_join(s) for s in segments))
    for segment in segments:
        out.extend(_explain_segment(policy, segment, codex_home))
    out.append("")
    out.append("outcome by approval policy (workspace-write sandbox):")
    for name in ("untrusted", "on-failure", "on-request", "never"):
        req = exec_requirement(policy, command, approval_policy=name, filesystem_restricted=True)
        label = {"skip": "runs", "needs_approval": "asks first", "forbidden": "refused"}[req.kind]
        extra = " (outside the sandbox: every command is allowed by a rule)" if req.bypass_sandbox else ""
        out.append(f"  {name:<11} {label}{extra}" + (f" - {req.reason}" if req.reason else ""))
    return "\n".join(out) + "\n"


def _explain_segment(policy: Policy, segment: list[str], codex_home: Path) -> list[str]:
    out = ["", f"$ {shell_join(segment)}"]
    matches = policy.matches_for(segment, resolve_host_executables=True)
    for match in matches:
        out.append("  " + _describe(match, policy))
    decision = Decision.strictest([m.decision for m in matches])
    target = codex_home / "rules" / "default.rules"
    if decision is None:
        safe = is_known_safe_command(segment)
        danger = command_might_be_dangerous(segment)
        kind = "dangerous" if danger else "known safe (read-only)" if safe else "not known to be safe"
        out.append(f"  no rule matches; heuristics: {kind}")
        prefix = generalized_prefix(segment)
        if prefix is not None and not danger and not safe:
            out.append(f"  to allow it without asking, add to {target}:")
            out.append(f"    {format_prefix_rule(prefix)}")
        return out
    out.append(f"  decision: {decision.value} (the strictest matching rule wins)")
    deciding = [m for m in matches if m.decision is decision]
    prefixes = sorted({shell_join(list(m.matched_prefix)) for m in deciding})
    if decision is not Decision.ALLOW:
        out.append(f"  to change it, edit or remove the rule(s) for `{'`, `'.join(prefixes)}`")
    return out


def _describe(match: PrefixRuleMatch, policy: Policy) -> str:
    rule = next(
        (r for r in policy.iter_rules() if r.pattern.match([r.pattern.first, *match.matched_prefix[1:]]) is not None
         and r.decision is match.decision and r.justification == match.justification),
        None,
    )  # fmt: skip
    where = f" [{rule.source}]" if rule is not None and rule.source else ""
    via = f" (via {match.resolved_program})" if match.resolved_program else ""
    why = f": {match.justification}" if match.justification else ""
    return f"{match.decision.value:<9} matches prefix `{shell_join(list(match.matched_prefix))}`{via}{where}{why}"

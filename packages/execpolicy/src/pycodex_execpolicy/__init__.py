"""Codex's execution policy: `.rules` files, prefix rules, and the safe / dangerous command heuristics."""

from pycodex_execpolicy._amend import (
    append_network_rule,
    append_prefix_rule,
    append_rule_line,
    format_network_rule,
    format_prefix_rule,
)
from pycodex_execpolicy._bash import extract_shell_script, parse_plain_commands, parse_shell_lc_plain_commands
from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._errors import AmendError, ExecPolicyError, PolicyParseError, PolicyReadError
from pycodex_execpolicy._explain import explain_command
from pycodex_execpolicy._loader import LoadedPolicy, default_rules_file, load_policy, project_rules_dirs, rule_files_in
from pycodex_execpolicy._parser import PolicyParser, normalize_host, parse_policy, parse_policy_files, read_rule_file
from pycodex_execpolicy._policy import Heuristics, Policy
from pycodex_execpolicy._requirement import (
    DANGEROUS_REASON,
    NEVER_REASON,
    ApprovalPolicyName,
    ExecRequirement,
    command_segments,
    exec_requirement,
    generalized_prefix,
    is_banned_prefix,
)
from pycodex_execpolicy._rules import (
    Evaluation,
    HeuristicsRuleMatch,
    NetworkRule,
    PatternToken,
    PrefixPattern,
    PrefixRule,
    PrefixRuleMatch,
    RuleMatch,
)
from pycodex_execpolicy._safety import command_might_be_dangerous, is_known_safe_command
from pycodex_execpolicy._shlex import shell_join, shell_split

__all__ = [
    "AmendError",
    "ApprovalPolicyName",
    "DANGEROUS_REASON",
    "Decision",
    "Evaluation",
    "ExecPolicyError",
    "ExecRequirement",
    "Heuristics",
    "HeuristicsRuleMatch",
    "LoadedPolicy",
    "NEVER_REASON",
    "NetworkRule",
    "PatternToken",
    "Policy",
    "PolicyParseError",
    "PolicyParser",
    "PolicyReadError",
    "PrefixPattern",
    "PrefixRule",
    "PrefixRuleMatch",
    "RuleMatch",
    "append_network_rule",
    "append_prefix_rule",
    "append_rule_line",
    "command_might_be_dangerous",
    "command_segments",
    "default_rules_file",
    "exec_requirement",
    "explain_command",
    "extract_shell_script",
    "format_network_rule",
    "format_prefix_rule",
    "generalized_prefix",
    "is_banned_prefix",
    "is_known_safe_command",
    "load_policy",
    "normalize_host",
    "parse_plain_commands",
    "parse_policy",
    "parse_policy_files",
    "parse_shell_lc_plain_commands",
    "project_rules_dirs",
    "read_rule_file",
    "rule_files_in",
    "shell_join",
    "shell_split",
]

"""pycodex and Codex 0.169 take the same config files and `-c` overrides the same way.

Each case is loaded by both programs through `codex exec --skip-git-repo-check` with stdin at
/dev/null (see config_probe.py); accept/reject and the exit status must agree.
"""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from config_probe import Outcome, pycodex, real_codex, run

CODEX = real_codex()
pytestmark = pytest.mark.skipif(CODEX is None or not CODEX.exists(), reason="Codex 0.169 is not installed")

Case = tuple[str, tuple[str, ...], dict[str, str] | None]

# (valid value, invalid value) of each enum key Codex 0.169 validates.
ENUMS: dict[str, tuple[str, str]] = {
    "sandbox_mode": ('"workspace-write"', '"bogus"'),
    "approval_policy": ('"on-request"', '"bogus"'),
    "model_verbosity": ('"high"', '"loud"'),
    "model_reasoning_summary": ('"concise"', '"short"'),
    "web_search": ('"indexed"', '"sometimes"'),
    "file_opener": ('"cursor"', '"emacs"'),
    "personality": ('"friendly"', '"grumpy"'),
    "forced_login_method": ('"api"', '"sso"'),
    "cli_auth_credentials_store": ('"ephemeral"', '"vault"'),
    "mcp_oauth_credentials_store": ('"keyring"', '"vault"'),
    "approvals_reviewer": ('"auto_review"', '"boss"'),
    "history.persistence": ('"none"', '"some"'),
    "tui.notification_method": ('"osc777"', '"beep"'),
    "tui.alternate_screen": ('"never"', '"sometimes"'),
    "tui.notification_condition": ('"always"', '"never"'),
    "shell_environment_policy.inherit": ('"core"', '"most"'),
}

# Top-level keys with a value Codex 0.169 accepts.
GOOD_KEYS = {
    "model": '"gpt-5.5"',
    "review_model": '"gpt-5.5"',
    "model_reasoning_effort": '"max"',
    "plan_mode_reasoning_effort": '"ultra"',
    "model_context_window": "100000",
    "model_auto_compact_token_limit": "90000",
    "model_instructions_file": '"/nonexistent/but/fine.md"',
    "developer_instructions": '"be brief"',
    "instructions": '"old style"',
    "compact_prompt": '"sum up"',
    "project_doc_max_bytes": "0",
    "project_doc_fallback_filenames": '["CLAUDE.md"]',
    "project_root_markers": '[".hg", ".git"]',
    "hide_agent_reasoning": "true",
    "show_raw_agent_reasoning": "false",
    "notify": '["notify-send"]',
    "check_for_update_on_startup": "false",
    "disable_paste_burst": "true",
    "tool_output_token_limit": "1000",
    "background_terminal_max_timeout": "1000",
    "suppress_unstable_features_warning": "true",
    "oss_provider": '"ollama"',
    "service_tier": '"flex"',
    "chatgpt_base_url": '"https://example.invalid/"',
    "model_auto_compact_token_limit_scope": '"total"',
}

LEGACY = (
    "experimental_instructions_file",
    "experimental_resume",
    "experimental_use_exec_command_tool",
    "experimental_use_freeform_apply_patch",
    "include_apply_patch_tool",
    "include_plan_tool",
    "model_family",
    "model_supports_reasoning_summaries",
    "preferred_auth_method",
    "disable_response_storage",
    "zsh_path",
    "commit_attribution",
    "request_max_retries",
    "stream_max_retries",
    "stream_idle_timeout_ms",
)


def _toml(key: str, value: str) -> str:
    table, _, leaf = key.rpartition(".")
    return f"[{table}]\n{leaf} = {value}\n" if table else f"{key} = {value}\n"


def cases() -> list[Case]:
    found: list[Case] = []
    for key, (good, bad) in ENUMS.items():
        found.append((_toml(key, good), (), None))
        found.append((_toml(key, bad), (), None))
    found.append(('[projects."/x"]\ntrust_level = "maybe"\n', (), None))
    found.append(('[projects."/x"]\ntrust_level = "untrusted"\n', ("--strict-config",), None))
    found += [(_toml(key, value), ("--strict-config",), None) for key, value in GOOD_KEYS.items()]
    found += [
        (f'{key} = "1"\n' if key.endswith("file") else f"{key} = true\n", ("--strict-config",), None) for key in LEGACY
    ]
    found += [(f"{key} = true\n", (), None) for key in LEGACY[:3]]
    found += [
        ("[features.multi_agent_v2]\nenabled = true\n", ("--strict-config",), None),
        ('[features.multi_agent_v2]\nenabled = "yes"\n', (), None),
        ("[features.unified_exec]\nenabled = false\n", (), None),
        ("[features.rollout_budget]\nlimit_tokens = 5\n", (), None),
        ("[features.rollout_budget]\nenabled = true\n", (), None),
        ("[features]\nrollout_budget = 5\n", (), None),
        ("[features]\nno_such_feature = true\n", (), None),
        ("[features]\nno_such_feature = true\n", ("--strict-config",), None),
        ("bogus_key = 1\n", (), None),
        ("bogus_key = 1\n", ("--strict-config",), None),
        ("[tui]\nbogus_sub = 1\n", ("--strict-config",), None),
        ("[analytics]\nbogus_sub = 1\n", ("--strict-config",), None),
        ("[analytics]\nenabled = 1\n", (), None),
        ("[notice]\nhide_full_access_warning = true\n", ("--strict-config",), None),
        ("[ghost_snapshot]\nbogus_sub = 1\n", ("--strict-config",), None),
        ("[feedback]\nenabled = false\n", ("--strict-config",), None),
        ("model_reasoning_effort = 5\n", (), None),
        ('project_root_markers = "x"\n', (), None),
        ("", ("-c", "model_reasoning_effort=max"), None),
        ("", ("-c", "model_reasoning_effort=ultra"), None),
        ("", ("-c", "sandbox_mode=bogus"), None),
        ("", ("-c", "features.multi_agent_v2.enabled=true"), None),
        ("", ("-c", "features.rollout_budget.enabled=true"), None),
        ("", ("--enable", "no_such_feature"), None),
        ("", ("--disable", "unified_exec"), None),
        ("", ("-c", 'approval_policy="never"', "-c", "web_search=live"), None),
        ("", ("-p", "nosuch"), None),
        ("", ("-p", "bad/name"), None),
        ("", ("-p", "x"), {"x.config.toml": 'model = "zz"\n'}),
        ("", ("-p", "x"), {"x.config.toml": 'sandbox_mode = "bad"\n'}),
        ("", ("-p", "x", "--strict-config"), {"x.config.toml": "bogus = 1\n"}),
        ('[profiles.x]\nmodel = "y"\n', ("-p", "x"), None),
        ('[profiles.x]\nmodel = "y"\n', ("--strict-config",), None),
        ('profile = "x"\n', (), None),
    ]
    return found


# Where pycodex differs on purpose (docs/compatibility.md): it still speaks Chat Completions.
BETTER: list[Case] = [
    ('[model_providers.m]\nname = "m"\nbase_url = "http://127.0.0.1:9/v1"\nwire_api = "chat"\n', (), None)
]


def _both(case: Case) -> tuple[Case, Outcome, Outcome]:
    text, args, files = case
    assert CODEX is not None
    return case, run([str(CODEX)], text, args, files=files), run(pycodex(), text, args, files=files)


def test_config_accept_reject_and_status_match_codex() -> None:
    all_cases = cases()
    assert len(all_cases) >= 60
    mismatches: list[str] = []
    with ThreadPoolExecutor(2) as pool:
        for (text, args, files), theirs, ours in pool.map(_both, all_cases):
            if (theirs.accepted, theirs.rc) != (ours.accepted, ours.rc):
                mismatches.append(
                    f"{text!r} {args} {files}: codex {theirs.rc}/{theirs.accepted} "
                    f"{theirs.stderr.strip()[-160:]!r} | ours {ours.rc}/{ours.accepted} {ours.stderr.strip()[-160:]!r}"
                )
    assert not mismatches, "\n".join(mismatches)
    for _case, theirs, ours in map(_both, BETTER):
        assert (theirs.accepted, ours.accepted) == (False, True)

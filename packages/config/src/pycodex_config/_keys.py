"""The keys of config.toml as Codex 0.169 accepts them, and `validate`.

Checked key by key with `--strict-config` against the real binary. Keys pycodex does not
interpret but Codex knows are `ANY` (kept in `Config.raw`, silent), or `UNSUPPORTED` when
pycodex cannot honour them yet (accepted with a warning); keys of older releases are `LEGACY`
(accepted, errors under `--strict-config` as in Codex).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import cast

from pycodex_config._schema import (
    ANY,
    BOOL,
    INT,
    LEGACY,
    NUM,
    STR,
    UNSUPPORTED,
    Enum,
    Found,
    Int,
    ListOf,
    MapOf,
    OneOf,
    Path_,
    SchemaError,
    Spec,
    Table,
    describe,
)

__all__ = ["LEGACY_KEYS", "REASONING_EFFORTS", "TABLE_FEATURES", "validate"]

STR_LIST = ListOf(STR)
STR_MAP = MapOf(STR)

APPROVAL_POLICIES = ("untrusted", "on-failure", "on-request", "never")
SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh", "max", "ultra")
"""The efforts Codex 0.169's catalog advertises; the config takes any string, as Codex does."""
REASONING_SUMMARIES = ("auto", "concise", "detailed", "none")
VERBOSITIES = ("low", "medium", "high")

_APPROVAL_SHOWN = ("untrusted", "on-failure", "on-request", "granular", "never")
_APPROVAL_ENUM = Enum(*APPROVAL_POLICIES)
_APPROVAL_ENUM.shown = _APPROVAL_SHOWN
APPROVAL = OneOf((_APPROVAL_ENUM, Table({"granular": ANY})), "one of " + ", ".join(APPROVAL_POLICIES))


_MCP_TOOL = Table({"approval_mode": ANY, "enabled": BOOL})
MCP_SERVER = Table(
    {
        "command": STR,
        "args": STR_LIST,
        "env": STR_MAP,
        "env_vars": STR_LIST,
        "cwd": STR,
        "url": STR,
        "bearer_token_env_var": STR,
        "bearer_token": STR,
        "http_headers": STR_MAP,
        "env_http_headers": STR_MAP,
        "oauth_resource": STR,
        "oauth": Table({"client_id": STR, "callback_url": STR}),
        "scopes": STR_LIST,
        "enabled": BOOL,
        "required": BOOL,
        "startup_timeout_sec": NUM,
        "startup_timeout_ms": INT,
        "tool_timeout_sec": NUM,
        "enabled_tools": STR_LIST,
        "disabled_tools": STR_LIST,
        "supports_parallel_tool_calls": BOOL,
        "default_tools_approval_mode": ANY,
        "tools": MapOf(_MCP_TOOL),
        **dict.fromkeys(
            "name http_headers_helper auth startup_readiness environment_id tool_input_schema_max_bytes".split(),
            UNSUPPORTED,
        ),
    }
)

MODEL_PROVIDER = Table(
    {
        "name": STR,
        "base_url": STR,
        "env_key": STR,
        "env_key_instructions": STR,
        "experimental_bearer_token": STR,
        "auth": ANY,
        "aws": ANY,
        "wire_api": Enum("responses", extra=("chat",)),
        "query_params": STR_MAP,
        "http_headers": STR_MAP,
        "env_http_headers": STR_MAP,
        "request_max_retries": INT,
        "stream_max_retries": INT,
        "stream_idle_timeout_ms": INT,
        "websocket_connect_timeout_ms": INT,
        "requires_openai_auth": BOOL,
        "supports_websockets": BOOL,
        **dict.fromkeys("gateway_oauth supports_standalone_web_search model_catalog_url".split(), UNSUPPORTED),
    }
)

SHELL_ENVIRONMENT_POLICY = Table(
    {
        "inherit": Enum("core", "all", "none"),
        "ignore_default_excludes": BOOL,
        "exclude": STR_LIST,
        "set": STR_MAP,
        "include_only": STR_LIST,
        "experimental_use_profile": BOOL,
        "filters": MapOf(Enum("include", "exclude")),
    }
)

_WEB_SEARCH_MODE = Enum("disabled", "cached", "indexed", "live")
_TOOLS = Table(
    {
        "web_search": OneOf((BOOL, _WEB_SEARCH_MODE, MapOf(ANY)), "a boolean, a mode or a table"),
        "update_plan": Table({"enabled": BOOL}),
        "experimental_request_user_input": Table({"enabled": BOOL}),
        "client_search_provider": UNSUPPORTED,
    }
)

_TUI = Table(
    {
        "notifications": OneOf((BOOL, STR_LIST), "a boolean or an array of strings"),
        "notification_method": Enum("auto", "osc9", "osc777", "bel"),
        "notification_condition": Enum("unfocused", "always"),
        "animations": BOOL,
        "show_tooltips": BOOL,
        "alternate_screen": OneOf((Enum("auto", "always", "never"), BOOL), "one of auto, always, never"),
        "status_line": STR_LIST,
        "terminal_title": STR_LIST,
        "theme": STR,
        "vim_mode_default": BOOL,
        "model_availability_nux": ANY,
        **dict.fromkeys(
            (
                "screen_reader_detection_done effects rendering show_server_version_notice auto_recap "
                "disable_paste_burst question_esc_back raw_output_mode pet pet_anchor session_picker_view "
                "agents_overview_grouping resume_cwd keymap presets terminal_resize_reflow_max_rows copy_on_select "
                "right_click_paste mouse_scroll_speed"
            ).split(),
            UNSUPPORTED,
        ),
    }
)

_HISTORY = Table({"persistence": Enum("save-all", "none"), "max_bytes": INT})
_OTEL = Table(
    {
        "environment": STR,
        "exporter": ANY,
        "trace_exporter": ANY,
        "metrics_exporter": ANY,
        "log_user_prompt": BOOL,
        **dict.fromkeys(
            (
                "tool_result log_sse_deltas log_agent_responses log_guardian_assessments span_attributes tracestate"
            ).split(),
            UNSUPPORTED,
        ),
    }
)
_SANDBOX_WORKSPACE_WRITE = Table(
    {
        "writable_roots": STR_LIST,
        "network_access": BOOL,
        "exclude_tmpdir_env_var": BOOL,
        "exclude_slash_tmp": BOOL,
    }
)
_PROJECT = Table({"trust_level": Enum("trusted", "untrusted")})
# Small tables whose keys are all known (so `--strict-config` refuses others, as Codex does).
_NOTICE = (
    "hide_gov_cloud_guidance hide_full_access_warning hide_world_writable_warning fast_default_opt_out "
    "hide_rate_limit_model_nudge hide_gpt5_1_migration_prompt hide_gpt-5.1-codex-max_migration_prompt "
    "external_config_migration_prompts model_migrations"
).split()
_CLOSED_TABLES: dict[str, Spec] = {
    "analytics": Table({"enabled": BOOL}),
    "feedback": Table({"enabled": BOOL}),
    "ghost_snapshot": Table(
        dict.fromkeys(("ignore_large_untracked_files", "ignore_large_untracked_dirs", "disable_warnings"), ANY)
    ),
    "notice": Table(dict.fromkeys(_NOTICE, ANY)),
}
_ENUM_KEYS: dict[str, Spec] = {
    "approvals_reviewer": Enum("user", "auto_review", "guardian_subagent"),
    "cli_auth_credentials_store": Enum("file", "keyring", "auto", "ephemeral"),
    "file_opener": Enum("vscode", "vscode-insiders", "windsurf", "cursor", "none"),
    "forced_login_method": Enum("chatgpt", "api"),
    "mcp_oauth_credentials_store": Enum("auto", "file", "keyring"),
    "personality": Enum("none", "friendly", "pragmatic"),
    "web_search": _WEB_SEARCH_MODE,
    "plan_mode_reasoning_effort": STR,
    "project_root_markers": STR_LIST,
}

# Keys Codex 0.169 accepts that pycodex keeps only in `Config.raw`.
_PASSTHROUGH = (
    "agents allow_login_shell apps audio auto_review background_terminal_max_timeout "
    "chatgpt_base_url check_for_update_on_startup compact_prompt default_permissions "
    "disable_paste_burst experimental_compact_prompt_file experimental_use_unified_exec_tool "
    "forced_chatgpt_workspace_id hooks include_apps_instructions "
    "include_environment_context include_permissions_instructions log_dir marketplaces mcp_oauth_callback_port "
    "mcp_oauth_callback_url memories model_catalog_json permissions "
    "plugins realtime review_model service_tier skills sqlite_home "
    "suppress_unstable_features_warning tool_output_token_limit tool_suggest windows"
).split()

# Keys Codex 0.169 accepts that pycodex does not honour yet: accepted, with one warning each.
_UNSUPPORTED_TOP = (
    "model_auto_compact_token_limit_scope model_post_turn_compact_threshold_percent allow_symlinked_codex_home "
    "include_collaboration_mode_instructions mcp_enterprise_managed_auth mcp_optional_startup_grace_ms "
    "thread_unload_delay_secs js_repl_node_path js_repl_node_module_dirs apps_mcp_product_sku responses_api_metadata "
    "orchestrator cloud experimental_realtime_ws_base_url experimental_realtime_webrtc_call_base_url "
    "experimental_realtime_ws_model experimental_realtime_ws_backend_prompt experimental_realtime_ws_startup_context "
    "experimental_realtime_start_instructions experimental_thread_store_endpoint experimental_thread_store "
    "browser_use computer_use desktop goals"
).split()

# Features that also take a table (`[features.NAME] enabled = true`, plus settings of their own).
TABLE_FEATURES = frozenset(
    (
        "apps_mcp_path_override async_compaction code_mode code_mode_host context_management current_time_reminder "
        "guardianv2 guardianv3 multi_agent_v2 network_proxy non_prefixed_mcp_tool_names rollout_budget "
        "runtime_agent_instances sleep_tool token_budget"
    ).split()
)


class _Features(Spec):
    """`[features]`: `name = bool`, or for `TABLE_FEATURES` a table with `enabled` and settings."""

    expected = "a table"

    def check(self, value: object, path: Path_, found: Found) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for name, item in cast(dict[str, object], value).items():
            key = (*path, name)
            if isinstance(item, bool):
                continue
            if name not in TABLE_FEATURES:
                message = "invalid type: map, expected a boolean" if isinstance(item, dict) else "expected a boolean"
                raise SchemaError(key, message if isinstance(item, dict) else f"{message}, got {describe(item)}")
            if not isinstance(item, dict):
                raise SchemaError(key, "data did not match any variant of untagged enum FeatureToml")
            table = cast(dict[str, object], item)
            if "enabled" in table and not isinstance(table["enabled"], bool):
                raise SchemaError(key, "data did not match any variant of untagged enum FeatureToml")
            found.unsupported.extend((*key, setting) for setting in table if setting != "enabled")


# Keys of older Codex releases (<= 0.125) that 0.169 rejects under --strict-config. pycodex reads
# the ones it can still honour and ignores the rest silently, so an old file keeps loading.
LEGACY_KEYS = (
    "experimental_instructions_file experimental_resume experimental_use_exec_command_tool "
    "experimental_use_freeform_apply_patch include_apply_patch_tool include_plan_tool model_family "
    "model_supports_reasoning_summaries preferred_auth_method disable_response_storage zsh_path "
    "commit_attribution request_max_retries stream_max_retries stream_idle_timeout_ms tools_web_search_request"
).split()

_fields: dict[str, Spec] = dict.fromkeys(_PASSTHROUGH, ANY)
_fields.update(dict.fromkeys(LEGACY_KEYS, LEGACY))
_fields.update(dict.fromkeys(_UNSUPPORTED_TOP, UNSUPPORTED))
_fields.update(_ENUM_KEYS)
_fields.update(_CLOSED_TABLES)
_fields.update(
    {
        "model": STR,
        "model_provider": STR,
        "model_providers": MapOf(MODEL_PROVIDER),
        "openai_base_url": STR,
        "oss_provider": STR,
        "oss_prompt_profile": Enum("auto", "default", "small-local"),
        "model_reasoning_effort": STR,
        "model_reasoning_summary": Enum(*REASONING_SUMMARIES),
        "model_verbosity": Enum(*VERBOSITIES),
        "model_context_window": INT,
        "model_max_output_tokens": INT,
        "model_auto_compact_token_limit": Int(minimum=None),
        "model_instructions_file": STR,
        "instructions": STR,
        "developer_instructions": STR,
        "approval_policy": APPROVAL,
        "sandbox_mode": Enum(*SANDBOX_MODES),
        "sandbox_workspace_write": _SANDBOX_WORKSPACE_WRITE,
        "shell_environment_policy": SHELL_ENVIRONMENT_POLICY,
        "mcp_servers": MapOf(MCP_SERVER),
        "projects": MapOf(_PROJECT),
        "tools": _TOOLS,
        "features": _Features(),
        "otel": _OTEL,
        "tui": _TUI,
        "history": _HISTORY,
        "notify": STR_LIST,
        "project_doc_max_bytes": INT,
        "project_doc_fallback_filenames": STR_LIST,
        "hide_agent_reasoning": BOOL,
        "show_raw_agent_reasoning": BOOL,
        "profile": STR,
    }
)
LAYER = Table(dict(_fields))
"""Schema of one configuration layer (config.toml, a profile file, or the `-c` overrides)."""

_fields["profiles"] = MapOf(LAYER)
ROOT = Table(_fields)
"""Schema of `$CODEX_HOME/config.toml` (a layer plus `[profiles.*]`)."""


def validate(document: Mapping[str, object], *, allow_profiles: bool = True) -> Found:
    """Check `document` against the config schema.

    Returns:
        The unknown, unsupported and legacy keys it holds.

    Raises:
        SchemaError: a value has the wrong type.
    """
    found = Found()
    (ROOT if allow_profiles else LAYER).check(dict(document), (), found)
    return found

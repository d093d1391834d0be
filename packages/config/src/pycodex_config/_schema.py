"""A small declarative schema for config.toml and the validator that walks it.

The schema mirrors the keys Codex 0.169 accepts (checked key by key with `--strict-config`
against the real binary). Keys we do not interpret ourselves but Codex knows are `ANY`, so a
real user's file never produces a spurious warning. Unknown keys are collected, not raised:
the loader turns them into warnings or, under `strict`, into errors.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import cast

__all__ = ["SchemaError", "validate"]

Path_ = tuple[str, ...]


class SchemaError(Exception):
    """A value has the wrong type; `path` is the dotted key, `message` the explanation."""

    def __init__(self, path: Path_, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


def describe(value: object) -> str:
    """Render a TOML value for an error message (`"bogus"`, `5`, `true`, `an array`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, datetime.date | datetime.time):
        return f"a date-time ({value.isoformat()})"
    return type(value).__name__


class Spec:
    """Base class of schema nodes."""

    expected = "a value"

    def check(self, value: object, path: Path_, unknown: list[Path_]) -> None:
        """Raise `SchemaError` when `value` does not fit; append unknown keys to `unknown`."""
        if not self.accepts(value):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")

    def accepts(self, value: object) -> bool:
        """Return whether `value` has the right shape (shallow)."""
        return True


class _Any(Spec):
    pass


class _Str(Spec):
    expected = "a string"

    def accepts(self, value: object) -> bool:
        return isinstance(value, str)


class _Bool(Spec):
    expected = "a boolean"

    def accepts(self, value: object) -> bool:
        return isinstance(value, bool)


@dataclass
class _Int(Spec):
    minimum: int | None = 0
    expected = "a non-negative integer"

    def accepts(self, value: object) -> bool:
        if isinstance(value, bool) or not isinstance(value, int):
            return False
        return self.minimum is None or value >= self.minimum


class _Num(Spec):
    expected = "a number"

    def accepts(self, value: object) -> bool:
        return isinstance(value, int | float) and not isinstance(value, bool) and value >= 0


class Enum(Spec):
    """One of a fixed set of strings."""

    def __init__(self, *values: str) -> None:
        self.values = values
        self.expected = "one of " + ", ".join(values)

    def accepts(self, value: object) -> bool:
        return isinstance(value, str) and value in self.values


@dataclass
class ListOf(Spec):
    """An array whose items all match `item`."""

    item: Spec

    def __post_init__(self) -> None:
        self.expected = f"an array of {self.item.expected.removeprefix('a ').removeprefix('an ')}s"

    def check(self, value: object, path: Path_, unknown: list[Path_]) -> None:
        if not isinstance(value, list):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for index, item in enumerate(cast(list[object], value)):
            self.item.check(item, (*path, str(index)), unknown)


@dataclass
class MapOf(Spec):
    """A table with arbitrary keys whose values all match `value`."""

    value: Spec
    expected = "a table"

    def check(self, value: object, path: Path_, unknown: list[Path_]) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for key, item in cast(dict[str, object], value).items():
            self.value.check(item, (*path, key), unknown)


@dataclass
class Table(Spec):
    """A table with known keys; other keys are reported as unknown."""

    fields: Mapping[str, Spec]
    expected = "a table"

    def check(self, value: object, path: Path_, unknown: list[Path_]) -> None:
        if not isinstance(value, dict):
            raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")
        for key, item in cast(dict[str, object], value).items():
            spec = self.fields.get(key)
            if spec is None:
                unknown.append((*path, key))
            else:
                spec.check(item, (*path, key), unknown)


@dataclass
class OneOf(Spec):
    """The first alternative whose shallow shape fits is checked fully."""

    alternatives: tuple[Spec, ...]
    expected: str = field(default="a value")

    def check(self, value: object, path: Path_, unknown: list[Path_]) -> None:
        for alternative in self.alternatives:
            if _shallow_fits(alternative, value):
                alternative.check(value, path, unknown)
                return
        raise SchemaError(path, f"expected {self.expected}, got {describe(value)}")


def _shallow_fits(spec: Spec, value: object) -> bool:
    if isinstance(spec, ListOf):
        return isinstance(value, list)
    if isinstance(spec, MapOf | Table):
        return isinstance(value, dict)
    return spec.accepts(value)


ANY = _Any()
STR = _Str()
BOOL = _Bool()
INT = _Int()
NUM = _Num()
STR_LIST = ListOf(STR)
STR_MAP = MapOf(STR)

APPROVAL_POLICIES = ("untrusted", "on-failure", "on-request", "never")
SANDBOX_MODES = ("read-only", "workspace-write", "danger-full-access")
REASONING_EFFORTS = ("none", "minimal", "low", "medium", "high", "xhigh")
REASONING_SUMMARIES = ("auto", "concise", "detailed", "none")
VERBOSITIES = ("low", "medium", "high")

APPROVAL = OneOf((Enum(*APPROVAL_POLICIES), Table({"granular": ANY})), "one of " + ", ".join(APPROVAL_POLICIES))

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
        "oauth": ANY,
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
        "wire_api": Enum("responses", "chat"),
        "query_params": STR_MAP,
        "http_headers": STR_MAP,
        "env_http_headers": STR_MAP,
        "request_max_retries": INT,
        "stream_max_retries": INT,
        "stream_idle_timeout_ms": INT,
        "websocket_connect_timeout_ms": INT,
        "requires_openai_auth": BOOL,
        "supports_websockets": BOOL,
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

_WEB_SEARCH_MODE = Enum("disabled", "cached", "live")
_TOOLS = Table(
    {
        "web_search": OneOf((BOOL, _WEB_SEARCH_MODE, MapOf(ANY)), "a boolean, a mode or a table"),
        "update_plan": Table({"enabled": BOOL}),
        "experimental_request_user_input": Table({"enabled": BOOL}),
    }
)

_TUI = Table(
    {
        "notifications": OneOf((BOOL, STR_LIST), "a boolean or an array of strings"),
        "notification_method": Enum("auto", "osc9", "bel"),
        "notification_condition": Enum("unfocused", "always"),
        "animations": BOOL,
        "show_tooltips": BOOL,
        "alternate_screen": OneOf((Enum("auto", "always", "never"), BOOL), "one of auto, always, never"),
        "status_line": STR_LIST,
        "terminal_title": STR_LIST,
        "theme": STR,
        "model_availability_nux": ANY,
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

# Keys Codex 0.169 accepts that pycodex keeps only in `Config.raw`.
_PASSTHROUGH = (
    "agents allow_login_shell analytics approvals_reviewer apps audio auto_review background_terminal_max_timeout "
    "chatgpt_base_url check_for_update_on_startup cli_auth_credentials_store compact_prompt default_permissions "
    "disable_paste_burst experimental_compact_prompt_file experimental_use_unified_exec_tool feedback file_opener "
    "forced_chatgpt_workspace_id forced_login_method ghost_snapshot hooks include_apps_instructions "
    "include_environment_context include_permissions_instructions log_dir marketplaces mcp_oauth_callback_port "
    "mcp_oauth_callback_url mcp_oauth_credentials_store memories model_catalog_json notice permissions personality "
    "plan_mode_reasoning_effort plugins project_root_markers realtime review_model service_tier skills sqlite_home "
    "suppress_unstable_features_warning tool_output_token_limit tool_suggest web_search windows"
).split()

# Keys of older Codex releases (<= 0.125) that 0.169 rejects under --strict-config. pycodex reads
# the ones it can still honour and ignores the rest silently, so an old file keeps loading.
LEGACY_KEYS = (
    "experimental_instructions_file experimental_resume experimental_use_exec_command_tool "
    "experimental_use_freeform_apply_patch include_apply_patch_tool include_plan_tool model_family "
    "model_supports_reasoning_summaries preferred_auth_method disable_response_storage zsh_path "
    "commit_attribution request_max_retries stream_max_retries stream_idle_timeout_ms tools_web_search_request"
).split()

_fields: dict[str, Spec] = dict.fromkeys(_PASSTHROUGH, ANY)
_fields.update(dict.fromkeys(LEGACY_KEYS, ANY))
_fields.update(
    {
        "model": STR,
        "model_provider": STR,
        "model_providers": MapOf(MODEL_PROVIDER),
        "openai_base_url": STR,
        "oss_provider": STR,
        "oss_prompt_profile": Enum("auto", "default", "small-local"),
        "model_reasoning_effort": Enum(*REASONING_EFFORTS),
        "model_reasoning_summary": Enum(*REASONING_SUMMARIES),
        "model_verbosity": Enum(*VERBOSITIES),
        "model_context_window": INT,
        "model_max_output_tokens": INT,
        "model_auto_compact_token_limit": _Int(minimum=None),
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
        "features": MapOf(BOOL),
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


def validate(document: Mapping[str, object], *, allow_profiles: bool = True) -> list[Path_]:
    """Check `document` against the config schema.

    Returns:
        The key paths that the schema does not know.

    Raises:
        SchemaError: a value has the wrong type.
    """
    unknown: list[Path_] = []
    (ROOT if allow_profiles else LAYER).check(dict(document), (), unknown)
    return unknown

"""Turn merged, validated layers into a `Config` (defaults, derived values, CLI flags)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

from pycodex_config._config import (
    DEFAULT_MODEL,
    DEFAULT_PROJECT_DOC_MAX_BYTES,
    CliOverrides,
    Config,
    HistoryConfig,
    OtelConfig,
    ProjectConfig,
    SandboxWorkspaceWrite,
    TuiConfig,
)
from pycodex_config._features import FEATURES
from pycodex_config._layers import LOAD_PREFIX, Doc, Layer, deep_merge_all, error_at
from pycodex_config._mcp import mcp_servers_from
from pycodex_config._providers import ModelProviderInfo, built_in_model_providers
from pycodex_config._shell_env import ShellEnvironmentPolicy
from pycodex_config.errors import ConfigError

if TYPE_CHECKING:
    from pycodex_config._types import AskForApproval, GranularApprovalSettings, SandboxMode, SandboxPolicy

logger = logging.getLogger(__name__)

OSS_DEFAULT_MODELS = {"ollama": "gpt-oss:20b", "lmstudio": "openai/gpt-oss-20b"}
_LEGACY_PROVIDER_KEYS = ("request_max_retries", "stream_max_retries", "stream_idle_timeout_ms")


def _table(doc: Mapping[str, object], key: str) -> Doc:
    value = doc.get(key)
    return cast(Doc, value) if isinstance(value, dict) else {}


def _opt_str(doc: Mapping[str, object], key: str) -> str | None:
    value = doc.get(key)
    return value if isinstance(value, str) else None


def _opt_int(doc: Mapping[str, object], key: str) -> int | None:
    value = doc.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _strs(value: object) -> tuple[str, ...]:
    return tuple(str(x) for x in cast(list[object], value)) if isinstance(value, list) else ()


def _is_list(value: object) -> bool:
    return isinstance(value, list)


def _providers(
    merged: Doc, layers: Sequence[Layer], warnings: list[str], env: Mapping[str, str]
) -> dict[str, ModelProviderInfo]:
    providers = built_in_model_providers(openai_base_url=_opt_str(merged, "openai_base_url"), env=env)
    for provider_id, table in _table(merged, "model_providers").items():
        if provider_id in providers:
            warnings.append(f"`model_providers.{provider_id}` cannot replace the built-in provider; ignored")
            continue
        providers[provider_id] = ModelProviderInfo.from_toml(cast(Doc, table), provider_id=provider_id)
    return providers


def _select_provider(
    merged: Doc, layers: Sequence[Layer], cli: CliOverrides, providers: Mapping[str, ModelProviderInfo]
) -> tuple[str, ModelProviderInfo]:
    if cli.model_provider:
        provider_id = cli.model_provider
    elif cli.oss:
        provider_id = _opt_str(merged, "oss_provider") or "ollama"
    else:
        provider_id = _opt_str(merged, "model_provider") or "openai"
    provider = providers.get(provider_id)
    if provider is None:
        known = ", ".join(sorted(providers))
        message = f"model provider `{provider_id}` not found; known providers: {known}"
        if cli.model_provider or not any(layer.contains(("model_provider",)) for layer in layers):
            raise ConfigError(f"{LOAD_PREFIX}{message}", key="model_provider")
        raise error_at(layers, ("model_provider",), message)
    legacy = {key: merged[key] for key in _LEGACY_PROVIDER_KEYS if isinstance(merged.get(key), int)}
    if legacy:
        provider = dataclasses.replace(provider, **legacy)
    return provider_id, provider


def _approval(merged: Doc, cli: CliOverrides, trust: str | None, warnings: list[str]) -> AskForApproval:
    if cli.dangerously_bypass_approvals_and_sandbox:
        return "never"
    if cli.approval_policy is not None:
        return cli.approval_policy
    value = merged.get("approval_policy")
    if isinstance(value, dict):
        return "on-request"  # `{ granular = {...} }`: on-request, with some prompts auto-rejected (`_granular`)
    if isinstance(value, str):
        return cast("AskForApproval", value)
    return "untrusted" if trust == "untrusted" else "on-request"


_GRANULAR_REQUIRED = ("sandbox_approval", "rules", "mcp_elicitations")
_GRANULAR_OPTIONAL = ("skill_approval", "request_permissions")


def _granular(merged: Doc, cli: CliOverrides, layers: Sequence[Layer]) -> GranularApprovalSettings | None:
    """The `approval_policy = { granular = {...} }` settings (`None` for the string forms or a CLI flag).

    Raises:
        ConfigError: a required field is missing or a field is not a boolean (as Codex refuses them).
    """
    value = merged.get("approval_policy")
    if cli.dangerously_bypass_approvals_and_sandbox or cli.approval_policy is not None or not isinstance(value, dict):
        return None
    table = cast(Doc, cast(Doc, value).get("granular"))
    if not isinstance(table, dict):
        raise error_at(layers, ("approval_policy",), "expected a string or a `granular` table")
    settings: dict[str, bool] = {}
    for key in (*_GRANULAR_REQUIRED, *_GRANULAR_OPTIONAL):
        field_value = table.get(key, False if key in _GRANULAR_OPTIONAL else None)
        if field_value is None:
            raise error_at(layers, ("approval_policy", "granular"), f"missing field `{key}`")
        if not isinstance(field_value, bool):
            raise error_at(layers, ("approval_policy", "granular", key), "invalid type: expected a boolean")
        settings[key] = field_value
    return cast("GranularApprovalSettings", settings)


def _sandbox_mode(merged: Doc, cli: CliOverrides, trust: str | None) -> SandboxMode:
    if cli.dangerously_bypass_approvals_and_sandbox:
        return "danger-full-access"
    if cli.sandbox_mode is not None:
        return cli.sandbox_mode
    value = merged.get("sandbox_mode")
    if isinstance(value, str):
        return cast("SandboxMode", value)
    return "workspace-write" if trust is not None else "read-only"


def _with_cli_sandbox(merged: Doc, cli: CliOverrides, mode: SandboxMode) -> Doc:
    """`merged`, plus `sandbox_mode` when `-s` (or the bypass flag) chose it.

    As in Codex, the flag then wins over `default_permissions`, exactly like `-c sandbox_mode=...`.
    """
    if cli.sandbox_mode is None and not cli.dangerously_bypass_approvals_and_sandbox:
        return merged
    return {**merged, "sandbox_mode": mode}


def _resolve(path: str, base: Path) -> Path:
    candidate = Path(path).expanduser()
    return candidate if candidate.is_absolute() else (base / candidate).resolve()


def sandbox_policy_for(mode: SandboxMode, settings: SandboxWorkspaceWrite, add_dirs: Sequence[Path]) -> SandboxPolicy:
    """Derive the wire `SandboxPolicy` from `sandbox_mode`, its table and `--add-dir`s."""
    if mode == "danger-full-access":
        return {"type": "danger-full-access"}
    if mode == "read-only":
        return {"type": "read-only"}
    roots: list[str] = []
    for root in (*settings.writable_roots, *add_dirs):
        if str(root) not in roots:
            roots.append(str(root))
    return {
        "type": "workspace-write",
        "writable_roots": roots,
        "network_access": settings.network_access,
        "exclude_tmpdir_env_var": settings.exclude_tmpdir_env_var,
        "exclude_slash_tmp": settings.exclude_slash_tmp,
    }


# Settings a table-form feature must have when it is enabled (Codex 0.169 refuses to start without them).
_REQUIRED_WHEN_ENABLED = {"rollout_budget": ("limit_tokens", "reminder_at_remaining_tokens")}


def _markers(merged: Doc) -> tuple[str, ...]:
    value: object = merged.get("project_root_markers")
    return _strs(value) if _is_list(value) else (".git",)


def _features(table: Doc) -> dict[str, bool]:
    """Effective feature states: defaults, then `name = bool` or `[features.name] enabled = bool`.

    Raises:
        ConfigError: an enabled table-form feature lacks a setting it needs.
    """
    features = {name: default for name, (_stage, default) in FEATURES.items()}
    for name, value in table.items():
        if isinstance(value, bool):
            features[name] = value
        elif isinstance(value, dict):
            enabled = cast(Doc, value).get("enabled")
            if isinstance(enabled, bool):
                features[name] = enabled
            if features.get(name):
                for setting in _REQUIRED_WHEN_ENABLED.get(name, ()):
                    if setting not in value:
                        raise ConfigError(f"Error: features.{name}.{setting} is required when {name} is enabled")
    return features


def _web_search(merged: Doc, features: Mapping[str, bool]) -> bool:
    tools_value = _table(merged, "tools").get("web_search")
    if isinstance(tools_value, bool):
        return tools_value
    if isinstance(tools_value, str):
        return tools_value != "disabled"
    if isinstance(tools_value, dict):
        return True
    top = merged.get("web_search")
    if isinstance(top, str):
        return top != "disabled"
    return features.get("web_search_request", False) or features.get("web_search_cached", False)


def _base_instructions(merged: Doc, layers: Sequence[Layer], cli: CliOverrides, codex_home: Path) -> str | None:
    if cli.base_instructions is not None:
        return cli.base_instructions
    for key in ("model_instructions_file", "experimental_instructions_file"):
        value = _opt_str(merged, key)
        if value:
            path = _resolve(value, codex_home)
            try:
                return path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise error_at(layers, (key,), f"cannot read {path}: {exc}") from None
    return None


def _tui(doc: Doc) -> TuiConfig:
    notifications = doc.get("notifications", True)
    alternate = doc.get("alternate_screen", "auto")
    if isinstance(alternate, bool):
        alternate = "always" if alternate else "never"
    defaults = TuiConfig()
    return TuiConfig(
        notifications=_strs(notifications) if _is_list(notifications) else notifications is not False,
        notification_method=cast(Literal["auto", "osc9", "osc777", "bel"], doc.get("notification_method", "auto")),
        notification_condition=cast(Literal["unfocused", "always"], doc.get("notification_condition", "unfocused")),
        animations=doc.get("animations", True) is not False,
        show_tooltips=doc.get("show_tooltips", True) is not False,
        alternate_screen=cast(Literal["auto", "always", "never"], alternate),
        status_line=_strs(doc["status_line"]) if "status_line" in doc else defaults.status_line,
        terminal_title=_strs(doc["terminal_title"]) if "terminal_title" in doc else None,
        theme=_opt_str(doc, "theme"),
        vim_mode_default=doc.get("vim_mode_default") is True,
    )


def _otel(doc: Doc) -> OtelConfig:
    return OtelConfig(
        environment=_opt_str(doc, "environment") or "dev",
        exporter=doc.get("exporter", "none"),
        trace_exporter=doc.get("trace_exporter", "none"),
        metrics_exporter=doc.get("metrics_exporter", "none"),
        log_user_prompt=doc.get("log_user_prompt") is True,
    )


def _workspace_write(doc: Doc, cwd: Path) -> SandboxWorkspaceWrite:
    return SandboxWorkspaceWrite(
        writable_roots=tuple(_resolve(root, cwd) for root in _strs(doc.get("writable_roots"))),
        network_access=doc.get("network_access") is True,
        exclude_tmpdir_env_var=doc.get("exclude_tmpdir_env_var") is True,
        exclude_slash_tmp=doc.get("exclude_slash_tmp") is True,
    )


def build_config(
    layers: Sequence[Layer],
    *,
    codex_home: Path,
    cwd: Path,
    cli: CliOverrides,
    profile: str | None,
    warnings: list[str],
    env: Mapping[str, str],
) -> Config:
    """Merge `layers` (lowest first) and derive every `Config` field.

    Raises:
        ConfigError: an unknown provider, an MCP server without a transport, an unreadable
            instructions file.
    """
    merged = deep_merge_all(layers)
    if cli.cwd is not None:
        cwd = _resolve(str(cli.cwd), cwd)
    projects = {
        path: ProjectConfig(
            trust_level=cast(Literal["trusted", "untrusted"] | None, _opt_str(cast(Doc, t), "trust_level"))
        )
        for path, t in _table(merged, "projects").items()
    }
    providers = _providers(merged, layers, warnings, env)
    provider_id, provider = _select_provider(merged, layers, cli, providers)
    features = _features(_table(merged, "features"))
    draft = Config(
        codex_home=codex_home,
        cwd=cwd,
        model="",
        model_provider_id=provider_id,
        model_provider=provider,
        model_providers=providers,
        approval_policy="on-request",
        sandbox_mode="read-only",
        sandbox_policy={"type": "read-only"},
        projects=projects,
    )
    trust = draft.trust_level(cwd)
    mode = _sandbox_mode(merged, cli, trust)
    workspace_write = _workspace_write(_table(merged, "sandbox_workspace_write"), cwd)
    add_dirs = tuple(_resolve(str(d), cwd) for d in cli.add_dirs)
    model = cli.model or _opt_str(merged, "model") or (OSS_DEFAULT_MODELS.get(provider_id) if cli.oss else None)
    history = _table(merged, "history")
    notify = merged.get("notify")
    tools = _table(merged, "tools")
    return dataclasses.replace(
        draft,
        model=model or DEFAULT_MODEL,
        approval_policy=_approval(merged, cli, trust, warnings),
        granular_approval=_granular(merged, cli, layers),
        sandbox_mode=mode,
        sandbox_policy=sandbox_policy_for(mode, workspace_write, add_dirs),
        sandbox_workspace_write=workspace_write,
        shell_environment_policy=ShellEnvironmentPolicy.from_toml(_table(merged, "shell_environment_policy")),
        mcp_servers=mcp_servers_from(merged, layers),
        model_reasoning_effort=cli.model_reasoning_effort or _opt_str(merged, "model_reasoning_effort"),
        model_reasoning_summary=cli.model_reasoning_summary or _opt_str(merged, "model_reasoning_summary"),
        model_verbosity=_opt_str(merged, "model_verbosity"),
        model_context_window=_opt_int(merged, "model_context_window"),
        model_auto_compact_token_limit=_opt_int(merged, "model_auto_compact_token_limit"),
        tools_update_plan=_table(tools, "update_plan").get("enabled", False) is True,
        tools_web_search=_web_search(merged, features),
        features=features,
        otel=_otel(_table(merged, "otel")),
        tui=_tui(_table(merged, "tui")),
        history=HistoryConfig(
            persistence="none" if history.get("persistence") == "none" else "save-all",
            max_bytes=_opt_int(history, "max_bytes"),
        ),
        notify=_strs(notify) if _is_list(notify) else None,
        project_doc_max_bytes=_opt_int(merged, "project_doc_max_bytes")
        or (0 if merged.get("project_doc_max_bytes") == 0 else DEFAULT_PROJECT_DOC_MAX_BYTES),
        project_doc_fallback_filenames=_strs(merged.get("project_doc_fallback_filenames")),
        project_root_markers=_markers(merged),
        developer_instructions=cli.developer_instructions or _opt_str(merged, "developer_instructions"),
        user_instructions=_opt_str(merged, "instructions"),
        base_instructions=_base_instructions(merged, layers, cli, codex_home),
        hide_agent_reasoning=merged.get("hide_agent_reasoning") is True,
        show_raw_agent_reasoning=(
            cli.show_raw_agent_reasoning
            if cli.show_raw_agent_reasoning is not None
            else merged.get("show_raw_agent_reasoning") is True
        ),
        oss_provider=_opt_str(merged, "oss_provider"),
        openai_base_url=_opt_str(merged, "openai_base_url"),
        profile=profile,
        config_files=tuple(dict.fromkeys(layer.path for layer in layers if layer.path is not None)),
        raw=_with_cli_sandbox(merged, cli, mode),
        warnings=tuple(warnings),
    )

"""The resolved configuration (`Config`) and its parts."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pycodex_config._mcp import McpServerConfig
from pycodex_config._providers import ModelProviderInfo
from pycodex_config._shell_env import ShellEnvironmentPolicy

if TYPE_CHECKING:  # annotations only: the protocol package is not loaded with the config
    from pycodex_config._types import AskForApproval, GranularApprovalSettings, SandboxMode, SandboxPolicy

logger = logging.getLogger(__name__)

__all__ = [
    "CliOverrides",
    "Config",
    "HistoryConfig",
    "OtelConfig",
    "ProjectConfig",
    "SandboxWorkspaceWrite",
    "TuiConfig",
]

DEFAULT_MODEL = "gpt-6.1-sol"
"""What Codex 0.169 uses when no `model` is configured (observed in `codex exec`'s banner)."""
DEFAULT_PROJECT_DOC_MAX_BYTES = 32 * 1024


@dataclass(frozen=True)
class SandboxWorkspaceWrite:
    """`[sandbox_workspace_write]`: settings used when `sandbox_mode = "workspace-write"`."""

    writable_roots: tuple[Path, ...] = ()
    """Extra writable directories (absolute; relative ones are resolved against cwd)."""
    network_access: bool = False
    """Allow outbound network from sandboxed commands."""
    exclude_tmpdir_env_var: bool = False
    """Do not make `$TMPDIR` writable."""
    exclude_slash_tmp: bool = False
    """Do not make `/tmp` writable."""


@dataclass(frozen=True)
class ProjectConfig:
    """`[projects."<abs path>"]`."""

    trust_level: Literal["trusted", "untrusted"] | None = None
    """The user's trust decision for this directory, if any."""


@dataclass(frozen=True)
class HistoryConfig:
    """`[history]`: the cross-session prompt history in `$CODEX_HOME/history.jsonl`."""

    persistence: Literal["save-all", "none"] = "save-all"
    """Whether prompts are written at all."""
    max_bytes: int | None = None
    """Size cap; the oldest entries are dropped down to 80 % of it."""


@dataclass(frozen=True)
class TuiConfig:
    """`[tui]`."""

    notifications: bool | tuple[str, ...] = True
    """Desktop notifications: on/off, or the event names to notify about."""
    notification_method: Literal["auto", "osc9", "osc777", "bel"] = "auto"
    """How notifications are sent to the terminal."""
    notification_condition: Literal["unfocused", "always"] = "unfocused"
    """When to notify."""
    animations: bool = True
    """Shimmer/spinner animations."""
    show_tooltips: bool = True
    """Start-up tips."""
    alternate_screen: Literal["auto", "always", "never"] = "auto"
    """Use the terminal's alternate screen."""
    status_line: tuple[str, ...] = ("model-with-reasoning", "current-dir")
    """Items of the footer status line."""
    terminal_title: tuple[str, ...] | None = None
    """Items of the terminal title, if configured."""
    theme: str | None = None
    """Syntax-highlighting theme name."""
    vim_mode_default: bool = False
    """Start the composer with Vim editing on, in normal mode (`/vim` toggles it)."""


@dataclass(frozen=True)
class OtelConfig:
    """`[otel]`: OpenTelemetry export (the exporter values are kept as written)."""

    environment: str = "dev"
    """`deployment.environment` attribute."""
    exporter: object = "none"
    """`"none"`, `"statsig"` or `{otlp-http = {...}}` / `{otlp-grpc = {...}}`."""
    trace_exporter: object = "none"
    """Same shapes as `exporter`, for traces."""
    metrics_exporter: object = "none"
    """Same shapes as `exporter`, for metrics (pycodex never defaults to statsig)."""
    log_user_prompt: bool = False
    """Include prompt text in exported events."""


@dataclass(frozen=True)
class CliOverrides:
    """Values from dedicated command-line flags; they win over every config layer."""

    model: str | None = None
    """`-m/--model`."""
    model_provider: str | None = None
    """`--local-provider` or an explicit provider choice."""
    approval_policy: AskForApproval | None = None
    """`-a/--ask-for-approval`."""
    sandbox_mode: SandboxMode | None = None
    """`-s/--sandbox`."""
    cwd: Path | None = None
    """`-C/--cd`."""
    oss: bool = False
    """`--oss`: use `oss_provider` (or Ollama) instead of the configured provider."""
    add_dirs: Sequence[Path] = ()
    """`--add-dir` (repeatable): extra writable roots in workspace-write."""
    base_instructions: str | None = None
    """Replacement for the built-in base prompt."""
    developer_instructions: str | None = None
    """Extra developer message."""
    model_reasoning_effort: str | None = None
    """Reasoning effort override."""
    model_reasoning_summary: str | None = None
    """Reasoning summary override."""
    show_raw_agent_reasoning: bool | None = None
    """Show raw reasoning content."""
    dangerously_bypass_approvals_and_sandbox: bool = False
    """`--yolo`: approval `never` + `danger-full-access`."""


@dataclass(frozen=True)
class Config:
    """Everything pycodex needs from `$CODEX_HOME/config.toml`, profiles, `-c` and flags.

    Built by `load_config`; plain frozen dataclass so reading it costs nothing.
    """

    codex_home: Path
    """The configuration directory (`$CODEX_HOME`, default `~/.codex`)."""
    cwd: Path
    """Working directory of the session (absolute)."""
    model: str
    """Model slug."""
    model_provider_id: str
    """Key of `model_provider` in `model_providers`."""
    model_provider: ModelProviderInfo
    """The selected provider."""
    model_providers: Mapping[str, ModelProviderInfo]
    """Built-in plus user-defined providers."""
    approval_policy: AskForApproval
    """When to ask the user before running commands."""
    sandbox_mode: SandboxMode
    """The sandbox mode in effect."""
    sandbox_policy: SandboxPolicy
    """Wire form of the sandbox (`{"type": "workspace-write", ...}`), derived from the above."""
    granular_approval: GranularApprovalSettings | None = None
    """`approval_policy = { granular = {...} }`: `approval_policy` is then `on-request`, and the prompt
    kinds set to `false` here are rejected without asking."""
    sandbox_workspace_write: SandboxWorkspaceWrite = field(default_factory=SandboxWorkspaceWrite)
    """The `[sandbox_workspace_write]` table."""
    shell_environment_policy: ShellEnvironmentPolicy = field(default_factory=ShellEnvironmentPolicy)
    """Environment for spawned commands."""
    mcp_servers: Mapping[str, McpServerConfig] = field(default_factory=lambda: {})
    """Configured MCP servers by name."""
    projects: Mapping[str, ProjectConfig] = field(default_factory=lambda: {})
    """Per-directory settings keyed by absolute path."""
    model_reasoning_effort: str | None = None
    """`none|minimal|low|medium|high|xhigh`, or `None` for the model's default."""
    model_reasoning_summary: str | None = None
    """`auto|concise|detailed|none`, or `None` for the model's default."""
    model_verbosity: str | None = None
    """`low|medium|high` (GPT-5 family)."""
    model_context_window: int | None = None
    """Override of the model's context window."""
    model_auto_compact_token_limit: int | None = None
    """Token count that triggers automatic compaction."""
    tools_update_plan: bool = False
    """Offer the `update_plan` tool."""
    tools_web_search: bool = False
    """Offer the hosted web-search tool."""
    features: Mapping[str, bool] = field(default_factory=lambda: {})
    """Effective feature flags: Codex 0.169 defaults overlaid with `[features]`."""
    otel: OtelConfig = field(default_factory=OtelConfig)
    """`[otel]`."""
    tui: TuiConfig = field(default_factory=TuiConfig)
    """`[tui]`."""
    history: HistoryConfig = field(default_factory=HistoryConfig)
    """`[history]`."""
    notify: tuple[str, ...] | None = None
    """Program (+ args) run after each turn with a JSON argument."""
    project_doc_max_bytes: int = DEFAULT_PROJECT_DOC_MAX_BYTES
    """Total byte budget of project AGENTS.md files (0 disables them)."""
    project_doc_fallback_filenames: tuple[str, ...] = ()
    """Other file names tried when a directory has no AGENTS.md."""
    project_root_markers: tuple[str, ...] = (".git",)
    """Files or directories whose presence marks the project root (`()`: the cwd alone)."""
    developer_instructions: str | None = None
    """Extra developer message."""
    user_instructions: str | None = None
    """The `instructions` key (joined with the global AGENTS.md by core)."""
    base_instructions: str | None = None
    """Replacement base prompt (`model_instructions_file` contents or a CLI value)."""
    hide_agent_reasoning: bool = False
    """Do not show reasoning events."""
    show_raw_agent_reasoning: bool = False
    """Show raw reasoning content when the model sends it."""
    oss_provider: str | None = None
    """Provider used by `--oss` (`ollama`, `lmstudio` or `llamacpp`)."""
    openai_base_url: str | None = None
    """Top-level `openai_base_url`."""
    profile: str | None = None
    """Name of the active profile, if any."""
    thread_source: str | None = None
    """`--thread-source`: the source classification recorded for a new thread (session meta)."""
    config_files: tuple[Path, ...] = ()
    """Files that contributed, lowest precedence first."""
    raw: Mapping[str, object] = field(default_factory=lambda: {})
    """The merged TOML document (all layers), for keys not modelled here."""
    warnings: tuple[str, ...] = ()
    """Non-fatal problems (unknown keys, unknown features) for the front end to show."""

    def project_root(self, path: Path | None = None) -> Path:
        """The nearest ancestor of `path` (default `cwd`) holding a `project_root_markers` entry, else `path`."""
        resolved = Path(self.cwd if path is None else path).expanduser().resolve()
        for parent in (resolved, *resolved.parents):
            if any(_exists(parent / marker) for marker in self.project_root_markers):
                return parent
        return resolved

    def trust_level(self, path: Path) -> Literal["trusted", "untrusted"] | None:
        """Return the trust decision for `path`: its own entry, else its project root's entry."""
        resolved = Path(path).expanduser().resolve()
        candidates = [resolved, self.project_root(resolved)]
        for candidate in candidates:
            project = self.projects.get(str(candidate))
            if project is not None and project.trust_level is not None:
                return project.trust_level
        return None

    def is_trusted(self, path: Path | None = None) -> bool:
        """Whether `path` (default: `cwd`) is marked `trust_level = "trusted"`."""
        return self.trust_level(self.cwd if path is None else path) == "trusted"

    def feature_enabled(self, name: str) -> bool:
        """Whether feature `name` is on (unknown names are off)."""
        return self.features.get(name, False)


def _exists(path: Path) -> bool:
    """`path.exists()`, with a directory we may not look into counting as absent."""
    try:
        return path.exists()
    except OSError:
        return False

"""Loads and edits $CODEX_HOME/config.toml as Codex 0.169 does.

Hot path (`load_config`) imports only the standard library (`tomllib`); `tomlkit` (editing)
and `yaml` (legacy migration) are imported lazily by the functions that need them.
"""

from pycodex_config._build import sandbox_policy_for
from pycodex_config._config import (
    CliOverrides,
    Config,
    HistoryConfig,
    OtelConfig,
    ProjectConfig,
    SandboxWorkspaceWrite,
    TuiConfig,
)
from pycodex_config._editor import ConfigEditor
from pycodex_config._features import FEATURES
from pycodex_config._layers import toml_depth
from pycodex_config._loader import find_codex_home, load_config
from pycodex_config._mcp import McpServerConfig
from pycodex_config._migrate import MigrationReport, migrate_legacy
from pycodex_config._overrides import overrides_document, parse_cli_override
from pycodex_config._permissions import (
    BUILT_IN_PROFILES,
    NamedPermissions,
    legacy_permission_profile,
    select_permissions,
)
from pycodex_config._project import profile_name_error
from pycodex_config._providers import ModelProviderInfo, built_in_model_providers
from pycodex_config._sandbox_policy import MINIMAL_READABLE_ROOTS, protected_subpaths, resolve_sandbox_policy
from pycodex_config._shell_env import ShellEnvironmentPolicy, create_env, env_var_allowed
from pycodex_config.errors import ConfigError, ConfigOverrideError, MigrationError, UserError

__all__ = [
    "BUILT_IN_PROFILES",
    "CliOverrides",
    "Config",
    "ConfigEditor",
    "ConfigError",
    "ConfigOverrideError",
    "FEATURES",
    "HistoryConfig",
    "MINIMAL_READABLE_ROOTS",
    "McpServerConfig",
    "MigrationError",
    "MigrationReport",
    "ModelProviderInfo",
    "NamedPermissions",
    "OtelConfig",
    "ProjectConfig",
    "SandboxWorkspaceWrite",
    "ShellEnvironmentPolicy",
    "TuiConfig",
    "UserError",
    "built_in_model_providers",
    "create_env",
    "env_var_allowed",
    "find_codex_home",
    "legacy_permission_profile",
    "load_config",
    "migrate_legacy",
    "overrides_document",
    "parse_cli_override",
    "profile_name_error",
    "protected_subpaths",
    "resolve_sandbox_policy",
    "sandbox_policy_for",
    "select_permissions",
    "toml_depth",
]

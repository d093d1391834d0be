"""Loads and edits $CODEX_HOME/config.toml as Codex 0.169 does.

Hot path (`load_config`) imports only the standard library (`tomllib`); `tomlkit` (editing)
and `yaml` (legacy migration) are imported lazily by the functions that need them.
Names are imported on first use, so a caller that needs only the layer loader (`codex mcp list`)
does not pay for `Config` and everything it pulls in.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex_config._build import (
        sandbox_policy_for,
    )
    from pycodex_config._config import (
        CliOverrides,
        Config,
        HistoryConfig,
        OtelConfig,
        ProjectConfig,
        SandboxWorkspaceWrite,
        TuiConfig,
    )
    from pycodex_config._editor import (
        ConfigEditor,
    )
    from pycodex_config._features import (
        FEATURES,
    )
    from pycodex_config._layers import (
        toml_depth,
    )
    from pycodex_config._loader import (
        LayerStack,
        find_codex_home,
        load_config,
        load_layers,
        load_mcp_servers,
    )
    from pycodex_config._mcp import (
        McpServerConfig,
    )
    from pycodex_config._migrate import (
        MigrationReport,
        migrate_legacy,
    )
    from pycodex_config._overrides import (
        overrides_document,
        parse_cli_override,
    )
    from pycodex_config._permissions import (
        BUILT_IN_PROFILES,
        NamedPermissions,
        legacy_permission_profile,
        select_permissions,
    )
    from pycodex_config._project import (
        profile_name_error,
    )
    from pycodex_config._providers import (
        ModelProviderInfo,
        built_in_model_providers,
    )
    from pycodex_config._sandbox_policy import (
        MINIMAL_READABLE_ROOTS,
        protected_subpaths,
        resolve_sandbox_policy,
    )
    from pycodex_config._shell_env import (
        ShellEnvironmentPolicy,
        create_env,
        env_var_allowed,
    )
    from pycodex_config.errors import (
        ConfigError,
        ConfigOverrideError,
        MigrationError,
        UserError,
    )

__all__ = [
    "BUILT_IN_PROFILES",
    "CliOverrides",
    "Config",
    "ConfigEditor",
    "ConfigError",
    "ConfigOverrideError",
    "FEATURES",
    "HistoryConfig",
    "LayerStack",
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
    "load_layers",
    "load_mcp_servers",
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

_WHERE = {
    "BUILT_IN_PROFILES": "pycodex_config._permissions",
    "CliOverrides": "pycodex_config._config",
    "Config": "pycodex_config._config",
    "ConfigEditor": "pycodex_config._editor",
    "ConfigError": "pycodex_config.errors",
    "ConfigOverrideError": "pycodex_config.errors",
    "FEATURES": "pycodex_config._features",
    "HistoryConfig": "pycodex_config._config",
    "LayerStack": "pycodex_config._loader",
    "MINIMAL_READABLE_ROOTS": "pycodex_config._sandbox_policy",
    "McpServerConfig": "pycodex_config._mcp",
    "MigrationError": "pycodex_config.errors",
    "MigrationReport": "pycodex_config._migrate",
    "ModelProviderInfo": "pycodex_config._providers",
    "NamedPermissions": "pycodex_config._permissions",
    "OtelConfig": "pycodex_config._config",
    "ProjectConfig": "pycodex_config._config",
    "SandboxWorkspaceWrite": "pycodex_config._config",
    "ShellEnvironmentPolicy": "pycodex_config._shell_env",
    "TuiConfig": "pycodex_config._config",
    "UserError": "pycodex_config.errors",
    "built_in_model_providers": "pycodex_config._providers",
    "create_env": "pycodex_config._shell_env",
    "env_var_allowed": "pycodex_config._shell_env",
    "find_codex_home": "pycodex_config._loader",
    "legacy_permission_profile": "pycodex_config._permissions",
    "load_config": "pycodex_config._loader",
    "load_layers": "pycodex_config._loader",
    "load_mcp_servers": "pycodex_config._loader",
    "migrate_legacy": "pycodex_config._migrate",
    "overrides_document": "pycodex_config._overrides",
    "parse_cli_override": "pycodex_config._overrides",
    "profile_name_error": "pycodex_config._project",
    "protected_subpaths": "pycodex_config._sandbox_policy",
    "resolve_sandbox_policy": "pycodex_config._sandbox_policy",
    "sandbox_policy_for": "pycodex_config._build",
    "select_permissions": "pycodex_config._permissions",
    "toml_depth": "pycodex_config._layers",
}


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'pycodex_config' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *__all__])

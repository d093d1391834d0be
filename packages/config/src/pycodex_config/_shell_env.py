"""`[shell_environment_policy]`: which environment variables a spawned command sees.

Implements Codex 0.169's `create_env` (reference: codex-security §11): start from `inherit`,
drop the default secret patterns unless `ignore_default_excludes`, drop `exclude`, add `set`,
keep only `include_only` (when non-empty). Globs are case-insensitive `fnmatch` patterns.
"""

from __future__ import annotations

import fnmatch
import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal, cast

logger = logging.getLogger(__name__)

__all__ = ["ShellEnvironmentPolicy", "create_env"]

Inherit = Literal["all", "core", "none"]

_INHERIT: dict[str, Inherit] = {"all": "all", "core": "core", "none": "none"}
DEFAULT_EXCLUDES: tuple[str, ...] = ("*KEY*", "*SECRET*", "*TOKEN*")
_CORE_UNIX = ("PATH", "SHELL", "TMPDIR", "TEMP", "TMP", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "LOGNAME", "USER")
_CORE_WINDOWS_EXTRA = (
    "PATHEXT COMSPEC SYSTEMROOT SYSTEMDRIVE USERNAME USERDOMAIN USERPROFILE HOMEDRIVE HOMEPATH PROGRAMFILES "
    "PROGRAMFILES(X86) PROGRAMW6432 PROGRAMDATA LOCALAPPDATA APPDATA POWERSHELL PWSH"
).split()


@dataclass(frozen=True)
class ShellEnvironmentPolicy:
    """How the environment of commands run for the model is built (Codex 0.169 defaults)."""

    inherit: Inherit = "all"
    """Starting set: the whole parent environment, only the core variables, or nothing."""
    ignore_default_excludes: bool = True
    """When false, also drop variables whose names match `*KEY*`, `*SECRET*` or `*TOKEN*`."""
    exclude: tuple[str, ...] = ()
    """Case-insensitive glob patterns of variable names to drop."""
    set: Mapping[str, str] = field(default_factory=lambda: {})
    """Variables to add or overwrite after the excludes."""
    include_only: tuple[str, ...] = ()
    """If non-empty, keep only names matching one of these globs (applies to `set` too)."""
    experimental_use_profile: bool = False
    """Run commands through the user's shell profile (kept for compatibility)."""

    @classmethod
    def from_toml(cls, table: Mapping[str, object]) -> ShellEnvironmentPolicy:
        """Build a policy from an already validated `[shell_environment_policy]` table."""
        exclude = [str(x) for x in _list(table.get("exclude"))]
        include_only = [str(x) for x in _list(table.get("include_only"))]
        filters = table.get("filters")
        if isinstance(filters, dict):
            for pattern, mode in cast(dict[str, object], filters).items():
                (exclude if mode == "exclude" else include_only).append(pattern)
        set_table = table.get("set")
        inherit = table.get("inherit", "all")
        return cls(
            inherit=_INHERIT.get(str(inherit), "all"),
            ignore_default_excludes=bool(table.get("ignore_default_excludes", True)),
            exclude=tuple(exclude),
            set={k: str(v) for k, v in cast(dict[str, object], set_table).items()}
            if isinstance(set_table, dict)
            else {},
            include_only=tuple(include_only),
            experimental_use_profile=bool(table.get("experimental_use_profile", False)),
        )


def _list(value: object) -> list[object]:
    return list(cast(list[object], value)) if isinstance(value, list) else []


def _matches(name: str, patterns: tuple[str, ...]) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, pattern.upper()) for pattern in patterns)


def env_var_allowed(policy: ShellEnvironmentPolicy, name: str, *, drop_secrets: bool = False) -> bool:
    """Whether `policy`'s filters let an inherited variable called `name` through.

    This is the name test of `create_env` (default excludes, `exclude`, `include_only`) for a single
    variable; `set` entries are not considered. With `drop_secrets`, names matching `*KEY*`,
    `*SECRET*` or `*TOKEN*` are refused even when the policy ignores the default excludes.
    """
    if (drop_secrets or not policy.ignore_default_excludes) and _matches(name, DEFAULT_EXCLUDES):
        return False
    if policy.exclude and _matches(name, policy.exclude):
        return False
    return not policy.include_only or _matches(name, policy.include_only)


def create_env(
    policy: ShellEnvironmentPolicy,
    base_env: Mapping[str, str],
    *,
    thread_id: str | None = None,
    platform: str = sys.platform,
) -> dict[str, str]:
    """Compute the environment for a command run on the model's behalf.

    Args:
        policy: the `[shell_environment_policy]` settings.
        base_env: the parent environment (usually `os.environ`).
        thread_id: when given, `CODEX_THREAD_ID` is added last, as Codex does.
        platform: `sys.platform` value; Windows uses the longer core list and adds `PATHEXT`.

    Returns:
        A new dict; `base_env` is not modified.
    """
    windows = platform.startswith("win")
    if policy.inherit == "all":
        env = dict(base_env)
    elif policy.inherit == "core":
        core = {*_CORE_UNIX, *(_CORE_WINDOWS_EXTRA if windows else ())}
        env = {k: v for k, v in base_env.items() if k.upper() in core}
    else:
        env = {}
    env = {k: v for k, v in env.items() if env_var_allowed(policy, k)}
    env.update(policy.set)
    if policy.include_only:
        env = {k: v for k, v in env.items() if _matches(k, policy.include_only)}
    if thread_id is not None:
        env["CODEX_THREAD_ID"] = thread_id
    if windows and not any(k.upper() == "PATHEXT" for k in env):
        env["PATHEXT"] = ".COM;.EXE;.BAT;.CMD"
    return env

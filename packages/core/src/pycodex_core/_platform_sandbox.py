"""The platform sandbox step: bubblewrap / Landlock on Linux, Seatbelt on macOS, a refusal elsewhere.

The session's policy comes from the configuration (a permission profile when one is selected,
else the legacy `sandbox_mode` settings) and is resolved against the session's cwd; a different
policy handed in by core (`danger-full-access` for an approved escalation, or a turn override) is
projected the way Codex projects legacy policies. Commands are spawned as plain argv on the pty,
so Linux plans are *supervised* (no descriptors to pass, nothing to close afterwards).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from ._exec_types import ExecRequest, Refusal, SandboxDenial, SpawnPlan

if TYPE_CHECKING:
    from pycodex_config import Config, NamedPermissions
    from pycodex_protocol import ResolvedSandboxPolicy, SandboxPolicy

logger = logging.getLogger(__name__)

__all__ = ["PlatformSandbox"]

_LABELS = {"linux": "linux_seccomp", "darwin": "seatbelt"}


class PlatformSandbox:
    """`SandboxStep` that confines every command the policy restricts, or refuses it with the reason.

    Args:
        config: The session's configuration (cwd, permission profiles, `sandbox_mode`).
        platform: `sys.platform` (tests pass another).
    """

    def __init__(self, config: Config, *, platform: str = sys.platform) -> None:
        from pycodex_config import ConfigError, legacy_permission_profile, select_permissions

        self._config = config
        self._platform = platform
        self._error: str | None = None
        try:
            self._selected: NamedPermissions = select_permissions(config)
        except ConfigError as exc:  # a bad [permissions] table refuses commands, it does not stop the session
            from pycodex_config import NamedPermissions as _Named

            self._error = str(exc)
            self._selected = _Named("legacy", legacy_permission_profile(config.sandbox_policy, config.cwd))
        self.label = _LABELS.get(platform, "none")
        """`linux_seccomp`, `seatbelt` or `none`: what commands run under."""

    def _resolve(self, policy: SandboxPolicy) -> ResolvedSandboxPolicy:
        from pycodex_config import NamedPermissions, legacy_permission_profile, resolve_sandbox_policy

        cwd = self._config.cwd
        if policy == self._config.sandbox_policy:
            named = self._selected
        else:
            named = NamedPermissions("turn", legacy_permission_profile(policy, cwd))
        return resolve_sandbox_policy(named, cwd=cwd)

    def prepare(self, request: ExecRequest, policy: SandboxPolicy) -> SpawnPlan | Refusal:
        """The confined spawn plan of `request` under `policy`, or why it cannot run confined."""
        argv = request.spawn_argv if request.spawn_argv is not None else request.argv
        if policy.get("type") == "danger-full-access":
            return SpawnPlan(argv=tuple(argv), env=request.env, cwd=request.cwd)
        if self._error is not None:
            return Refusal(f"Command not run: the permission profile is invalid: {self._error}", warning=self._error)
        resolved = self._resolve(policy)
        if resolved["kind"] != "restricted":
            return SpawnPlan(argv=tuple(argv), env=request.env, cwd=request.cwd)
        if self._platform == "linux":
            return self._linux(argv, request, resolved)
        if self._platform == "darwin":
            from pycodex_sandbox_seatbelt import seatbelt_command, seatbelt_env

            wrapped = seatbelt_command(argv, resolved)
            return SpawnPlan(tuple(wrapped), seatbelt_env(request.env, resolved), request.cwd, "seatbelt")
        message = (
            f"Command not run: the `{policy.get('type')}` sandbox is not available on {self._platform} in this "
            "build of pycodex, and commands are never run unsandboxed outside `danger-full-access`."
        )
        return Refusal(message, warning=message)

    def _linux(
        self, argv: tuple[str, ...], request: ExecRequest, resolved: ResolvedSandboxPolicy
    ) -> SpawnPlan | Refusal:
        from pycodex_sandbox_linux import SandboxError, SandboxUnavailable, prepare_command

        try:
            plan = prepare_command(argv, request.cwd, dict(request.env), resolved, supervised=True)
        except SandboxUnavailable as exc:
            text = f"Command not run: {exc}"
            return Refusal(text, warning=f"The sandbox cannot run on this machine: {exc.reason}. {exc.remedy}")
        except SandboxError as exc:
            return Refusal(f"Command not run: the sandbox cannot enforce this policy: {exc}")
        return SpawnPlan(tuple(plan.argv), plan.env, Path(plan.cwd), "linux_seccomp")

    def classify_denial(self, exit_code: int, output: bytes) -> SandboxDenial | None:
        """Codex's heuristic (`is_likely_sandbox_denied`) on the command's output."""
        from pycodex_sandbox_linux import classify_denial

        denial = classify_denial(exit_code, output.decode("utf-8", "replace"), "")
        return None if denial is None else SandboxDenial("")

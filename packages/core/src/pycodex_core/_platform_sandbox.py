"""The platform sandbox step: bubblewrap / Landlock on Linux, Seatbelt on macOS, a refusal elsewhere.

The session's policy comes from the configuration (a permission profile when one is selected,
else the legacy `sandbox_mode` settings) and is resolved against the session's cwd; a different
policy handed in by core (`danger-full-access` for an approved escalation, or a turn override) is
projected the way Codex projects legacy policies. Commands are spawned as plain argv on the pty,
so Linux plans are *supervised* (nothing to close afterwards).

With `features.network_proxy` on, a profile whose network is enabled is *proxied*: the session
runs one policy proxy on 127.0.0.1 (started with the first such command, stopped with the session)
enforcing the profile's `domains`, and every proxied sandbox reaches it, and nothing else, through
one inherited socket.
"""

from __future__ import annotations

import logging
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._exec_types import ExecRequest, Refusal, SandboxDenial, SpawnPlan

if TYPE_CHECKING:
    from collections.abc import Sequence

    from pycodex_config import Config, NamedPermissions
    from pycodex_execpolicy import NetworkRule
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
        self._network_proxy = config.feature_enabled("network_proxy")
        self._proxies: dict[tuple[tuple[str, ...], tuple[str, ...], bool], tuple[Any, socket.socket]] = {}
        self._rule_domains: tuple[list[str], list[str]] = ([], [])

    def add_network_rules(self, rules: Sequence[NetworkRule]) -> None:
        """Add `.rules` `network_rule(...)` entries to the proxy's lists (allow / forbidden; deny still wins).

        A `prompt` rule is not allowed: the proxy cannot ask, so its host stays an allow-list miss.
        """
        for rule in rules:
            if rule.decision.value == "allow":
                self._rule_domains[0].append(rule.host)
            elif rule.decision.value == "forbidden":
                self._rule_domains[1].append(rule.host)

    def _resolve(self, policy: SandboxPolicy) -> ResolvedSandboxPolicy:
        from pycodex_config import NamedPermissions, legacy_permission_profile, resolve_sandbox_policy

        cwd = self._config.cwd
        if policy == self._config.sandbox_policy:
            named = self._selected
        else:
            named = NamedPermissions("turn", legacy_permission_profile(policy, cwd))
        return resolve_sandbox_policy(named, cwd=cwd, network_proxy=self._network_proxy)

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
        from pycodex_sandbox_linux import ProxyBridge, SandboxError, SandboxUnavailable, prepare_command

        try:
            bridge = ProxyBridge(self._bridge_fd(resolved)) if resolved["network"] == "proxied" else None
            plan = prepare_command(argv, request.cwd, dict(request.env), resolved, proxy=bridge, supervised=True)
        except SandboxUnavailable as exc:
            text = f"Command not run: {exc}"
            return Refusal(text, warning=f"The sandbox cannot run on this machine: {exc.reason}. {exc.remedy}")
        except SandboxError as exc:
            return Refusal(f"Command not run: the sandbox cannot enforce this policy: {exc}")
        except OSError as exc:
            return Refusal(f"Command not run: the network policy proxy could not start: {exc}")
        return SpawnPlan(tuple(plan.argv), plan.env, Path(plan.cwd), "linux_seccomp", tuple(plan.pass_fds))

    def _bridge_fd(self, resolved: ResolvedSandboxPolicy) -> int:
        """The sandboxes' end of the bridge to the proxy for these domain rules, started on first use.

        One proxy per set of rules (normally one for the session: its profile's).
        """
        settings = resolved.get("proxy") or {"allowed_domains": [], "denied_domains": [], "allow_local_binding": False}
        allowed = (*settings["allowed_domains"], *self._rule_domains[0])
        denied = (*settings["denied_domains"], *self._rule_domains[1])
        key = (allowed, denied, settings["allow_local_binding"])
        if key not in self._proxies:
            from pycodex_proxy import DomainPolicy, ProxyServer

            proxy = ProxyServer(DomainPolicy(allowed, denied, key[2])).start()
            self._proxies[key] = (proxy, proxy.bridge_socket())
            logger.info("network policy proxy on %s for this session", proxy.url)
        return self._proxies[key][1].fileno()

    def close(self) -> None:
        """Stop the session's network policy proxies, if any were started."""
        for proxy, bridge in self._proxies.values():
            bridge.close()
            proxy.close()
        self._proxies.clear()

    def classify_denial(self, exit_code: int, output: bytes) -> SandboxDenial | None:
        """Codex's heuristic (`is_likely_sandbox_denied`) on the command's output."""
        from pycodex_sandbox_linux import classify_denial

        denial = classify_denial(exit_code, output.decode("utf-8", "replace"), "")
        return None if denial is None else SandboxDenial("")

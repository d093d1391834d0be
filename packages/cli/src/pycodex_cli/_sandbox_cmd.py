"""`codex sandbox [-P PROFILE] [-p CONFIG_PROFILE] [-C DIR] [--sandbox-state-json JSON] -- CMD...`.

Runs one command under the sandbox the effective configuration selects, as Codex 0.169 does;
`codex sandbox linux|macos|windows -- CMD` are accepted as older spellings. The command inherits
stdin, stdout and stderr and nothing else: every other descriptor is closed first. The exit status
is the command's (128 + N when signal N ended it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from pycodex_protocol import ResolvedSandboxPolicy

_ALIASES = {"linux": "linux", "macos": "darwin", "seatbelt": "darwin", "windows": "win32"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="codex sandbox", description="Run a command inside the Codex sandbox")
    p.add_argument("-c", "--config", action="append", default=[], metavar="key=value")
    p.add_argument("--enable", action="append", default=[], metavar="FEATURE")
    p.add_argument("--disable", action="append", default=[], metavar="FEATURE")
    p.add_argument("-P", "--permission-profile", metavar="NAME", help="Named permissions profile to apply")
    p.add_argument("-p", "--profile", metavar="CONFIG_PROFILE", help="Layer $CODEX_HOME/<name>.config.toml")
    p.add_argument("-C", "--cd", metavar="DIR", help="Working directory for the profile and the command")
    p.add_argument("--sandbox-state-json", metavar="JSON", help="A sandbox or permission policy to apply as is")
    p.add_argument("--sandbox-state-readable-root", action="append", default=[], metavar="DIR")
    p.add_argument("--sandbox-state-disable-network", action="store_true")
    p.add_argument("--include-managed-config", action="store_true", help="Also read managed config (accepted)")
    p.add_argument("--full-auto", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("command", nargs=argparse.REMAINDER)
    return p


def _state_policy(text: str, cwd: Path, ns: argparse.Namespace) -> ResolvedSandboxPolicy:
    from pycodex_config import NamedPermissions, legacy_permission_profile, resolve_sandbox_policy

    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"--sandbox-state-json: invalid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise ValueError("--sandbox-state-json must be a JSON object")
    state = cast(dict[str, Any], value)
    state = cast(dict[str, Any], state.get("permissionProfile") or state.get("sandboxPolicy") or state)
    from pydantic import ValidationError

    from pycodex_protocol.schema import (
        permission_profile_adapter,
        resolved_sandbox_policy_adapter,
        sandbox_policy_adapter,
    )

    if "kind" in state:
        try:
            policy = resolved_sandbox_policy_adapter().validate_python(state)
        except ValidationError as exc:
            raise ValueError(f"--sandbox-state-json: not a sandbox policy: {exc.errors()[0]['msg']}") from None
    else:
        kind = state.get("type")
        if kind in ("read-only", "workspace-write", "danger-full-access", "external-sandbox"):
            defaults = {"writable_roots": [], "network_access": False}
            defaults |= {"exclude_tmpdir_env_var": False, "exclude_slash_tmp": False}
            legacy = {**defaults, **state} if kind == "workspace-write" else state
            try:
                checked = sandbox_policy_adapter().validate_python(legacy)
            except ValidationError as exc:
                raise ValueError(f"--sandbox-state-json: not a sandbox policy: {exc.errors()[0]['msg']}") from None
            state = dict(legacy_permission_profile(checked, cwd))
        elif kind not in ("managed", "disabled", "external"):
            raise ValueError(f"--sandbox-state-json: unknown policy type {kind!r}")
        try:
            state = dict(permission_profile_adapter().validate_python(state))
        except ValidationError as exc:
            raise ValueError(f"--sandbox-state-json: not a permission profile: {exc.errors()[0]['msg']}") from None
        policy = resolve_sandbox_policy(NamedPermissions("state", cast(Any, state)), cwd=cwd)
    if ns.sandbox_state_disable_network:
        policy["network"] = "off"
    if ns.sandbox_state_readable_root and not policy["full_read"]:
        policy["readable_roots"] = [*policy["readable_roots"], *ns.sandbox_state_readable_root]
    return policy


def _config_policy(ns: argparse.Namespace) -> tuple[ResolvedSandboxPolicy, Path, Any]:
    from pycodex_config import load_config, resolve_sandbox_policy, select_permissions

    cwd = Path(ns.cd or os.getcwd()).resolve()
    overrides = list(ns.config)
    if ns.full_auto:
        overrides.append('sandbox_mode="workspace-write"')
    config = load_config(cwd=cwd, overrides=overrides, profile=ns.profile, enable=ns.enable, disable=ns.disable)
    selected = select_permissions(config, ns.permission_profile, sandbox_flag=ns.full_auto)
    policy = resolve_sandbox_policy(selected, cwd=config.cwd, network_proxy=config.feature_enabled("network_proxy"))
    return policy, config.cwd, config


def _uninstall_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="codex sandbox uninstall",
        description="Remove the legacy Windows sandbox's machine-wide accounts and network rules",
    )
    for flags in (("-c", "--config"), ("--enable",), ("--disable",)):
        p.add_argument(*flags, action="append", default=[])
    return p


def parse_args(argv: list[str]) -> tuple[str, argparse.Namespace]:
    """The platform (from a `linux|macos|windows` word, else this one) and the parsed options.

    `uninstall` parses as its own command; its platform is `uninstall`.
    """
    platform_name = sys.platform
    rest = list(argv)
    head = rest[: rest.index("--")] if "--" in rest else rest
    if "uninstall" in head:
        rest.remove("uninstall")
        # The group's own options may come before the subcommand, as clap allows; they do nothing here.
        return "uninstall", _uninstall_parser().parse_known_args(rest)[0]
    word = next((i for i, arg in enumerate(rest) if not arg.startswith("-")), None)
    if word is not None and "--" not in rest[:word] and rest[word] in _ALIASES:
        platform_name = _ALIASES[rest.pop(word)]
    return platform_name, _parser().parse_args(rest)


def main(argv: list[str]) -> int:
    """Run `codex sandbox ARGV` (the root's `-c/--enable/--disable` come first) and return the exit status."""
    platform_name, ns = parse_args(argv)
    if platform_name == "uninstall":
        # Only the Windows sandbox of Codex leaves machine-wide state; pycodex never creates any.
        sys.stderr.write("Nothing to uninstall: pycodex creates no machine-wide sandbox accounts or rules.\n")
        return 0
    command = ns.command[1:] if ns.command[:1] == ["--"] else ns.command
    if not command:
        sys.stderr.write("codex sandbox: no command given (usage: codex sandbox [OPTIONS] -- CMD...)\n")
        return 2
    if platform_name != sys.platform:
        sys.stderr.write(f"codex sandbox: the {platform_name} sandbox does not run on {sys.platform}\n")
        return 1
    from pycodex_config import ConfigError, create_env

    try:
        policy, cwd, config = _config_policy(ns)
        if ns.sandbox_state_json:
            policy = _state_policy(ns.sandbox_state_json, cwd, ns)
    except (ConfigError, ValueError) as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    env = create_env(config.shell_environment_policy, os.environ)
    return run_sandboxed(command, cwd, env, policy)


def run_sandboxed(command: list[str], cwd: Path, env: dict[str, str], policy: ResolvedSandboxPolicy) -> int:
    """Spawn `command` under `policy` for this platform, wait for it, and return its exit status."""
    if sys.platform != "linux" and policy["kind"] == "restricted":
        sys.stderr.write(f"codex sandbox: no sandbox for {sys.platform} in this build; command not run\n")
        return 1
    from pycodex_sandbox_linux import ProxyBridge, SandboxError, prepare_command

    with contextlib.ExitStack() as stack:
        bridge = None
        settings = policy.get("proxy")
        if policy["network"] == "proxied" and settings is not None:
            from pycodex_proxy import DomainPolicy, ProxyServer

            domains = DomainPolicy(
                settings["allowed_domains"], settings["denied_domains"], settings["allow_local_binding"]
            )
            proxy = stack.enter_context(ProxyServer(domains))
            bridge = ProxyBridge(stack.enter_context(proxy.bridge_socket()).fileno())
        try:
            plan = stack.enter_context(prepare_command(command, cwd, env, policy, proxy=bridge))
        except SandboxError as exc:
            sys.stderr.write(f"codex sandbox: {exc}\n")
            return 1
        return _wait(plan.argv, plan.env, plan.cwd, plan.pass_fds)


def _wait(argv: list[str], env: dict[str, str], cwd: str, pass_fds: tuple[int, ...]) -> int:
    try:
        child = subprocess.Popen(argv, env=env, cwd=cwd, pass_fds=pass_fds, close_fds=True)
    except OSError as exc:
        sys.stderr.write(f"codex sandbox: {argv[0]}: {exc.strerror}\n")
        return 127
    previous = {s: signal.signal(s, lambda n, _f: child.send_signal(n)) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        code = child.wait()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 - code if code < 0 else code


def doctor_checks() -> list[tuple[str, str, str]]:
    """`codex doctor` lines: the sandbox layer in use, and each layer with why it works or not."""
    if sys.platform != "linux":
        return [("sandbox", "warn", f"no sandbox for {sys.platform} in this build: restricted commands are refused")]
    from pycodex_sandbox_linux import diagnose

    found = diagnose()
    status = "ok" if found.chosen == "bubblewrap" else "warn" if found.chosen else "fail"
    lines = [("sandbox", status, found.summary())]
    for check in found.checks:
        lines.append((f"sandbox {check.name}", "ok" if check.ok else "warn", check.detail))
    return lines

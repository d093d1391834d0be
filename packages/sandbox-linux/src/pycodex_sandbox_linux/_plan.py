"""`prepare_command`: turn a command and a `ResolvedSandboxPolicy` into what to spawn.

The caller spawns `plan.argv` with `plan.env` in `plan.cwd`, passing `plan.pass_fds` and closing
every other descriptor (`close_fds=True`, the default of `subprocess` and `anyio.open_process`),
then calls `plan.close()` once the process has exited (or uses the plan as a context manager):

```python
with prepare_command(["make"], cwd, os.environ, policy) as plan:
    subprocess.run(plan.argv, env=plan.env, cwd=plan.cwd, pass_fds=plan.pass_fds)
```
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Literal, TypeAlias

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_linux import _seccomp
from pycodex_sandbox_linux._bwrap import build_bwrap_args
from pycodex_sandbox_linux._diagnose import REMEDY, diagnose
from pycodex_sandbox_linux._landlock import landlock_spec
from pycodex_sandbox_linux._synthetic import SyntheticTargets, registry_dir
from pycodex_sandbox_linux.errors import SandboxSetupError, SandboxUnavailable

logger = logging.getLogger(__name__)

__all__ = ["PROXY_PORT", "LayerChoice", "ProxyBridge", "SpawnPlan", "prepare_command"]

LayerChoice: TypeAlias = Literal["auto", "bubblewrap", "landlock"]
"""Which layer to use; `auto` takes the best that works here."""

LAUNCHER = Path(__file__).with_name("_launcher.py")
FORWARDER = Path(__file__).with_name("_forwarder.py")
SUPERVISOR = Path(__file__).with_name("_supervisor.py")
PROXY_PORT = 3128
"""Where the proxy appears inside a proxied sandbox (`HTTP_PROXY=http://127.0.0.1:3128`)."""


@dataclass(frozen=True)
class ProxyBridge:
    """How a proxied sandbox reaches the policy proxy: a UNIX socket that takes connection descriptors."""

    fd: int
    """The sandbox's end of the socket pair (see `pycodex_proxy.ProxyServer.bridge_socket`)."""


@dataclass
class SpawnPlan:
    """What to spawn for one sandboxed command; `close()` it after the command has exited."""

    argv: list[str]
    """The full command line (the sandbox wrapper, then the command)."""
    env: dict[str, str]
    """Environment of the process."""
    cwd: str
    """Directory to start in."""
    pass_fds: tuple[int, ...] = ()
    """Descriptors the wrapper needs (the seccomp program); every other one must be closed."""
    layer: Literal["bubblewrap", "landlock", "none"] = "none"
    """The layer that confines the command (`none` only for unrestricted policies)."""
    _fds: list[int] = field(default_factory=lambda: [], repr=False)
    _targets: SyntheticTargets | None = field(default=None, repr=False)

    def close(self, *, wait: bool = True) -> None:
        """Close the plan's descriptors and remove the mount points no other sandbox still needs.

        Removing a mount point waits for the kernel to tear the sandbox's mount namespace down
        (tens of milliseconds); with `wait=False` that happens in a background thread.
        """
        for fd in self._fds:
            try:
                os.close(fd)
            except OSError:
                logger.debug("descriptor %d already closed", fd)
        self._fds = []
        if self._targets is not None:
            targets, self._targets = self._targets, None
            if wait:
                targets.release()
            else:
                threading.Thread(target=targets.release, name="pycodex-sandbox-cleanup", daemon=True).start()

    def __enter__(self) -> SpawnPlan:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _memfd(data: bytes) -> int:
    if sys.platform == "linux":
        fd = os.memfd_create("pycodex-sandbox", 0)
        os.write(fd, data)
        os.lseek(fd, 0, os.SEEK_SET)
    else:
        fd = _pipe_fd(data)
    os.set_inheritable(fd, True)
    return fd


def _pipe_fd(data: bytes) -> int:
    read, write = os.pipe()
    os.write(write, data)
    os.close(write)
    return read


def _sandbox_env(env: Mapping[str, str], policy: ResolvedSandboxPolicy) -> dict[str, str]:
    out = dict(env)
    if policy["network"] != "on":
        out["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    else:
        out.pop("CODEX_SANDBOX_NETWORK_DISABLED", None)
    return out


def _proxy_env(env: dict[str, str]) -> dict[str, str]:
    url = f"http://127.0.0.1:{PROXY_PORT}"
    out = {k: v for k, v in env.items() if k.lower() != "no_proxy"}
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        out[name] = out[name.lower()] = url
    return out


def _maybe_synthetic(path: str) -> bool:
    """Missing, or an empty directory (maybe another sandbox's mount point, being removed right now)."""
    try:
        return not os.path.lexists(path) or (os.path.isdir(path) and not os.path.islink(path) and not os.listdir(path))
    except OSError:
        return True


def _bwrap_plan(
    argv: Sequence[str],
    cwd: Path,
    env: dict[str, str],
    policy: ResolvedSandboxPolicy,
    bwrap: str,
    proxy: ProxyBridge | None = None,
    supervised: bool = False,
) -> SpawnPlan:
    protected = [p for root in policy["writable_roots"] for p in root["read_only_subpaths"]]
    candidates = [p for p in protected if _maybe_synthetic(p)]
    # Lock first: a finishing sandbox may be removing one of these right now.
    targets = SyntheticTargets(candidates) if candidates and not supervised else None
    try:
        command = build_bwrap_args(policy, cwd)
    except BaseException:
        if targets is not None:
            targets.release()
        raise
    if targets is not None:
        targets.mark_created(command.synthetic)
    args = command.args
    registry = registry_dir()
    if any(str(registry).startswith(r["root"].rstrip("/") + "/") for r in policy["writable_roots"]):
        registry.mkdir(mode=0o700, parents=True, exist_ok=True)
        args += ["--ro-bind", str(registry), str(registry)]
    # bubblewrap starts outside the sandbox: the dynamic loader's variables must not reach it.
    loader_vars = {k: v for k, v in env.items() if k.startswith("LD_")}
    for name, value in loader_vars.items():
        args += ["--setenv", name, value]
    clean_env = {k: v for k, v in env.items() if k not in loader_vars}
    bpf = _seccomp.program(policy["network"])
    pass_fds: tuple[int, ...] = ()
    if policy["network"] == "proxied":
        if proxy is None:
            raise SandboxSetupError("the proxied network needs a running policy proxy (none was given)")
        os.set_inheritable(proxy.fd, True)
        argv = [sys.executable, "-I", "-S", str(FORWARDER), str(proxy.fd), str(PROXY_PORT), "--", *argv]
        clean_env = _proxy_env(clean_env)
        pass_fds += (proxy.fd,)
    if supervised:
        spec: dict[str, object] = {"registry": str(registry), "locks": candidates, "created": command.synthetic}
        spec |= {"bpf": bpf.hex(), "keep_fds": list(pass_fds)}
        head = [sys.executable, "-I", "-S", str(SUPERVISOR), json.dumps(spec, separators=(",", ":")), "--"]
        return SpawnPlan([*head, bwrap, *args, "--", *argv], clean_env, str(cwd), pass_fds, "bubblewrap")
    fd = _memfd(bpf)
    full = [bwrap, *args, "--seccomp", str(fd), "--", *argv]
    return SpawnPlan(full, clean_env, str(cwd), (fd, *pass_fds), "bubblewrap", [fd], targets)


def _landlock_plan(
    argv: Sequence[str], cwd: Path, env: dict[str, str], policy: ResolvedSandboxPolicy, abi: int, supervised: bool
) -> SpawnPlan:
    spec = landlock_spec(policy, cwd, abi)
    spec["bpf"] = _seccomp.program(policy["network"], fallback=True).hex()
    # The launcher runs before any confinement: the loader's variables are set only for the command.
    spec["env"] = {k: v for k, v in env.items() if k.startswith("LD_")}
    env = {k: v for k, v in env.items() if not k.startswith("LD_")}
    text = json.dumps(spec, separators=(",", ":"))
    if supervised:  # no descriptors may be passed: the spec travels in argv (up to 128 KiB)
        if len(text) > 120_000:
            raise SandboxSetupError("too many entries in a writable root for the Landlock fallback")
        launcher = [sys.executable, "-I", "-S", str(LAUNCHER), text, "--"]
        return SpawnPlan([*launcher, *argv], env, str(cwd), (), "landlock")
    # Through a descriptor, not argv: a root with many entries would pass the 128 KiB argument limit.
    fd = _memfd(text.encode())
    launcher = [sys.executable, "-I", "-S", str(LAUNCHER), f"fd:{fd}", "--"]
    return SpawnPlan([*launcher, *argv], env, str(cwd), (fd,), "landlock", [fd])


def prepare_command(
    argv: Sequence[str],
    cwd: Path,
    env: Mapping[str, str],
    policy: ResolvedSandboxPolicy,
    *,
    layer: LayerChoice = "auto",
    search_path: str | None = None,
    proxy: ProxyBridge | None = None,
    supervised: bool = False,
) -> SpawnPlan:
    """Wrap `argv` so that it runs confined by `policy`.

    Args:
        argv: The command and its arguments.
        cwd: Where it starts (absolute).
        env: Its environment (the sandbox adds `CODEX_SANDBOX_NETWORK_DISABLED=1` when the network is off).
        policy: The resolved policy; `unrestricted` and `external` run the command as it is.
        layer: Force a layer instead of the best available one.
        search_path: The `PATH` on which to look for `bwrap` (default `$PATH`).
        proxy: The bridge to the policy proxy, required when the policy's network is `proxied`.
        supervised: Return a plain argv that needs no descriptors and no `close()` (a small
            supervisor process holds the mount-point locks and cleans up): for spawners such as
            a pty that cannot pass descriptors or report the exit.

    Raises:
        SandboxUnavailable: no layer works here (the message carries the remedy).
        SandboxSetupError: the layer cannot enforce this policy (e.g. a protected path is a symlink).
    """
    if not argv:
        raise SandboxSetupError("empty command")
    if policy["kind"] != "restricted":
        return SpawnPlan(list(argv), dict(env), str(cwd))
    found = diagnose(search_path, cwd)
    sandbox_env = _sandbox_env(env, policy)
    use_bwrap = found.chosen == "bubblewrap" and layer in ("auto", "bubblewrap")
    if use_bwrap and found.bwrap is not None:
        return _bwrap_plan(argv, cwd, sandbox_env, policy, found.bwrap, proxy, supervised)
    if layer == "bubblewrap":
        raise SandboxUnavailable(f"bubblewrap cannot run here ({found.summary()})", remedy=REMEDY)
    if found.landlock_abi > 0 and any(c.name == "seccomp" and c.ok for c in found.checks):
        return _landlock_plan(argv, cwd, sandbox_env, policy, found.landlock_abi, supervised)
    raise SandboxUnavailable(f"no sandbox layer works on this machine ({found.summary()})", remedy=REMEDY)

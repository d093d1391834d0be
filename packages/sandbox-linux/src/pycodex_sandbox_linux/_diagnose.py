"""Which sandbox layers work on this machine, which one is used, and why not the others."""

from __future__ import annotations

import functools
import logging
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, TypeAlias

from pycodex_sandbox_linux._bwrap import find_bwrap, probe_args
from pycodex_sandbox_linux._landlock import landlock_abi

logger = logging.getLogger(__name__)

__all__ = ["LayerName", "LayerStatus", "SandboxDiagnosis", "diagnose"]

LayerName: TypeAlias = Literal["bubblewrap", "landlock"]
"""The two ways commands are confined on Linux, in order of preference."""

REMEDY = (
    "Install bubblewrap (`apt-get install bubblewrap`) and allow unprivileged user namespaces "
    "(`sysctl kernel.unprivileged_userns_clone=1`, or the AppArmor `userns` permission on Ubuntu), or use a "
    "kernel with Landlock (5.13+, `lsm=landlock,...`); otherwise run with `--sandbox danger-full-access` "
    "inside an outer sandbox you trust"
)


@dataclass(frozen=True)
class LayerStatus:
    """One check of `diagnose`."""

    name: str
    """`bubblewrap`, `user namespaces`, `seccomp`, `landlock`, `no_new_privs`."""
    ok: bool
    """The layer works here."""
    detail: str
    """What was found, or why it does not work."""


@dataclass(frozen=True)
class SandboxDiagnosis:
    """Result of `diagnose`."""

    checks: tuple[LayerStatus, ...]
    """Every check, in order."""
    chosen: LayerName | None
    """The layer commands use: bubblewrap + seccomp, else Landlock + seccomp, else none (refused)."""
    bwrap: str | None
    """Path of the bubblewrap in use."""
    landlock_abi: int
    """Landlock ABI version (0: none)."""

    def summary(self) -> str:
        """One line: what is used, and why not the preferred layer when it is not."""
        if self.chosen == "bubblewrap":
            return f"bubblewrap ({self.bwrap}) + seccomp; Landlock ABI {self.landlock_abi} as fallback"
        reasons = "; ".join(f"{c.name}: {c.detail}" for c in self.checks if not c.ok)
        if self.chosen == "landlock":
            return f"Landlock ABI {self.landlock_abi} + seccomp (bubblewrap unusable: {reasons})"
        return f"no sandbox layer works ({reasons}); sandboxed commands are refused"


def _seccomp_available() -> tuple[bool, str]:
    try:
        status = Path("/proc/self/status").read_text(encoding="utf-8")
    except OSError as exc:
        return False, f"cannot read /proc/self/status: {exc.strerror}"
    if "Seccomp:" not in status:
        return False, "the kernel was built without seccomp"
    try:
        actions = Path("/proc/sys/kernel/seccomp/actions_avail").read_text(encoding="utf-8").split()
    except OSError:
        actions = []
    if actions and "errno" not in actions:
        return False, f"seccomp lacks the errno action ({' '.join(actions)})"
    return True, "filter mode with errno" if actions else "available"


def _probe_bwrap(bwrap: str) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            list(probe_args(bwrap)),
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=10,
            errors="replace",
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return False, f"{bwrap} did not run: {exc}"
    if done.returncode == 0:
        return True, "user, pid and network namespaces can be created"
    return False, (done.stderr.strip().splitlines() or [f"exit status {done.returncode}"])[-1]


@functools.cache
def _cached(bwrap: str | None, cwd: str) -> SandboxDiagnosis:
    checks: list[LayerStatus] = []
    if bwrap:
        checks.append(LayerStatus("bubblewrap", True, bwrap))
        ns_ok, ns_detail = _probe_bwrap(bwrap)
        checks.append(LayerStatus("user namespaces", ns_ok, ns_detail))
    else:
        why = "no `bwrap` on PATH (outside the working directory)"
        if os.environ.get("PYCODEX_BWRAP") is not None:
            why = f"$PYCODEX_BWRAP is {os.environ['PYCODEX_BWRAP']!r}, not an executable (bubblewrap disabled)"
        checks.append(LayerStatus("bubblewrap", False, why))
        ns_ok = False
    sc_ok, sc_detail = _seccomp_available()
    checks.append(LayerStatus("seccomp", sc_ok, sc_detail))
    abi = landlock_abi() if sys.platform == "linux" else 0
    detail = f"ABI {abi}" if abi else "not available (kernel < 5.13, or not in the `lsm=` list)"
    checks.append(LayerStatus("landlock", abi > 0, detail))
    chosen: LayerName | None = None
    if bwrap and ns_ok and sc_ok:
        chosen = "bubblewrap"
    elif abi > 0 and sc_ok:
        chosen = "landlock"
    return SandboxDiagnosis(checks=tuple(checks), chosen=chosen, bwrap=bwrap if chosen else None, landlock_abi=abi)


def diagnose(path: str | None = None, cwd: Path | None = None, *, fresh: bool = False) -> SandboxDiagnosis:
    """Check every layer (bubblewrap and namespaces, seccomp, Landlock) and pick the one to use.

    Args:
        path: The `PATH` to look for `bwrap` on (default `$PATH`).
        cwd: A working directory whose `bwrap` must not be used.
        fresh: Run the checks again instead of reusing the last result for the same inputs.
    """
    if fresh:
        _cached.cache_clear()
    bwrap = find_bwrap(path, cwd)
    return _cached(bwrap, os.fspath(cwd or ""))

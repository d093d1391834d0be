"""Was a failed sandboxed command stopped by the sandbox? Codex's heuristic, plus the kind of denial.

Codex 0.169 (`is_likely_sandbox_denied`): a zero exit is never a denial; one of its keywords in
stdout or stderr is; otherwise exit codes 2, 126 and 127 are ordinary failures, and 128 + SIGSYS
is a seccomp kill. pycodex adds the kind (`network` or `filesystem`), so the model can be told
what was blocked, and recognises the network errors a namespace without routes produces.
"""

from __future__ import annotations

import logging
import signal
from dataclasses import dataclass
from typing import Literal, TypeAlias

logger = logging.getLogger(__name__)

__all__ = ["Denial", "DenialKind", "classify_denial"]

DenialKind: TypeAlias = Literal["filesystem", "network", "unknown"]
"""What the sandbox most likely refused."""

SANDBOX_DENIED_KEYWORDS = (
    "operation not permitted",
    "permission denied",
    "read-only file system",
    "seccomp",
    "sandbox",
    "landlock",
    "failed to write file",
)
"""Codex 0.169's keywords, matched case-insensitively."""

_NETWORK_HINTS = (
    "network is unreachable",
    "could not resolve host",
    "temporary failure in name resolution",
    "name or service not known",
    "failed to establish a new connection",
    "connection refused",
    "no address associated with hostname",
    "socket",
    "connect",
    "curl:",
    "wget:",
    "getaddrinfo",
)
_FS_HINTS = ("read-only file system", "failed to write file", "cannot create", "cannot touch", "cannot remove")
_QUICK_REJECT = (2, 126, 127)


@dataclass(frozen=True)
class Denial:
    """A failure that the sandbox most likely caused."""

    kind: DenialKind
    """`network`, `filesystem`, or `unknown` (e.g. a seccomp kill)."""
    evidence: str
    """The output line (or exit status) that gave it away."""


def _first_line_with(text: str, needles: tuple[str, ...]) -> str | None:
    for line in text.splitlines():
        lower = line.lower()
        if any(n in lower for n in needles):
            return line.strip()[:300]
    return None


def classify_denial(exit_code: int, stdout: str, stderr: str, *, network_restricted: bool = True) -> Denial | None:
    """Classify the result of a sandboxed command; `None` when it failed (or not) on its own.

    Args:
        exit_code: Exit status (negative for a signal, as `subprocess` reports it).
        stdout: Its standard output (decoded).
        stderr: Its standard error (decoded).
        network_restricted: The network was off or proxied, so network errors point at the sandbox.
    """
    if exit_code == 0:
        return None
    text = f"{stderr}\n{stdout}"
    line = _first_line_with(text, SANDBOX_DENIED_KEYWORDS)
    net_line = _first_line_with(text, _NETWORK_HINTS) if network_restricted else None
    if line is not None:
        lower = line.lower()
        if _first_line_with(line, _FS_HINTS) is None and net_line is not None and net_line == line:
            return Denial("network", line)
        if any(h in lower for h in ("socket", "connect", "network")) and network_restricted:
            return Denial("network", line)
        return Denial("filesystem", line)
    strong_net = ("network is unreachable", "could not resolve host", "temporary failure in name resolution")
    strong = _first_line_with(text, strong_net) if network_restricted else None
    if strong is not None:
        return Denial("network", strong)
    if exit_code in _QUICK_REJECT:
        return None
    if exit_code in (128 + signal.SIGSYS, -signal.SIGSYS):
        return Denial("unknown", f"killed by SIGSYS (exit status {exit_code})")
    return None

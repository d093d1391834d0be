"""Domain decisions of the policy proxy, after Codex 0.169's network proxy.

The allow-list comes first (an empty one blocks everything), a deny entry always wins, and a
destination on a loopback, private or link-local address is refused unless `allow_local_binding`
is set or the address itself is allow-listed. Patterns: `example.com` (that host only),
`*.example.com` (its sub-domains only), `**.example.com` (the host and its sub-domains).
"""

from __future__ import annotations

import ipaddress
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, TypeAlias

logger = logging.getLogger(__name__)

__all__ = ["BlockReason", "Decision", "DomainPolicy", "normalize_host"]

BlockReason: TypeAlias = Literal[
    "blocked-by-allowlist", "blocked-by-denylist", "blocked-by-policy", "blocked-by-method-policy"
]
"""The `x-proxy-error` value of a refused request."""


def normalize_host(host: str) -> str:
    """Lower-case, without brackets, a port or trailing dots."""
    host = host.strip().lower()
    if host.startswith("["):
        host = host[1:].split("]", 1)[0]
    elif host.count(":") == 1:
        host = host.split(":", 1)[0]
    return host.rstrip(".")


def _matches(host: str, pattern: str) -> bool:
    pattern = normalize_host(pattern)
    if pattern.startswith("**."):
        base = pattern[3:]
        return host == base or host.endswith("." + base)
    if pattern.startswith("*."):
        return host.endswith(pattern[1:])
    return host == pattern


def _is_local(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_private or ip.is_link_local or ip.is_unspecified or ip.is_multicast


@dataclass(frozen=True)
class Decision:
    """One decision, as logged."""

    host: str
    """The requested host (normalised)."""
    port: int
    """The requested port."""
    allowed: bool
    """Whether the request goes through."""
    reason: str
    """`allowed`, or a `BlockReason`."""
    method: str = "CONNECT"
    """HTTP method (`CONNECT` for tunnels)."""


@dataclass(frozen=True)
class DomainPolicy:
    """Allow and deny lists of a permission profile's `[network]` table."""

    allowed: Sequence[str] = ()
    """Allowed host patterns."""
    denied: Sequence[str] = ()
    """Denied host patterns (deny wins)."""
    allow_local_binding: bool = False
    """Allow destinations on loopback and private addresses."""
    limited: bool = False
    """`mode = "limited"`: only GET, HEAD and OPTIONS (and no CONNECT)."""

    def decide_host(self, host: str, port: int, method: str = "CONNECT") -> Decision:
        """Decide by name alone (before resolution)."""
        name = normalize_host(host)
        if any(_matches(name, p) for p in self.denied):
            return Decision(name, port, False, "blocked-by-denylist", method)
        if not any(_matches(name, p) for p in self.allowed):
            return Decision(name, port, False, "blocked-by-allowlist", method)
        if self.limited and method.upper() not in ("GET", "HEAD", "OPTIONS"):
            return Decision(name, port, False, "blocked-by-method-policy", method)
        return Decision(name, port, True, "allowed", method)

    def decide_address(self, decision: Decision, address: str) -> Decision:
        """Refuse an allowed name that resolved to a local address (unless that is permitted)."""
        if not decision.allowed or not _is_local(address) or self.allow_local_binding:
            return decision
        if any(_matches(address, p) for p in self.allowed):
            return decision
        return Decision(decision.host, decision.port, False, "blocked-by-policy", decision.method)

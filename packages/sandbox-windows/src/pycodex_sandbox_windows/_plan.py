"""The Windows sandbox plan (Codex 0.169's unelevated restricted-token design), as pure functions.

A command runs with a restricted token: `CreateRestrictedToken(base, DISABLE_MAX_PRIVILEGE |
LUA_TOKEN | WRITE_RESTRICTED, restricting SIDs = [one capability SID per writable root, the logon
SID, Everyone])`, keeping only `SeChangeNotifyPrivilege`. With `WRITE_RESTRICTED`, a write succeeds
only where an ACE grants it to one of the restricting SIDs, so each writable root gets an
inheritable allow-write ACE for its capability SID, and each existing read-only sub-path a deny
ACE for the same SID. What this design cannot enforce (denied reads, protected names that do not
exist yet, network) is listed in `unenforceable`; a plan with entries there is refused unless the
caller accepts them explicitly.
"""

from __future__ import annotations

import hashlib
import logging
import ntpath
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

from pycodex_protocol import ResolvedSandboxPolicy

logger = logging.getLogger(__name__)

__all__ = [
    "EVERYONE_SID",
    "AceChange",
    "TokenSpec",
    "WindowsSandboxPlan",
    "capability_sid",
    "plan_sandbox",
]

EVERYONE_SID = "S-1-1-0"
LOGON_SID = "<logon-sid>"
"""Placeholder for the session's logon SID, looked up from the base token when the plan runs."""

DISABLE_MAX_PRIVILEGE = 0x1
WRITE_RESTRICTED = 0x8
LUA_TOKEN = 0x4
FILE_GENERIC_WRITE = 0x00120116
DELETE = 0x00010000
FILE_DELETE_CHILD = 0x00000040
WRITE_MASK = FILE_GENERIC_WRITE | DELETE | FILE_DELETE_CHILD
"""What "write" means on a writable root: create, modify, delete, rename."""
OBJECT_INHERIT_ACE = 0x1
CONTAINER_INHERIT_ACE = 0x2


def capability_sid(root: str) -> str:
    """A stable capability SID (`S-1-15-3-1024-...`) for one writable root (case-insensitive path)."""
    digest = hashlib.sha256(ntpath.normcase(ntpath.normpath(root)).encode("utf-16-le")).digest()
    parts = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 32, 4)]
    return "S-1-15-3-1024-" + "-".join(str(p) for p in parts)


@dataclass(frozen=True)
class AceChange:
    """One ACE to add to a path's DACL for the sandbox's lifetime."""

    path: str
    """Absolute Windows path."""
    sid: str
    """Trustee."""
    kind: Literal["allow", "deny"]
    """ACE type."""
    mask: int
    """Access mask."""
    flags: int = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE
    """Inheritance flags."""


@dataclass(frozen=True)
class TokenSpec:
    """Arguments of `CreateRestrictedToken`."""

    flags: int
    """`DISABLE_MAX_PRIVILEGE | LUA_TOKEN | WRITE_RESTRICTED`."""
    restricting_sids: tuple[str, ...]
    """Capability SIDs, the logon SID placeholder, Everyone."""
    kept_privileges: tuple[str, ...] = ("SeChangeNotifyPrivilege",)
    """The only privilege left enabled."""


@dataclass(frozen=True)
class WindowsSandboxPlan:
    """Everything needed to run one command in the Windows sandbox."""

    token: TokenSpec | None
    """`None` when the policy needs no sandbox."""
    aces: tuple[AceChange, ...] = ()
    """ACL changes, applied before the command starts and removed after."""
    env: dict[str, str] = field(default_factory=lambda: {})
    """Environment of the command."""
    unenforceable: tuple[str, ...] = ()
    """Restrictions of the policy this plan cannot enforce (the command is refused while non-empty)."""


def plan_sandbox(
    policy: ResolvedSandboxPolicy, env: dict[str, str], *, exists: Callable[[str], bool] = ntpath.exists
) -> WindowsSandboxPlan:
    """Compute the token, the ACEs and the gaps for `policy` (no system calls; `exists` is injectable)."""
    if policy["kind"] != "restricted":
        return WindowsSandboxPlan(token=None, env=dict(env))
    gaps: list[str] = []
    aces: list[AceChange] = []
    sids: list[str] = []
    for root in policy["writable_roots"]:
        sid = capability_sid(root["root"])
        sids.append(sid)
        aces.append(AceChange(root["root"], sid, "allow", WRITE_MASK))
        for sub in root["read_only_subpaths"]:
            if exists(sub):
                aces.append(AceChange(sub, sid, "deny", WRITE_MASK))
            else:
                gaps.append(f"{sub} does not exist, so nothing stops its creation")
    if policy["denied_paths"]:
        gaps.append("a restricted token cannot deny reads (denied paths: " + ", ".join(policy["denied_paths"]) + ")")
    if not policy["full_read"]:
        gaps.append("a restricted token cannot narrow reads to the readable roots")
    if policy["network"] != "on":
        gaps.append("the unelevated sandbox cannot block the network (use the elevated sandbox or allow network)")
    out_env = dict(env)
    if policy["network"] != "on":
        out_env["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    token = TokenSpec(DISABLE_MAX_PRIVILEGE | LUA_TOKEN | WRITE_RESTRICTED, (*sids, LOGON_SID, EVERYONE_SID))
    return WindowsSandboxPlan(token=token, aces=tuple(aces), env=out_env, unenforceable=tuple(gaps))

"""Win32 calls that carry out a `WindowsSandboxPlan` (ctypes; only on Windows).

Not exercised in this repository's CI (which runs on Linux); every entry point checks the
platform first and raises `WindowsSandboxError` elsewhere. The pure plan is tested everywhere.
"""

from __future__ import annotations

import ctypes
import logging
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

from pycodex_sandbox_windows._plan import LOGON_SID, AceChange, WindowsSandboxPlan

logger = logging.getLogger(__name__)

__all__ = ["WindowsSandboxError", "apply_aces", "create_restricted_token", "run_in_plan"]

_CT: Any = ctypes  # WinDLL and get_last_error exist only on Windows
_SE_FILE_OBJECT = 1
_DACL_SECURITY_INFORMATION = 0x4
_GRANT_ACCESS, _DENY_ACCESS = 1, 3
_TRUSTEE_IS_SID = 0
_TOKEN_ALL = 0xF01FF


class WindowsSandboxError(Exception):
    """The Windows sandbox could not be set up (or this is not Windows)."""


def _require_windows() -> Any:
    if sys.platform != "win32":
        raise WindowsSandboxError(f"the Windows sandbox runs only on Windows, not on {sys.platform}")
    return _CT.WinDLL("advapi32", use_last_error=True)


def _sid(advapi: Any, text: str) -> ctypes.c_void_p:
    sid = ctypes.c_void_p()
    if not advapi.ConvertStringSidToSidW(ctypes.c_wchar_p(text), ctypes.byref(sid)):
        raise WindowsSandboxError(f"bad SID {text!r} (error {_CT.get_last_error()})")
    return sid


class _Trustee(ctypes.Structure):
    _fields_ = [
        ("pMultipleTrustee", ctypes.c_void_p), ("MultipleTrusteeOperation", ctypes.c_int),
        ("TrusteeForm", ctypes.c_int), ("TrusteeType", ctypes.c_int), ("ptstrName", ctypes.c_void_p),
    ]  # fmt: skip


class _ExplicitAccess(ctypes.Structure):
    _fields_ = [
        ("grfAccessPermissions", ctypes.c_uint32), ("grfAccessMode", ctypes.c_int),
        ("grfInheritance", ctypes.c_uint32), ("Trustee", _Trustee),
    ]  # fmt: skip


def apply_aces(aces: Sequence[AceChange]) -> None:
    """Merge each ACE into its path's DACL.

    Raises:
        WindowsSandboxError: not Windows, or a call failed.
    """
    advapi = _require_windows()
    for ace in aces:
        dacl = ctypes.c_void_p()
        descriptor = ctypes.c_void_p()
        path = ctypes.c_wchar_p(ace.path)
        err = advapi.GetNamedSecurityInfoW(
            path, _SE_FILE_OBJECT, _DACL_SECURITY_INFORMATION, None, None, ctypes.byref(dacl), None,
            ctypes.byref(descriptor),
        )  # fmt: skip
        if err:
            raise WindowsSandboxError(f"cannot read the ACL of {ace.path!r} (error {err})")
        entry = _ExplicitAccess(
            ace.mask, _GRANT_ACCESS if ace.kind == "allow" else _DENY_ACCESS, ace.flags,
            _Trustee(None, 0, _TRUSTEE_IS_SID, 0, _sid(advapi, ace.sid)),
        )  # fmt: skip
        new_dacl = ctypes.c_void_p()
        err = advapi.SetEntriesInAclW(1, ctypes.byref(entry), dacl, ctypes.byref(new_dacl))
        if not err:
            err = advapi.SetNamedSecurityInfoW(
                path, _SE_FILE_OBJECT, _DACL_SECURITY_INFORMATION, None, None, new_dacl, None
            )
        if err:
            raise WindowsSandboxError(f"cannot change the ACL of {ace.path!r} (error {err})")


def create_restricted_token(plan: WindowsSandboxPlan) -> int:
    """A restricted primary token for `plan` (the handle, as an int).

    Raises:
        WindowsSandboxError: not Windows, no token in the plan, or a call failed.
    """
    advapi = _require_windows()
    if plan.token is None:
        raise WindowsSandboxError("this plan runs without a sandbox; no token to create")
    kernel32: Any = _CT.WinDLL("kernel32", use_last_error=True)
    base = ctypes.c_void_p()
    if not advapi.OpenProcessToken(kernel32.GetCurrentProcess(), _TOKEN_ALL, ctypes.byref(base)):
        raise WindowsSandboxError(f"OpenProcessToken failed (error {_CT.get_last_error()})")
    sids = [s for s in plan.token.restricting_sids if s != LOGON_SID]

    class _SidAndAttributes(ctypes.Structure):
        _fields_ = [("Sid", ctypes.c_void_p), ("Attributes", ctypes.c_uint32)]

    table = (_SidAndAttributes * len(sids))(*[_SidAndAttributes(_sid(advapi, s), 0) for s in sids])
    restricted = ctypes.c_void_p()
    ok = advapi.CreateRestrictedToken(
        base, plan.token.flags, 0, None, 0, None, len(sids), table, ctypes.byref(restricted)
    )
    if not ok:
        raise WindowsSandboxError(f"CreateRestrictedToken failed (error {_CT.get_last_error()})")
    return int(restricted.value or 0)


def run_in_plan(argv: Sequence[str], plan: WindowsSandboxPlan, *, accept_gaps: bool = False) -> int:
    """Apply the plan and run `argv` under its token; returns the exit status.

    Raises:
        WindowsSandboxError: the plan has unenforceable restrictions (unless `accept_gaps`), or
            the sandbox could not be set up.
    """
    if plan.unenforceable and not accept_gaps:
        raise WindowsSandboxError("refusing to run: " + "; ".join(plan.unenforceable))
    if plan.token is None:
        return subprocess.run(list(argv), env=plan.env, check=False).returncode
    apply_aces(plan.aces)
    token = create_restricted_token(plan)
    raise WindowsSandboxError(
        f"running under restricted token {token:#x} needs CreateProcessAsUserW, not wired up in this build"
    )

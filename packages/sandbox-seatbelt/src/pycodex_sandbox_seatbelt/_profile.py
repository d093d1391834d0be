"""SBPL profiles for `/usr/bin/sandbox-exec`, generated from a `ResolvedSandboxPolicy`.

Assembly order (as Codex 0.169): base policy, read section, write section, denied paths, network
section. Paths never appear inside the profile text except in the protected-name regexes: they
are passed as `-DNAME=PATH` parameters and referenced with `(param "NAME")`, so a path with
quotes or parentheses cannot change the profile. Paths are canonicalised first (`/var` is
`/private/var` on macOS).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pycodex_protocol import PROTECTED_METADATA_NAMES, ResolvedSandboxPolicy

logger = logging.getLogger(__name__)

__all__ = ["SANDBOX_EXEC", "SeatbeltProfile", "build_profile", "seatbelt_command", "seatbelt_env"]

SANDBOX_EXEC = "/usr/bin/sandbox-exec"
"""The only `sandbox-exec` ever used (never looked up on `PATH`)."""

_BASE = """(version 1)
(deny default)
; processes started by the command stay in this sandbox
(allow process-exec)
(allow process-fork)
(allow signal (target same-sandbox))
(allow process-info* (target same-sandbox))
(allow process-exec (literal "/bin/ps") (with no-sandbox))
; what ordinary programs need to start
(allow file-write-data (require-all (path "/dev/null") (vnode-type CHARACTER-DEVICE)))
(allow sysctl-read
  (sysctl-name "hw.activecpu") (sysctl-name "hw.busfrequency_compat") (sysctl-name "hw.byteorder")
  (sysctl-name "hw.cachelinesize_compat") (sysctl-name "hw.cpufrequency_compat") (sysctl-name "hw.cputype")
  (sysctl-name "hw.l1dcachesize_compat") (sysctl-name "hw.l2cachesize_compat") (sysctl-name "hw.logicalcpu_max")
  (sysctl-name "hw.machine") (sysctl-name "hw.memsize") (sysctl-name "hw.ncpu") (sysctl-name "hw.nperflevels")
  (sysctl-name "hw.pagesize_compat") (sysctl-name "hw.physicalcpu_max") (sysctl-name "kern.argmax")
  (sysctl-name "kern.hostname") (sysctl-name "kern.maxfilesperproc") (sysctl-name "kern.osproductversion")
  (sysctl-name "kern.osrelease") (sysctl-name "kern.ostype") (sysctl-name "kern.osversion")
  (sysctl-name "kern.usrstack64") (sysctl-name "kern.version") (sysctl-name "machdep.cpu.brand_string")
  (sysctl-name "vm.loadavg") (sysctl-name-prefix "hw.optional.arm.") (sysctl-name-prefix "hw.perflevel")
  (sysctl-name-prefix "kern.proc.pid.") (sysctl-name-prefix "net.routetable."))
(allow sysctl-write (sysctl-name "kern.grade_cputype"))
(allow iokit-open (iokit-registry-entry-class "RootDomainUserClient"))
(allow mach-lookup
  (global-name "com.apple.system.opendirectoryd.libinfo")
  (global-name "com.apple.PowerManagement.control")
  (global-name "com.apple.cfprefsd.agent")
  (global-name "com.apple.cfprefsd.daemon"))
(allow ipc-posix-sem)
(allow ipc-posix-shm-read* ipc-posix-shm-write-create ipc-posix-shm-write-data
  (ipc-posix-name-regex #"^/__KMP_REGISTERED_LIB_[0-9]+$"))
(allow pseudo-tty)
(allow file-read* file-write* file-ioctl (literal "/dev/ptmx"))
(allow file-read* file-write* (require-all (regex #"^/dev/ttys[0-9]+") (extension "com.apple.sandbox.pty")))
(allow file-ioctl (regex #"^/dev/ttys[0-9]+"))
(allow user-preference-read)
"""

_NETWORK_ON = """(allow network-outbound)
(allow network-inbound)
(allow system-socket)
(allow mach-lookup
  (global-name "com.apple.bsd.dirhelper")
  (global-name "com.apple.SecurityServer")
  (global-name "com.apple.networkd")
  (global-name "com.apple.dnssd.service")
  (global-name "com.apple.trustd.agent"))
"""


@dataclass(frozen=True)
class SeatbeltProfile:
    """A profile and the `-D` parameters it references."""

    text: str
    """The SBPL source passed with `-p`."""
    params: Mapping[str, str]
    """`NAME -> path`, passed as `-DNAME=path`."""


def _canonical(path: str) -> str:
    return os.path.realpath(path) if os.path.exists(path) else os.path.normpath(path)


def _sbpl_regex(text: str) -> str:
    """Escape `text` for a `#"..."` regex literal (regex metacharacters and the closing quote)."""
    return re.sub(r'([.^$*+?()\[\]{}|\\"/])', r"\\\1", text)


def _write_clause(root: str, index: int, read_only: Sequence[str], params: dict[str, str]) -> str:
    name = f"WRITABLE_ROOT_{index}"
    params[name] = root
    excludes: list[str] = []
    for j, sub in enumerate(read_only):
        sub_name = f"{name}_RO_{j}"
        params[sub_name] = sub
        excludes.append(f'(require-not (literal (param "{sub_name}")))')
        excludes.append(f'(require-not (subpath (param "{sub_name}")))')
    for meta in PROTECTED_METADATA_NAMES:
        prefix = _sbpl_regex(root.rstrip("/") + "/" + meta)
        excludes.append(f'(require-not (regex #"^{prefix}(/.*)?$"))')
    return f'(require-all (subpath (param "{name}")) {" ".join(excludes)})'


def build_profile(policy: ResolvedSandboxPolicy, *, proxy_ports: Sequence[int] = ()) -> SeatbeltProfile:
    """The profile for `policy`; `proxy_ports` are the loopback proxy ports a proxied network may reach.

    A proxied network with no port gets no network at all (fail closed).
    """
    params: dict[str, str] = {}
    parts = [_BASE]
    if policy["full_read"]:
        parts.append("(allow file-read*)\n")
    else:
        roots = [_canonical(p) for p in policy["readable_roots"]]
        for i, root in enumerate(roots):
            params[f"READABLE_ROOT_{i}"] = root
        clauses = " ".join(f'(subpath (param "READABLE_ROOT_{i}"))' for i in range(len(roots)))
        parts.append(
            f'(allow file-read* (literal "/") {clauses})\n' if clauses else '(allow file-read* (literal "/"))\n'
        )
    writable = policy["writable_roots"]
    if any(r["root"] == "/" and not r["read_only_subpaths"] for r in writable):
        parts.append('(allow file-write* (regex #"^/"))\n')
    elif writable:
        clauses = [
            _write_clause(_canonical(r["root"]), i, [_canonical(s) for s in r["read_only_subpaths"]], params)
            for i, r in enumerate(writable)
        ]
        parts.append("(allow file-write*\n  " + "\n  ".join(clauses) + ")\n")
    for i, denied in enumerate(_canonical(p) for p in policy["denied_paths"]):
        params[f"DENIED_{i}"] = denied
        parts.append(f'(deny file-read* file-write* (subpath (param "DENIED_{i}")))\n')
        parts.append(f'(deny file-write-unlink (literal (param "DENIED_{i}")))\n')
    if policy["network"] == "on":
        parts.append(_NETWORK_ON)
    elif policy["network"] == "proxied":
        for port in proxy_ports:
            parts.append(f'(allow network-outbound (remote ip "localhost:{int(port)}"))\n')
    return SeatbeltProfile(text="".join(parts), params=params)


def seatbelt_env(env: Mapping[str, str], policy: ResolvedSandboxPolicy) -> dict[str, str]:
    """The command's environment: `CODEX_SANDBOX=seatbelt`, and `CODEX_SANDBOX_NETWORK_DISABLED=1` without network."""
    out = {**env, "CODEX_SANDBOX": "seatbelt"}
    if policy["network"] != "on":
        out["CODEX_SANDBOX_NETWORK_DISABLED"] = "1"
    return out


def seatbelt_command(
    argv: Sequence[str], policy: ResolvedSandboxPolicy, *, proxy_ports: Sequence[int] = ()
) -> list[str]:
    """`/usr/bin/sandbox-exec -p PROFILE -DNAME=PATH ... -- ARGV`; unrestricted policies run `argv` as is."""
    if policy["kind"] != "restricted":
        return list(argv)
    profile = build_profile(policy, proxy_ports=proxy_ports)
    defines = [f"-D{name}={path}" for name, path in profile.params.items()]
    return [SANDBOX_EXEC, "-p", profile.text, *defines, "--", *argv]

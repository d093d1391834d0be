"""Root test configuration, for every test of the workspace.

No test may reach a real model API or the internet: API keys are removed from the environment and
any socket connection to an address outside the loopback range fails at once.

Tests run with `HOME` pointing at an empty temporary folder, so the shells the agent spawns
(`bash -lc`) do not read the developer's own profile: the tests behave the same on every machine,
and a slow or locking profile (pyenv's shim rehash, for one) cannot stall them.
"""

from __future__ import annotations

import atexit
import ipaddress
import os
import shutil
import socket
import tempfile
from typing import Any

for _var in ("OPENAI_API_KEY", "CODEX_API_KEY", "OPENAI_BASE_URL", "CODEX_OSS_BASE_URL", "CODEX_OSS_PORT"):
    os.environ.pop(_var, None)

_test_home = tempfile.mkdtemp(prefix="pycodex-test-home-")
atexit.register(shutil.rmtree, _test_home, ignore_errors=True)
os.environ["HOME"] = _test_home

_real_connect = socket.socket.connect
_real_connect_ex = socket.socket.connect_ex


def _is_allowed(address: Any) -> bool:
    if isinstance(address, (str, bytes)):  # AF_UNIX
        return True
    host = address[0]
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _guarded_connect(self: socket.socket, address: Any) -> None:
    if not _is_allowed(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback addresses, not {address!r}")
    _real_connect(self, address)


def _guarded_connect_ex(self: socket.socket, address: Any) -> int:
    if not _is_allowed(address):
        raise ConnectionRefusedError(f"tests may only connect to loopback addresses, not {address!r}")
    return _real_connect_ex(self, address)


socket.socket.connect = _guarded_connect  # type: ignore[method-assign]
socket.socket.connect_ex = _guarded_connect_ex  # type: ignore[method-assign]

"""The policy proxy reached from inside a bubblewrap sandbox whose network is limited to it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_proxy import DomainPolicy, ProxyServer
from pycodex_sandbox_linux import ProxyBridge, prepare_command
from pycodex_test_support import hello_upstream

CLIENT = r"""
import http.client, json, os, socket, sys, urllib.request, urllib.error
port = int(sys.argv[1])
out = {}
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return [r.status, r.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.headers.get("x-proxy-error")]
out["allowed"] = get(f"http://allowed.test:{port}/hello")
out["blocked"] = get(f"http://blocked.test:{port}/hello")
tunnel = http.client.HTTPConnection("127.0.0.1", 3128, timeout=5)
tunnel.set_tunnel(f"allowed.test:{port}")
tunnel.request("GET", "/tunnel")
out["connect"] = [tunnel.getresponse().status]
try:
    socket.create_connection(("127.0.0.1", port), timeout=2)
    out["direct"] = "connected"
except OSError as e:
    out["direct"] = type(e).__name__
print(json.dumps(out))
"""


@pytest.fixture
def upstream() -> Iterator[int]:
    with hello_upstream() as port:
        yield port


def test_sandboxed_command_reaches_only_allowed_hosts_through_the_proxy(upstream: int, tmp_path: Path) -> None:
    import json

    policy: ResolvedSandboxPolicy = {
        "kind": "restricted",
        "full_read": True,
        "readable_roots": ["/"],
        "writable_roots": [],
        "denied_paths": [],
        "network": "proxied",
        "proxy": {"allowed_domains": ["allowed.test"], "denied_domains": [], "allow_local_binding": True},
    }
    names = {"allowed.test": "127.0.0.1", "blocked.test": "127.0.0.1"}
    with ProxyServer(DomainPolicy(allowed=["allowed.test"], allow_local_binding=True), resolve=names) as proxy:
        bridge = proxy.bridge_socket()
        argv = [sys.executable, "-I", "-S", "-c", CLIENT, str(upstream)]
        with (
            bridge,
            prepare_command(
                argv, tmp_path, {"PATH": "/usr/bin:/bin"}, policy, proxy=ProxyBridge(bridge.fileno())
            ) as plan,
        ):
            assert plan.layer == "bubblewrap"
            done = subprocess.run(
                plan.argv, env=plan.env, cwd=plan.cwd, pass_fds=plan.pass_fds, capture_output=True, text=True,
                encoding="utf-8", timeout=60,
            )  # fmt: skip
        assert done.returncode == 0, done.stderr
        result = json.loads(done.stdout)
        decisions = [(d.host, d.allowed, d.reason) for d in proxy.decisions]
    assert result["allowed"] == [200, "hello from /hello"]
    assert result["blocked"] == [403, "blocked-by-allowlist"]
    assert result["connect"] == [200]
    assert result["direct"] != "connected"
    assert ("allowed.test", True, "allowed") in decisions
    assert ("blocked.test", False, "blocked-by-allowlist") in decisions

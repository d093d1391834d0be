"""`features.network_proxy`: sandboxed commands reach only the profile's allowed hosts, through its proxy."""

from __future__ import annotations

import http.server
import json
import sys
import threading
from collections.abc import Iterator

import pytest
from e2e_support import Env, exec_turn, message_turn

from pycodex_test_support import ScriptedServer

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the bubblewrap sandbox is Linux-only")

CLIENT = r"""
import json, socket, sys, urllib.error, urllib.request
port = int(sys.argv[1])
out = {}
def get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return [r.status, r.read().decode()]
    except urllib.error.HTTPError as e:
        return [e.code, e.headers.get("x-proxy-error")]
    except urllib.error.URLError as e:
        return ["unreachable", str(e.reason)]
out["allowed"] = get(f"http://127.0.0.1:{port}/hello")
out["not_listed"] = get(f"http://localhost:{port}/hello")
out["denied"] = get(f"http://evil.example:{port}/hello")
try:
    socket.create_connection(("10.255.255.1", port), timeout=2)
    out["direct"] = "connected"
except OSError as e:
    out["direct"] = type(e).__name__
print("RESULT " + json.dumps(out))
"""


class _Hello(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = f"hello from {self.path}".encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def upstream() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def _profile(proxy: bool) -> str:
    return (
        'default_permissions = "net"\n'
        f"[features]\nnetwork_proxy = {str(proxy).lower()}\n"
        '[permissions.net]\nextends = ":workspace"\n'
        "[permissions.net.network]\nenabled = true\n"
        'domains = { "127.0.0.1" = "allow", "evil.example" = "deny" }\n'
    )


def _result(env: Env, upstream: int, proxy: bool) -> dict[str, object]:
    (env.work / "client.py").write_text(CLIENT, encoding="utf-8")
    turns = [exec_turn("c1", f"{sys.executable} -I -S client.py {upstream}"), message_turn("done")]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url, extra=_profile(proxy))
        config = env.home / "config.toml"  # no `sandbox_mode`: it would win over `default_permissions`
        config.write_text(config.read_text("utf-8").replace('sandbox_mode = "danger-full-access"\n', ""), "utf-8")
        r = env.run("--json", "fetch")
        outputs = [
            i["output"] for req in server.requests for i in req.json["input"] if i["type"] == "function_call_output"
        ]
    assert r.rc == 0, r.stderr
    line = next((x for x in str(outputs[0]).splitlines() if x.startswith("RESULT ")), None)
    assert line is not None, outputs
    return json.loads(line.removeprefix("RESULT "))


def test_proxied_sandbox_reaches_only_allowed_hosts(env: Env, upstream: int) -> None:
    out = _result(env, upstream, proxy=True)
    assert out["allowed"] == [200, "hello from /hello"]
    assert out["not_listed"] == [403, "blocked-by-allowlist"]
    assert out["denied"] == [403, "blocked-by-denylist"]
    assert out["direct"] != "connected"  # the sandbox's own network namespace has no route out


def test_without_the_proxy_feature_the_enabled_network_is_open(env: Env, upstream: int) -> None:
    out = _result(env, upstream, proxy=False)  # Codex's default: domain rules need the proxy feature
    assert out["allowed"] == [200, "hello from /hello"]
    assert out["not_listed"] == [200, "hello from /hello"]


def test_network_rules_from_rules_files_join_the_proxy_lists(env: Env, upstream: int) -> None:
    rules = env.home / "rules"
    rules.mkdir()
    (rules / "default.rules").write_text(
        'network_rule(host="localhost", protocol="http", decision="allow")\n'
        'network_rule(host="127.0.0.1", protocol="http", decision="deny")\n',
        encoding="utf-8",
    )
    out = _result(env, upstream, proxy=True)
    assert out["not_listed"] == [200, "hello from /hello"]  # allowed by the rule; resolves to an allowed literal
    assert out["allowed"] == [403, "blocked-by-denylist"]  # a forbidding rule wins over the profile's allow

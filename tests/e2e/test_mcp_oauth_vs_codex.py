"""An MCP OAuth login carries over between Codex 0.169 and pycodex, both ways, through `.credentials.json`.

The authorization server is the mcp SDK's on 127.0.0.1 (it grants every request); the "browser"
follows the authorization URL each program prints, which lands on that program's callback.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest
from e2e_support import Env, Result, _u, mcp_http_server, message_turn, real_codex

from pycodex_test_support import ScriptedServer, Turn, ev_function_call, ev_response_created, sse_turn

pytestmark = pytest.mark.codex


def _codex() -> list[str]:
    binary = real_codex()
    if binary is None or not binary.exists():
        pytest.fail("the real Codex 0.169 binary is missing: run `just ref-codex`")
    return [str(binary)]


def _env(root: Path, url: str) -> Env:
    env = Env(root / "home", root / "work")
    env.home.mkdir(parents=True)
    env.work.mkdir(parents=True)
    (env.home / "config.toml").write_text(
        f'mcp_oauth_credentials_store = "file"\n[mcp_servers.locked]\nurl = "{url}"\n', encoding="utf-8"
    )
    return env


def _environ(env: Env) -> dict[str, str]:
    # No browser is opened, and no keyring of this machine is touched.
    return env.environ(BROWSER="true", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")


def _login(env: Env, command: list[str]) -> str:
    """Run `<command> mcp login locked`, visit the URL it prints, return its output."""
    proc = subprocess.Popen(
        [*command, "mcp", "login", "locked"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=_environ(env),
        cwd=env.work,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("http://127.0.0.1") and "/authorize?" in line:
                with httpx2.Client(follow_redirects=True, timeout=20) as client:
                    assert client.get(line.strip()).status_code == 200
                break
        rest, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    output = "".join(lines) + rest
    assert proc.returncode == 0, output
    return output


def _auth_status(env: Env, command: list[str]) -> str:
    out = subprocess.run(
        [*command, "mcp", "list", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=_environ(env),
        cwd=env.work,
        timeout=60,
        check=True,
    )
    [server] = json.loads(out.stdout)
    return str(server["auth_status"])


def _add_call() -> list[Turn]:
    event = ev_function_call("c1", "add", json.dumps({"a": 20, "b": 22}))
    event["item"]["namespace"] = "mcp__locked"
    return [sse_turn([ev_response_created("r1"), event, _u("r1")]), message_turn("done")]


def _exec_with_the_login(env: Env, command: list[str] | None) -> Result:
    config = (env.home / "config.toml").read_text(encoding="utf-8")
    with ScriptedServer(_add_call()) as model:
        env.write_config(model.base_url, extra="check_for_update_on_startup = false\n[analytics]\nenabled = false\n")
        (env.home / "config.toml").write_text(
            (env.home / "config.toml").read_text(encoding="utf-8") + "\n" + config, encoding="utf-8"
        )
        exec_command = [*command, "exec"] if command else None
        return env.run("--json", "--skip-git-repo-check", "add", command=exec_command, env=_environ(env), timeout=90)


def _our_cli() -> list[str]:
    import sys

    return [sys.executable, "-m", "pycodex_cli"]


def test_a_codex_login_is_used_here(var_tmp: Path) -> None:
    with mcp_http_server("--oauth") as url:
        env = _env(var_tmp, url)
        assert _auth_status(env, _our_cli()) == "unknown"
        assert "Successfully logged in" in _login(env, _codex())
        assert (env.home / ".credentials.json").exists()
        assert _auth_status(env, _our_cli()) == "o_auth"
        result = _exec_with_the_login(env, None)
    assert result.rc == 0, result.stderr[-2000:]
    [call] = result.items("mcp_tool_call")
    assert call["status"] == "completed" and call["result"]["structured_content"] == {"result": 42}


def test_a_login_made_here_is_used_by_codex(var_tmp: Path) -> None:
    with mcp_http_server("--oauth") as url:
        env = _env(var_tmp, url)
        assert _auth_status(env, _codex()) == "not_logged_in"  # Codex asks the server; we say `unknown`
        assert "Successfully logged in to MCP server 'locked'" in _login(env, _our_cli())
        assert not (env.home / "mcp-oauth.json").exists()
        assert _auth_status(env, _codex()) == "o_auth"
        result = _exec_with_the_login(env, _codex())
    assert result.rc == 0, result.stderr[-2000:]
    [call] = result.items("mcp_tool_call")
    assert call["status"] == "completed" and call["result"]["structured_content"] == {"result": 42}


def _registration(env: Env, command: list[str], strategy: str) -> tuple[str, ...]:
    """How `mcp login --oauth-client-registration <strategy>` starts: the client id kind and callback path
    of the authorization URL it prints (then it is stopped), or its error line."""
    proc = subprocess.Popen(
        [*command, "mcp", "login", "locked", "--oauth-client-registration", strategy],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=_environ(env),
        cwd=env.work,
    )
    assert proc.stdout is not None
    try:
        for line in proc.stdout:
            if line.startswith("Error: "):
                return ("error", line.strip())
            if "/authorize?" in line:
                query = parse_qs(urlsplit(line.strip()).query)
                client_id, redirect = query["client_id"][0], urlsplit(query["redirect_uri"][0])
                kind = client_id if client_id.startswith("https://") else "registered"
                return ("authorize", kind, redirect.hostname or "", redirect.path)
        return ("exit", str(proc.wait(30)))
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


@pytest.mark.parametrize("cimd", [True, False])
def test_the_client_registration_strategies_match_codex(var_tmp: Path, cimd: bool) -> None:
    flags = ("--oauth", "--cimd") if cimd else ("--oauth",)
    seen: dict[str, tuple[str, ...]] = {}
    with mcp_http_server(*flags) as url:
        for strategy in ("auto", "cimd", "dcr"):
            theirs = _registration(_env(var_tmp / f"codex-{strategy}", url), _codex(), strategy)
            ours = _registration(_env(var_tmp / f"ours-{strategy}", url), _our_cli(), strategy)
            assert ours == theirs, strategy
            seen[strategy] = ours
    assert seen["dcr"][:2] == ("authorize", "registered")
    if cimd:
        assert seen["auto"] == seen["cimd"] and seen["cimd"][1].endswith("/client.json")
    else:
        assert seen["auto"][:2] == ("authorize", "registered") and seen["cimd"][0] == "error"

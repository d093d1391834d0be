"""`codex mcp add|list|get|remove|logout`, compared with what Codex 0.169 prints and writes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def _codex(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")} | {"CODEX_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "config.toml").write_text(
        '# mine\nmodel = "x"\n\n[mcp_servers.old]  # keep me\ncommand = "o"\n', "utf-8"
    )
    return tmp_path


def test_add_writes_tables_and_keeps_comments(home: Path) -> None:
    out = _codex(home, "mcp", "add", "srv", "--env", "FOO=bar", "--env", "B=2", "--", "npx", "-y", "pkg", "--flag")
    assert (out.returncode, out.stdout) == (0, "Added global MCP server 'srv'.\n")
    out = _codex(home, "mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp", "--bearer-token-env-var", "TOK")
    assert out.stdout == "Added global MCP server 'web'.\n"
    out = _codex(home, "mcp", "add", "o2", "--url", "http://127.0.0.1:9/mcp", "--oauth-client-id", "cid")
    assert out.stdout.endswith("Run `codex mcp login o2` to login.\n")
    assert (home / "config.toml").read_text("utf-8") == (
        '# mine\nmodel = "x"\n\n[mcp_servers.old]  # keep me\ncommand = "o"\n\n'
        '[mcp_servers.srv]\ncommand = "npx"\nargs = ["-y", "pkg", "--flag"]\n\n'
        '[mcp_servers.srv.env]\nB = "2"\nFOO = "bar"\n\n'
        '[mcp_servers.web]\nurl = "http://127.0.0.1:9/mcp"\nbearer_token_env_var = "TOK"\n\n'
        '[mcp_servers.o2]\nurl = "http://127.0.0.1:9/mcp"\n\n[mcp_servers.o2.oauth]\nclient_id = "cid"\n'
    )


def test_list_and_get_tables(home: Path) -> None:
    _codex(home, "mcp", "add", "srv", "--env", "FOO=bar", "--", "npx", "-y", "pkg")
    _codex(home, "mcp", "add", "web", "--url", "http://127.0.0.1:9/mcp", "--bearer-token-env-var", "TOK")
    out = _codex(home, "mcp", "list")
    assert out.stdout == (
        "Name  Command  Args    Env        Cwd  Status   Auth       \n"
        "old   o        -       -          -    enabled  Unsupported\n"
        "srv   npx      -y pkg  FOO=*****  -    enabled  Unsupported\n"
        "\n"
        "Name  Url                     Bearer Token Env Var  Status   Auth        \n"
        "web   http://127.0.0.1:9/mcp  TOK                   enabled  Bearer token\n"
    )
    listed = json.loads(_codex(home, "mcp", "list", "--json").stdout)
    assert listed[1] == {
        "name": "srv",
        "enabled": True,
        "disabled_reason": None,
        "transport": {
            "type": "stdio",
            "command": "npx",
            "args": ["-y", "pkg"],
            "env": {"FOO": "bar"},
            "env_vars": [],
            "cwd": None,
        },
        "startup_timeout_sec": None,
        "tool_timeout_sec": None,
        "auth_status": "unsupported",
    }
    assert listed[2]["auth_status"] == "bearer_token"
    assert _codex(home, "mcp", "get", "srv").stdout == (
        "srv\n  enabled: true\n  transport: stdio\n  command: npx\n  args: -y pkg\n  cwd: -\n  env: FOO=*****\n"
        "  remove: codex mcp remove srv\n"
    )
    got = json.loads(_codex(home, "mcp", "get", "web", "--json").stdout)
    assert got["transport"]["type"] == "streamable_http" and got["enabled_tools"] is None


def test_errors_and_remove(home: Path) -> None:
    missing = _codex(home, "mcp", "get", "nope")
    assert (missing.returncode, missing.stderr) == (1, "Error: No MCP server named 'nope' found.\n")
    assert _codex(home, "mcp", "add", "e", "--env", "FOO", "--", "x").returncode == 2
    assert _codex(home, "mcp", "add", "both", "--url", "http://x", "--", "cmd").returncode == 2
    assert _codex(home, "mcp", "add", "none").returncode == 2
    stdio_logout = _codex(home, "mcp", "logout", "old")
    assert stdio_logout.stderr == "Error: OAuth logout is only supported for streamable_http transports.\n"
    assert _codex(home, "mcp", "remove", "nope").stdout == "No MCP server named 'nope' found.\n"
    assert _codex(home, "mcp", "remove", "old").stdout == "Removed global MCP server 'old'.\n"
    assert _codex(home, "mcp", "list").stdout.startswith("No MCP servers configured yet.")
    assert (home / "config.toml").read_text("utf-8").startswith('# mine\nmodel = "x"\n')


def test_list_starts_no_server_and_imports_no_sdk(home: Path) -> None:
    (home / "config.toml").write_text(
        "".join(f'[mcp_servers.s{i}]\ncommand = "{home}/never-run-{i}"\n' for i in range(10)), "utf-8"
    )
    code = "import sys, pycodex_cli\nrc = pycodex_cli.main(['mcp', 'list'])\nprint('mcp' in sys.modules, rc)\n"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")} | {"CODEX_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60, encoding="utf-8"
    )
    assert out.stdout.splitlines()[-1] == "False 0"
    assert out.stdout.count("never-run-") == 10


def test_list_builds_only_the_server_tables(home: Path, tmp_path: Path) -> None:
    """`mcp list`/`get` validate every layer but never import the full `Config` (what keeps them fast)."""
    probe = (
        "import sys\n"
        "from pycodex_cli._main import dispatch\n"
        "code = dispatch(['mcp', 'list', '-c', 'mcp_servers.extra.command=\"e\"'])\n"
        "names = ('pycodex_config._config', 'pycodex_config._build', 'pycodex_protocol')\n"
        "heavy = sorted(m for m in names if m in sys.modules)\n"
        "print(code, heavy)\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")} | {"CODEX_HOME": str(home)}
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, env=env, encoding="utf-8"
    )
    lines = out.stdout.splitlines()
    assert lines[-1] == "0 []", out.stderr
    assert any(line.startswith("extra ") for line in lines) and any(line.startswith("old ") for line in lines)


def test_list_reports_a_bad_key_elsewhere_with_its_location(home: Path) -> None:
    with (home / "config.toml").open("a", encoding="utf-8") as fh:
        fh.write("\n[tui]\nalternate_screen = 3\n")
    out = _codex(home, "mcp", "list")
    assert out.returncode == 1
    assert "config.toml" in out.stderr and "alternate_screen" in out.stderr

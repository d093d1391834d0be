"""Benchmark: what configured MCP servers cost at start-up, pycodex beside Codex 0.169.

1. Time from process start to the first model request of `codex exec --json`, with no MCP server
   configured and with three (server-everything, mcp-server-time, and one that never answers,
   `startup_timeout_sec = 10`). Target: with servers no later than without. Also how many of the
   three servers that first request makes known to the model (namespaces in the `<tools>` message,
   `namespace` tools or `mcp__` function tools).
2. Wall time of `codex mcp list` with ten servers configured (none is started). Target: < 100 ms.

    uv run python bench/mcp_bench.py [-n 5]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pycodex_test_support import ScriptedServer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _bytecode import ensure_bytecode  # noqa: E402
from e2e_support import Env, real_codex, scenario  # noqa: E402  # pyright: ignore[reportMissingImports]

NPM_BIN = ROOT / "tests" / "mcp_servers" / "node_modules" / ".bin"


def _ours() -> list[str]:
    script = Path(sys.executable).with_name("codex")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pycodex_cli"]


def _three_servers() -> str:
    py = sys.executable
    return (
        f'[mcp_servers.everything]\ncommand = "{NPM_BIN / "mcp-server-everything"}"\n\n'
        f'[mcp_servers.time]\ncommand = "{py}"\nargs = ["-m", "mcp_server_time"]\n\n'
        f'[mcp_servers.silent]\ncommand = "{py}"\nargs = ["-c", "import time; time.sleep(120)"]\n'
        "startup_timeout_sec = 10\n"
    )


def _fresh(root: Path) -> Env:
    run = Path(tempfile.mkdtemp(dir=root))
    (run / "home").mkdir()
    (run / "work").mkdir()
    subprocess.run(["git", "init", "-q", str(run / "work")], check=True)
    return Env(run / "home", run / "work")


def _mcp_servers_visible(body: dict[str, Any]) -> int:
    """How many distinct MCP servers the model can see in one request body."""
    names = {t.get("name") for t in body.get("tools", []) if str(t.get("name", "")).startswith("mcp__")}
    for item in body.get("input", []):
        for part in item.get("content", []) if item.get("role") == "developer" else []:
            text = str(part.get("text", ""))
            if text.startswith("<tools>"):
                names |= set(re.findall(r"^- (mcp__[A-Za-z0-9_]+)", text, re.M))
    return len({str(n).split("__")[1] for n in names if n})


def first_request_s(command: list[str], servers: str, root: Path) -> tuple[float, int]:
    """Seconds from spawning `codex exec` to the first model request it sends, and the MCP servers it shows."""
    env = _fresh(root)
    with ScriptedServer(scenario("hello")) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false\n[analytics]\nenabled = false\n")
        with (env.home / "config.toml").open("a", encoding="utf-8") as fh:
            fh.write("\n" + servers)
        start = time.monotonic()
        proc = subprocess.run(
            [*command, "exec", "--json", "--skip-git-repo-check", "hi"],
            cwd=env.work,
            env=env.environ(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=120,
        )
        if proc.returncode != 0 or not server.requests:
            raise RuntimeError(f"{command[0]} failed: rc={proc.returncode}\n{proc.stderr.decode()[-2000:]}")
        post = [r for r in server.requests if r.method == "POST"]
        first = post[0] if post else server.requests[0]
        return first.time - start, _mcp_servers_visible(first.json)


def mcp_list_s(command: list[str], root: Path) -> float:
    """Wall seconds of `codex mcp list` with ten configured servers."""
    env = _fresh(root)
    body = "".join(f'[mcp_servers.s{i}]\ncommand = "npx"\nargs = ["-y", "some-server-{i}"]\n\n' for i in range(10))
    (env.home / "config.toml").write_text(body, encoding="utf-8")
    start = time.perf_counter()
    proc = subprocess.run([*command, "mcp", "list"], env=env.environ(), capture_output=True, timeout=60)
    wall = time.perf_counter() - start
    if proc.returncode != 0 or proc.stdout.count(b"some-server-") != 10:
        raise RuntimeError(f"{command[0]} mcp list failed: {proc.stderr.decode()[-1000:]}")
    return wall


def _settle(limit_s: float = 3.0) -> None:
    """Wait (up to `limit_s`) until the MCP servers of the previous run have exited, then a moment more."""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and _busy_children():
        time.sleep(0.1)
    time.sleep(0.2)


def _busy_children() -> bool:
    """Whether a benchmarked run's MCP server (node or the Python ones) is still alive."""
    out = subprocess.run(
        ["pgrep", "-f", "mcp-server-everything|mcp_server_time|time.sleep\\(120\\)"], capture_output=True
    )
    return bool(out.stdout.strip())


def _report(label: str, values: dict[str, list[float]]) -> None:
    for tool, runs in values.items():
        ms = [v * 1000 for v in runs]
        print(f"{label:34} {tool:8} median {statistics.median(ms):7.1f} ms  (min {min(ms):.1f}, max {max(ms):.1f})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="runs per cell (default 5)")
    args = parser.parse_args(argv)
    codex = real_codex()
    tools = {"pycodex": _ours()}
    if codex is not None and codex.exists():
        tools["codex"] = [str(codex)]
    if not (NPM_BIN / "mcp-server-everything").exists():
        print("run `npm install --no-audit --no-fund --prefix tests/mcp_servers` first", file=sys.stderr)
        return 2
    ensure_bytecode()
    root = Path(tempfile.mkdtemp(prefix="pycodex-mcp-bench-", dir="/var/tmp"))
    try:
        print(f"load average: {os.getloadavg()[0]:.2f}; runs per cell: {args.n}")
        cells = {"first request, no MCP servers": "", "first request, 3 servers (1 silent)": _three_servers()}
        runs_by_cell: dict[str, dict[str, list[float]]] = {c: {t: [] for t in tools} for c in cells}
        visible: dict[str, list[int]] = {t: [] for t in tools}
        # Interleaved (each round runs every cell once) and settled between runs: the MCP servers a
        # run leaves behind must not slow the next one down.
        for _ in range(args.n):
            for label, servers in cells.items():
                for tool, command in tools.items():
                    seconds, shown = first_request_s(command, servers, root)
                    runs_by_cell[label][tool].append(seconds)
                    if servers:
                        visible[tool].append(shown)
                    _settle()
        for label, runs in runs_by_cell.items():
            _report(label, runs)
        for tool, counts in visible.items():
            print(f"{'  MCP servers the model sees':34} {tool:8} {counts} of 3")
        runs = {t: [] for t in tools}
        for _ in range(args.n):
            for tool, command in tools.items():
                runs[tool].append(mcp_list_s(command, root))
        _report("codex mcp list, 10 servers", runs)
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""Benchmark: pycodex `codex exec --json` against the real Codex 0.169, same scripted server.

Runs both, alternating, N times per scenario (`hello`: one message; `long`: 30 `exec_command`
calls then a message) and prints median wall time, the ratio of medians and the peak RSS of
each. Every run gets a fresh CODEX_HOME under /var/tmp (as Codex needs) and a fresh git repo.

    uv run python bench/exec_vs_codex.py [-n 5] [--scenario hello --scenario long]

Targets: ratio <= 1.0 on `hello`, <= 0.5 on `long`, RSS <= half of Codex's.
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

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from e2e_support import Env, real_codex, scenario  # pyright: ignore[reportMissingImports]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bytecode import ensure_bytecode

from pycodex_test_support import ScriptedServer

TIME_V = Path("/usr/bin/time")


def _ours() -> list[str]:
    script = Path(sys.executable).with_name("codex")
    return [str(script), "exec"] if script.exists() else [sys.executable, "-m", "pycodex_cli", "exec"]


def _fresh_env(root: Path) -> Env:
    run_dir = Path(tempfile.mkdtemp(dir=root))
    home, work = run_dir / "home", run_dir / "work"
    home.mkdir()
    work.mkdir()
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)


def _run_once(command: list[str], name: str, root: Path) -> tuple[float, float]:
    """One run: (wall seconds, peak RSS in MiB of the main process)."""
    env = _fresh_env(root)
    with ScriptedServer(scenario(name)) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false")
        argv = [*command, "--json", "do the task"]
        use_time = TIME_V.exists()
        if use_time:
            argv = [str(TIME_V), "-v", *argv]
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=env.work,
            env=env.environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out, err = proc.communicate(timeout=120)
        wall = time.perf_counter() - start
    if proc.returncode != 0 or b'"turn.completed"' not in out:
        raise RuntimeError(f"{command[0]} failed on {name}: rc={proc.returncode}\n{err.decode()[-2000:]}")
    if use_time:
        match = re.search(rb"Maximum resident set size \(kbytes\): (\d+)", err)
        rss = int(match.group(1)) / 1024 if match else float("nan")
    else:
        import resource

        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return wall, rss


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=5, help="runs per tool and scenario (default 5)")
    parser.add_argument("--scenario", action="append", choices=["hello", "long"], help="default: both")
    args = parser.parse_args(argv)
    codex = real_codex()
    if codex is None or not codex.exists():
        print("the real Codex binary is missing (set PYCODEX_REAL_CODEX)", file=sys.stderr)
        return 2
    ensure_bytecode()
    tools = {"pycodex": _ours(), "codex": [str(codex), "exec"]}
    root = Path(tempfile.mkdtemp(prefix="pycodex-bench-", dir="/var/tmp"))
    try:
        how = "time -v" if TIME_V.exists() else "getrusage"
        print(f"load average: {os.getloadavg()[0]:.2f}; runs per cell: {args.n}; RSS via {how}")
        for name in args.scenario or ["hello", "long"]:
            walls: dict[str, list[float]] = {t: [] for t in tools}
            rss: dict[str, list[float]] = {t: [] for t in tools}
            for _ in range(args.n):
                for tool, command in tools.items():
                    wall, peak = _run_once(command, name, root)
                    walls[tool].append(wall)
                    rss[tool].append(peak)
            med = {t: statistics.median(v) * 1000 for t, v in walls.items()}
            peak = {t: max(v) for t, v in rss.items()}
            for tool in tools:
                lo, hi = min(walls[tool]) * 1000, max(walls[tool]) * 1000
                print(
                    f"{name:6} {tool:8} median {med[tool]:8.1f} ms  (min {lo:.1f}, max {hi:.1f})"
                    f"  peak RSS {peak[tool]:6.1f} MiB"
                )
            print(
                f"{name:6} ratio of medians pycodex/codex = {med['pycodex'] / med['codex']:.2f}; "
                f"RSS ratio = {peak['pycodex'] / peak['codex']:.2f}"
            )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

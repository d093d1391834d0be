"""Overhead of running `true` under each sandbox layer, against running it bare and against Codex 0.169.

Usage: `uv run python bench/sandbox_overhead.py [-n RUNS]`. Library rows time `prepare_command`
plus the spawn and wait, in this process (what core pays per command); CLI rows time the whole
`codex sandbox -- true` process, ours and Codex's (`.codex-ref`, or `$PYCODEX_REAL_CODEX`).
Medians in milliseconds; "added" is the median minus the bare median.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_linux import diagnose, prepare_command

ROOT = Path(__file__).resolve().parents[1]
TRUE = "/bin/true"


def _policy(ws: Path, network: str) -> ResolvedSandboxPolicy:
    return {
        "kind": "restricted",
        "full_read": True,
        "readable_roots": ["/"],
        "writable_roots": [
            {"root": str(ws), "read_only_subpaths": [str(ws / n) for n in (".git", ".agents", ".codex", ".aws")]},
            {"root": "/tmp", "read_only_subpaths": [f"/tmp/{n}" for n in (".git", ".agents", ".codex", ".aws")]},
        ],
        "denied_paths": [],
        "network": network,  # type: ignore[typeddict-item]
    }


def _time(fn: Callable[[], object], runs: int) -> float:
    fn()  # warm-up
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def _library(ws: Path, network: str, layer: str, supervised: bool = False) -> Callable[[], object]:
    env = dict(os.environ)

    def run() -> None:
        policy = _policy(ws, network)
        plan = prepare_command([TRUE], ws, env, policy, layer=layer, supervised=supervised)  # type: ignore[arg-type]
        try:
            subprocess.run(plan.argv, env=plan.env, cwd=plan.cwd, pass_fds=plan.pass_fds, check=True)
        finally:
            plan.close(wait=False)  # what core does: mount points are removed in the background

    return run


def _codex_binary() -> Path | None:
    if os.environ.get("PYCODEX_REAL_CODEX"):
        return Path(os.environ["PYCODEX_REAL_CODEX"])
    found = sorted((ROOT / ".codex-ref" / "node_modules" / "@openai").glob("codex-linux-*/vendor/*/bin/codex"))
    return found[0] if found else None


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", "--runs", type=int, default=30)
    runs = parser.parse_args().runs
    ws = Path(tempfile.mkdtemp(prefix="pycodex-bench-", dir="/var/tmp"))
    (ws / ".git").mkdir()
    home = ws / "home"
    home.mkdir()
    env = {**os.environ, "CODEX_HOME": str(home)}
    ww = ["-c", 'sandbox_mode="workspace-write"']
    rows: list[tuple[str, float]] = [("bare `true` (subprocess.run)", _time(lambda: subprocess.run([TRUE]), runs))]
    print(f"sandbox: {diagnose().summary()}", file=sys.stderr)
    rows.append(("library: bubblewrap + seccomp, network off", _time(_library(ws, "off", "bubblewrap"), runs)))
    rows.append(("library: bubblewrap + seccomp, network on", _time(_library(ws, "on", "bubblewrap"), runs)))
    supervised = _library(ws, "off", "bubblewrap", supervised=True)
    rows.append(("library: bubblewrap, supervised plan (core's path)", _time(supervised, runs)))
    os.environ["PYCODEX_BWRAP"] = ""
    diagnose(fresh=True)
    rows.append(("library: Landlock + seccomp, network off", _time(_library(ws, "off", "landlock"), runs)))
    del os.environ["PYCODEX_BWRAP"]
    diagnose(fresh=True)
    ours = [sys.executable, "-m", "pycodex_cli", *ww, "sandbox", "--", TRUE]
    rows.append(("cli: pycodex `codex sandbox -- true`", _time(lambda: subprocess.run(ours, env=env, cwd=ws), runs)))
    codex = _codex_binary()
    if codex is not None:
        theirs = [str(codex), "sandbox", *ww, "--", TRUE]
        rows.append(
            ("cli: Codex 0.169 `codex sandbox -- true`", _time(lambda: subprocess.run(theirs, env=env, cwd=ws), runs))
        )
    bare = rows[0][1]
    print("| run | median ms | added ms |")
    print("|---|---|---|")
    for name, ms in rows:
        print(f"| {name} | {ms:.1f} | {ms - bare:+.1f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())

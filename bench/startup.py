"""Start-up figures: `codex --version` and `codex exec --help` against the bare interpreter.

Run with `uv run python bench/startup.py [N]`. Prints medians of N alternating runs (default 30) and
the ratios; the target for `codex --version` is at most 1.5x `python -c pass`. Where the real Codex
0.169 is installed (`just ref-codex`), its `--version` is timed too.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from _bytecode import ensure_bytecode  # noqa: E402


def real_codex() -> Path | None:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    found = sorted((ROOT / ".codex-ref" / "node_modules" / "@openai").glob("codex-linux-*/vendor/*/bin/codex"))
    return found[0] if found else None


def time_once(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return (time.perf_counter() - start) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 30
    ensure_bytecode()
    bindir = Path(sys.executable).parent
    codex = str(bindir / "codex")
    cases: dict[str, list[str]] = {
        "python -c pass": [sys.executable, "-c", "pass"],
        "codex --version": [codex, "--version"],
    }
    if subprocess.run([codex, "exec", "--help"], capture_output=True).returncode == 0:
        cases["codex exec --help"] = [codex, "exec", "--help"]
    ref = real_codex()
    if ref:
        cases["Codex 0.169 --version"] = [str(ref), "--version"]
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for cmd in cases.values():  # warm the page cache
        time_once(cmd)
    for _ in range(n):
        for name, cmd in cases.items():
            samples[name].append(time_once(cmd))
    med = {name: statistics.median(v) for name, v in samples.items()}
    base = med["python -c pass"]
    print(f"start-up, median of {n} alternating runs")
    for name, value in med.items():
        print(f"  {name:<24} {value:7.1f} ms   {value / base:5.2f}x python -c pass")
    ratio = med["codex --version"] / base
    print(f"codex --version / python -c pass = {ratio:.2f}x (target <= 1.5x): {'ok' if ratio <= 1.5 else 'MISSED'}")


if __name__ == "__main__":
    main()

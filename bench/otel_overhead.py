"""Benchmark: what `[otel]` costs a `codex exec` turn.

Runs the `hello` scenario (one message) against the scripted server, alternating three
configurations N times each: no `[otel]` table, `exporter = "none"`, and `otlp-http` to a
collector on 127.0.0.1. Prints the median wall time of each and the time the exporter adds.

    uv run python bench/otel_overhead.py [-n 7]

Target (issue "accounts, credentials and observability"): with `[otel]` off a turn is not slower
than without the table; with otlp-http on, the added time is reported.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from e2e_support import Env, scenario  # pyright: ignore[reportMissingImports]

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _bytecode import ensure_bytecode

from pycodex_test_support import OtlpCollector, ScriptedServer


def _command() -> list[str]:
    script = Path(sys.executable).with_name("codex")
    return [str(script), "exec"] if script.exists() else [sys.executable, "-m", "pycodex_cli", "exec"]


def _once(root: Path, otel: str, collector: OtlpCollector) -> float:
    run_dir = Path(tempfile.mkdtemp(dir=root))
    env = Env(run_dir / "home", run_dir / "work")
    env.home.mkdir()
    env.work.mkdir()
    subprocess.run(["git", "init", "-q", str(env.work)], check=True)
    with ScriptedServer(scenario("hello")) as server:
        table = {
            "absent": "",
            "none": '[otel]\nexporter = "none"\n',
            "otlp-http": f'[otel]\nexporter = {{ otlp-http = {{ endpoint = "{collector.endpoint}" }} }}\n',
        }[otel]
        env.write_config(server.base_url, extra=table)
        started = time.perf_counter()
        result = subprocess.run(
            [*_command(), "--json", "hi"],
            cwd=env.work,
            env=env.environ(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=120,
            check=False,
        )
        elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"{otel}: exit {result.returncode}\n{result.stderr.decode(errors='replace')[-2000:]}")
    return elapsed


def main() -> None:
    """Run the benchmark and print the medians."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=7)
    args = parser.parse_args()
    ensure_bytecode()
    root = Path(tempfile.mkdtemp(prefix="pycodex-otel-bench-", dir="/var/tmp"))
    times: dict[str, list[float]] = {"absent": [], "none": [], "otlp-http": []}
    with OtlpCollector() as collector:
        for _ in range(args.n):
            for otel in times:
                times[otel].append(_once(root, otel, collector))
        received = len(collector.events)
    medians = {otel: statistics.median(values) * 1000 for otel, values in times.items()}
    for otel, value in medians.items():
        print(f"{otel:<10} median {value:7.1f} ms  (min {min(times[otel]) * 1000:.1f})")
    print(f"[otel] exporter=none vs no table: {medians['none'] / medians['absent']:.2f}x")
    print(f"otlp-http adds {medians['otlp-http'] - medians['absent']:+.1f} ms per turn ({received} events received)")


if __name__ == "__main__":
    main()

"""Benchmark: 1,000 execpolicy rules, evaluations per second and load time, beside Codex 0.169.

Run: `uv run python bench/execpolicy_bench.py` (Codex's binary: `PYCODEX_REAL_CODEX` or `.codex-ref/`).
Target: at least 10,000 command evaluations per second in process with 1,000 rules loaded.

Codex's `execpolicy check` evaluates one command per process, so its side is measured per process:
the load time is a run with the 1,000-rule file minus a run with a one-rule file, and its
evaluations per second is one over a whole run. Ours is shown both in process and per process.
"""

from __future__ import annotations

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RULES = 1_000
COMMANDS = 2_000
PROGRAMS = [f"tool{i}" for i in range(200)] + ["git", "npm", "cargo", "docker", "kubectl"]
SUBS = ["status", "push", "build", "test", "run", "deploy", "list", "get", "apply", "-v", "--all", "x"]


def make_rules(rng: random.Random) -> str:
    lines = ["# generated: 1,000 prefix rules"]
    for i in range(RULES):
        first = rng.choice(PROGRAMS)
        pattern = [f'"{first}"']
        for _ in range(rng.randint(0, 3)):
            if rng.random() < 0.25:
                pattern.append("[" + ", ".join(f'"{s}"' for s in rng.sample(SUBS, 3)) + "]")
            else:
                pattern.append(f'"{rng.choice(SUBS)}"')
        decision = rng.choice(["allow", "prompt", "forbidden"])
        extra = f', justification="rule {i}"' if i % 5 == 0 else ""
        lines.append(f'prefix_rule(pattern=[{", ".join(pattern)}], decision="{decision}"{extra})')
    return "\n".join(lines) + "\n"


def make_commands(rng: random.Random) -> list[list[str]]:
    return [[rng.choice(PROGRAMS), *rng.choices(SUBS, k=rng.randint(0, 4))] for _ in range(COMMANDS)]


def codex_binary() -> Path | None:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    found = sorted((ROOT / ".codex-ref" / "node_modules" / "@openai").glob("codex-linux-*/vendor/*/bin/codex"))
    return found[0] if found else None


def in_process(rules: Path, commands: list[list[str]]) -> tuple[float, float, float]:
    """(load seconds, evaluations/s, evaluations/s with host-executable resolution)."""
    from pycodex_execpolicy import parse_policy_files

    loads: list[float] = []
    policy = parse_policy_files([rules])
    for _ in range(5):
        start = time.perf_counter()
        policy = parse_policy_files([rules])
        loads.append(time.perf_counter() - start)
    rates = []
    for resolve in (False, True):
        start = time.perf_counter()
        rounds = 5
        for _ in range(rounds):
            for command in commands:
                policy.check(command, resolve_host_executables=resolve)
        rates.append(rounds * len(commands) / (time.perf_counter() - start))
    return statistics.median(loads), rates[0], rates[1]


def requirements(rules: Path, commands: list[list[str]]) -> float:
    """Approval decisions per second for `bash -lc` scripts of two commands (tree-sitter split, heuristics)."""
    from pycodex_execpolicy import exec_requirement, parse_policy_files, shell_join

    policy = parse_policy_files([rules])
    scripts = [
        ["bash", "-lc", f"{shell_join(a)} && {shell_join(b)}"] for a, b in zip(commands, commands[1:], strict=False)
    ]
    start = time.perf_counter()
    for script in scripts:
        exec_requirement(policy, script, approval_policy="on-request", filesystem_restricted=True)
    return len(scripts) / (time.perf_counter() - start)


def per_process(argv: list[str], rules: Path, small: Path, command: list[str], runs: int) -> tuple[float, float]:
    """(median seconds of a whole run with the 1,000 rules, the same minus a one-rule run)."""
    env = {**os.environ, "RUST_BACKTRACE": "0"}

    def timed(path: Path) -> float:
        samples = []
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run([*argv, "-r", str(path), "--", *command], env=env, capture_output=True, check=True)
            samples.append(time.perf_counter() - start)
        return statistics.median(samples)

    full = timed(rules)
    return full, full - timed(small)


def main() -> int:
    rng = random.Random(1000)
    commands = make_commands(rng)
    with tempfile.TemporaryDirectory(dir="/var/tmp" if Path("/var/tmp").is_dir() else None) as tmp:
        rules = Path(tmp) / "bench.rules"
        rules.write_text(make_rules(rng), encoding="utf-8")
        small = Path(tmp) / "small.rules"
        small.write_text('prefix_rule(pattern=["git"])\n', encoding="utf-8")
        load, rate, rate_resolve = in_process(rules, commands)
        print(f"rules: {RULES}, commands: {COMMANDS}")
        print(f"ours in process: load {load * 1000:.1f} ms, {rate:,.0f} evaluations/s "
              f"({rate_resolve:,.0f}/s resolving host executables); target >= 10,000/s: "
              f"{'met' if rate >= 10_000 else 'NOT met'}")  # fmt: skip
        print(f"ours in process: {requirements(rules, commands):,.0f} approval decisions/s for `bash -lc 'A && B'`")
        env_home = {"CODEX_HOME": tmp}
        os.environ.update(env_home)
        ours_full, ours_load = per_process(
            [sys.executable, "-m", "pycodex_cli", "execpolicy", "check"], rules, small, commands[0], 7
        )
        print(f"ours per process: {ours_full * 1000:.0f} ms a run ({1 / ours_full:.1f} evaluations/s), "
              f"load of the 1,000 rules {ours_load * 1000:.0f} ms")  # fmt: skip
        codex = codex_binary()
        if codex is None:
            print("codex: binary not found (set PYCODEX_REAL_CODEX)")
            return 0
        full, codex_load = per_process([str(codex), "execpolicy", "check"], rules, small, commands[0], 15)
        print(f"codex per process: {full * 1000:.0f} ms a run ({1 / full:.1f} evaluations/s), "
              f"load of the 1,000 rules {codex_load * 1000:.0f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: the README's main command on the embedded model, cold and warm, per prompt profile.

For each profile (`auto`, which picks `small-local` for SmolLM2-135M, and `default`, the full
prompt) it runs `codex exec --oss --skip-git-repo-check "Say hello to a new user in one sentence."`
twice with a fresh CODEX_HOME: the first run has no prompt-prefix cache (cold), the second reuses
the one the first saved (warm). It prints wall time, tokens in the prompt, time to the first token
(from the rollout's `task_complete`) and the answer's length.

    uv run python bench/oss_first_run.py [-n 3]

Targets (issue "offline first run"): warm under 3 s to the first token and under 5 s in all;
cold under 10 s once the wheels are installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROMPT = "Say hello to a new user in one sentence."


def _codex() -> list[str]:
    script = Path(sys.executable).with_name("codex")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pycodex_cli"]


def _run(home: Path, work: Path, profile: str) -> dict[str, float | int | str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
    env["CODEX_HOME"] = str(home)
    argv = [*_codex(), "exec", "--oss", "--skip-git-repo-check", "-c", f'oss_prompt_profile="{profile}"', PROMPT]
    started = time.perf_counter()
    result = subprocess.run(
        argv, cwd=work, env=env, capture_output=True, text=True, encoding="utf-8", timeout=600, check=False
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"run failed ({result.returncode}):\n{result.stderr[-2000:]}")
    complete, prompt_tokens = {}, 0
    for rollout in sorted(home.glob("sessions/**/rollout-*.jsonl"), key=lambda p: p.stat().st_mtime)[-1:]:
        for line in rollout.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            payload = record.get("payload") or {}
            if payload.get("type") == "task_complete":
                complete = payload
            if payload.get("type") == "token_count" and payload.get("info"):
                prompt_tokens = payload["info"]["last_token_usage"]["input_tokens"]
    return {
        "wall": wall,
        "ttft": (complete.get("time_to_first_token_ms") or 0) / 1000,
        "prompt_tokens": prompt_tokens,
        "answer_chars": len(result.stdout.strip()),
        "answer": result.stdout.strip()[:80],
    }


def main() -> None:
    """Run the benchmark and print a table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("-n", type=int, default=3, help="cold+warm pairs per profile")
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="pycodex-oss-bench-"))
    print(f"{'profile':<10} {'run':<5} {'wall s':>7} {'ttft s':>7} {'prompt tok':>10} {'chars':>6}  answer")
    for profile in ("auto", "default"):
        rows: dict[str, list[dict[str, float | int | str]]] = {"cold": [], "warm": []}
        for index in range(args.n):
            home, work = root / f"{profile}-{index}" / "home", root / f"{profile}-{index}" / "work"
            home.mkdir(parents=True)
            work.mkdir()
            rows["cold"].append(_run(home, work, profile))
            rows["warm"].append(_run(home, work, profile))
        for kind, runs in rows.items():
            wall = statistics.median(float(r["wall"]) for r in runs)
            ttft = statistics.median(float(r["ttft"]) for r in runs)
            tokens = statistics.median(int(r["prompt_tokens"]) for r in runs)
            chars = statistics.median(int(r["answer_chars"]) for r in runs)
            print(f"{profile:<10} {kind:<5} {wall:7.2f} {ttft:7.2f} {tokens:10.0f} {chars:6.0f}  {runs[-1]['answer']}")


if __name__ == "__main__":
    main()

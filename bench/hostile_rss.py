"""Benchmark: peak RSS of `codex exec --json` while the server streams gigabytes of text deltas.

The scripted server streams `--gb` GiB of `response.output_text.delta` events (`--delta-kb` KiB each), then one
assistant message and `response.completed`. pycodex and the real Codex 0.169 run side by side against the same
script; each run's peak RSS comes from `wait4` on the child, its wall time from the clock.

    uv run python bench/hostile_rss.py [--gb 2] [--delta-kb 10] [--only ours|codex]

Target: pycodex's peak RSS at most Codex's (about 150 MB).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import IO

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e"))

from e2e_support import Env, real_codex  # pyright: ignore[reportMissingImports]

from pycodex_test_support import ScriptedServer, hostile_turn


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


def _drain(stream: IO[bytes] | None, into: list[bytes], keep: int) -> None:
    if stream is None:
        return
    tail = b""
    while chunk := stream.read(65536):
        tail = (tail + chunk)[-keep:]
    into.append(tail)


def run_once(command: list[str], total_bytes: int, delta_bytes: int, root: Path) -> tuple[float, float, str]:
    """One run: (wall seconds, peak RSS in MiB, last event line)."""
    env = _fresh_env(root)
    turn = hostile_turn("endless_deltas", delta_bytes=delta_bytes, total_bytes=total_bytes)
    with ScriptedServer([turn]) as server:
        env.write_config(server.base_url, extra="check_for_update_on_startup = false")
        start = time.perf_counter()
        proc = subprocess.Popen(
            [*command, "--json", "--skip-git-repo-check", "stream a lot"],
            cwd=env.work,
            env=env.environ(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        out: list[bytes] = []
        err: list[bytes] = []
        readers = [
            threading.Thread(target=_drain, args=(proc.stdout, out, 4096), daemon=True),
            threading.Thread(target=_drain, args=(proc.stderr, err, 4096), daemon=True),
        ]
        for reader in readers:
            reader.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - start
        for reader in readers:
            reader.join(10)
    lines = b"".join(out).strip().splitlines()
    last = lines[-1].decode("utf-8", errors="replace")[:120] if lines else b"".join(err).decode()[-300:]
    return wall, usage.ru_maxrss / 1024, last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gb", type=float, default=2.0, help="GiB of text deltas to stream (default 2)")
    parser.add_argument("--delta-kb", type=int, default=10, help="KiB per delta event (default 10)")
    parser.add_argument("--only", choices=("ours", "codex"), help="run one side only")
    args = parser.parse_args()
    total = int(args.gb * 1024**3)
    root = Path("/var/tmp") / "pycodex-bench-hostile"
    root.mkdir(parents=True, exist_ok=True)
    sides: list[tuple[str, list[str]]] = []
    if args.only != "codex":
        sides.append(("pycodex", _ours()))
    codex = real_codex()
    if args.only != "ours":
        if codex is None or not codex.exists():
            print("Codex 0.169 not found (set PYCODEX_REAL_CODEX); measuring pycodex only")
        else:
            sides.append(("codex 0.169", [str(codex), "exec"]))
    print(f"streaming {args.gb:g} GiB of {args.delta_kb} KiB text deltas")
    print(f"{'client':<12} {'peak RSS MiB':>13} {'wall s':>8} {'MiB/s':>7}  last event")
    for name, command in sides:
        wall, rss, last = run_once(command, total, args.delta_kb * 1024, root)
        rate = total / 1024**2 / wall
        print(f"{name:<12} {rss:>13.1f} {wall:>8.1f} {rate:>7.0f}  {last}")


if __name__ == "__main__":
    main()

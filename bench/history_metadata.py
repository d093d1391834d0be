"""Cost of `history_log_id` / `history_entry_count` at session start, by size of `history.jsonl`.

Run: `uv run python bench/history_metadata.py [--mib 1 16 128 512]`. Writes a history file of each size
(one Codex-format entry per line) under a temporary directory, then prints the median time of
`history_metadata` over five runs (the file is in the page cache after the first).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from pycodex_core._history_file import SCAN_LIMIT_BYTES, history_metadata

LINE = (
    b'{"session_id":"01a23456-252b-7628-8251-cf3a7d8d3658","ts":1764640000,'
    b'"text":"fix the failing test in the parser"}\n'
)


def bench(mib: int, root: Path) -> tuple[float, int]:
    path = root / f"history-{mib}.jsonl"
    block = LINE * (1024 * 1024 // len(LINE))
    with path.open("wb") as f:
        for _ in range(mib):
            f.write(block)
    times = []
    count = 0
    for _ in range(5):
        t0 = time.perf_counter()
        _, count = history_metadata(path)
        times.append(time.perf_counter() - t0)
    path.unlink()
    return statistics.median(times), count


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, nargs="*", default=[1, 16, 128, 512])
    args = parser.parse_args()
    print(f"scan limit: {SCAN_LIMIT_BYTES // (1024 * 1024)} MiB (past it the count is extrapolated)")
    with tempfile.TemporaryDirectory() as tmp:
        for mib in args.mib:
            seconds, count = bench(mib, Path(tmp))
            print(f"{mib:>5} MiB  {count:>10} entries  {seconds * 1000:8.1f} ms")


if __name__ == "__main__":
    main()

"""Benchmark: a 500-hunk patch on a 20,000-line file, in process and as a whole process vs Codex 0.169.

Run: `uv run python bench/apply_patch_bench.py` (Codex's binary: `PYCODEX_REAL_CODEX` or `.codex-ref/`).
Targets: in process <= 20 ms; whole process <= 3x Codex's binary on the same patch.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LINES = 20_000
HUNKS = 500
ROOT = Path(__file__).resolve().parents[1]


def make_case() -> tuple[bytes, str, bytes]:
    """Return (original file, patch text, expected file)."""
    lines = [f"    value_{i} = compute({i}, {i * 7 % 13})  # line {i}" for i in range(LINES)]
    new = list(lines)
    chunks: list[str] = []
    step = LINES // HUNKS
    for hunk in range(HUNKS):
        at = hunk * step + step // 2
        new[at] = f"    value_{at} = compute_fast({at})  # changed"
        chunks.append(f"@@ {lines[at - 3].strip()}\n {lines[at - 1]}\n-{lines[at]}\n+{new[at]}\n {lines[at + 1]}")
    patch = "*** Begin Patch\n*** Update File: big.py\n" + "\n".join(chunks) + "\n*** End Patch\n"
    return ("\n".join(lines) + "\n").encode(), patch, ("\n".join(new) + "\n").encode()


def codex_binary() -> Path | None:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    found = [p for p in ROOT.glob(".codex-ref/node_modules/@openai/codex-linux-x64/**/codex") if p.is_file()]
    return found[0] if found else None


def bench_in_process(original: bytes, patch: str, expected: bytes, runs: int = 30) -> float:
    from pycodex_apply_patch import apply_patch

    times: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "big.py"
        for _ in range(runs):
            target.write_bytes(original)
            start = time.perf_counter()
            apply_patch(patch, cwd=tmp)
            times.append(time.perf_counter() - start)
            assert target.read_bytes() == expected
    return statistics.median(times) * 1000


def bench_process(program: list[str], original: bytes, patch: str, expected: bytes, runs: int = 30) -> float:
    times: list[float] = []
    data = patch.encode()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "big.py"
        for _ in range(runs):
            target.write_bytes(original)
            start = time.perf_counter()
            proc = subprocess.run(program, input=data, cwd=tmp, capture_output=True, check=False)
            times.append(time.perf_counter() - start)
            assert proc.returncode == 0, proc.stderr
            assert target.read_bytes() == expected
    return statistics.median(times) * 1000


def main() -> int:
    # Installed wheels ship compiled bytecode; an editable checkout (and PYTHONDONTWRITEBYTECODE) may not.
    import compileall

    import pycodex_apply_patch

    compileall.compile_dir(str(Path(pycodex_apply_patch.__file__).parent), quiet=1)
    original, patch, expected = make_case()
    print(f"case: {HUNKS} hunks, {LINES} lines, file {len(original) / 1e6:.2f} MB, patch {len(patch) / 1e3:.0f} KB")
    in_process = bench_in_process(original, patch, expected)
    print(f"in process (parse + verify + atomic write): {in_process:7.2f} ms   (target <= 20 ms)")
    ours = shutil.which("apply_patch", path=str(Path(sys.executable).parent))
    if ours is None:
        print("console script apply_patch not installed; run `uv sync`")
        return 1
    ours_ms = bench_process([ours], original, patch, expected)
    print(f"whole process, ours  (apply_patch < patch): {ours_ms:7.2f} ms")
    binary = codex_binary()
    if binary is None:
        print("Codex binary not found (set PYCODEX_REAL_CODEX); ratio not measured")
        return 0
    with tempfile.TemporaryDirectory() as bindir:
        link = Path(bindir) / "apply_patch"
        link.symlink_to(binary)
        codex_ms = bench_process([str(link)], original, patch, expected)
        trivial = "*** Begin Patch\n*** Add File: big.py\n*** End Patch\n"
        floor_codex = bench_process([str(link)], b"", trivial, b"")
    floor_ours = bench_process([ours], b"", trivial, b"")
    print(f"whole process, Codex (apply_patch < patch): {codex_ms:7.2f} ms")
    print(f"ratio ours / Codex: {ours_ms / codex_ms:.2f}x   (target <= 3x)")
    print(f"start-up floor (one-line add): ours {floor_ours:.2f} ms, Codex {floor_codex:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

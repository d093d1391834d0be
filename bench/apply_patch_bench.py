"""Benchmark: two families of 500-hunk patches on a 20,000-line file, ours vs Codex 0.169's binary.

- plain: `@@ context` headers, exact context lines (LF).
- fuzzy: a CRLF file with tab indentation, trailing whitespace and typographic quotes and dashes;
  the patch quotes its context with spaces for tabs, no trailing whitespace and ASCII punctuation,
  so every chunk is found by the fuzzy passes and its context lines are kept as the file has them.

Each is timed in process and as a whole process (`apply_patch < patch`), side by side with Codex.
Run: `uv run python bench/apply_patch_bench.py` (Codex's binary: `PYCODEX_REAL_CODEX` or `.codex-ref/`).
Targets: in process <= 20 ms (plain); whole process <= 3x Codex's binary on each family.
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
    """The plain family: return (original file, patch text, expected file)."""
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


def make_fuzzy_case() -> tuple[bytes, str, bytes]:
    """The fuzzy family: return (original file, patch text, expected file)."""
    lines = [f"\tlabel_{i} = \u201cvalue {i}\u201d \u2014 step {i % 13}  " for i in range(LINES)]
    new = list(lines)
    chunks: list[str] = []
    step = LINES // HUNKS

    def quoted(line: str) -> str:  # how a model quotes the line: spaces, ASCII, no trailing blanks
        return "    " + line.strip().replace("\u201c", '"').replace("\u201d", '"').replace("\u2014", "-")

    for hunk in range(HUNKS):
        at = hunk * step + step // 2
        new[at] = f"    label_{at} = 'changed'"
        chunks.append(f"@@\n {quoted(lines[at - 1])}\n-{quoted(lines[at])}\n+{new[at]}\n {quoted(lines[at + 1])}")
    patch = "*** Begin Patch\n*** Update File: big.py\n" + "\n".join(chunks) + "\n*** End Patch\n"
    return ("\r\n".join(lines) + "\r\n").encode(), patch, ("\r\n".join(new) + "\r\n").encode()


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


def _family(name: str, case: tuple[bytes, str, bytes], ours: str, codex: str | None) -> float | None:
    original, patch, expected = case
    in_process = bench_in_process(original, patch, expected)
    ours_ms = bench_process([ours], original, patch, expected)
    print(f"{name}: in process {in_process:6.2f} ms; whole process: ours {ours_ms:6.2f} ms", end="")
    if codex is None:
        print()
        return None
    codex_ms = bench_process([codex], original, patch, expected)
    print(f", Codex {codex_ms:6.2f} ms, ratio {ours_ms / codex_ms:.2f}x (target <= 3x)")
    return ours_ms / codex_ms


def main() -> int:
    # Installed wheels ship compiled bytecode; an editable checkout (and PYTHONDONTWRITEBYTECODE) may not.
    import compileall

    import pycodex_apply_patch

    compileall.compile_dir(str(Path(pycodex_apply_patch.__file__).parent), quiet=1)
    ours = shutil.which("apply_patch", path=str(Path(sys.executable).parent))
    if ours is None:
        print("console script apply_patch not installed; run `uv sync`")
        return 1
    binary = codex_binary()
    with tempfile.TemporaryDirectory() as bindir, tempfile.TemporaryDirectory() as journal:
        os.environ["PYCODEX_APPLY_PATCH_JOURNAL_DIR"] = journal
        link = Path(bindir) / "apply_patch"
        codex = None
        if binary is not None:
            link.symlink_to(binary)
            codex = str(link)
        else:
            print("Codex binary not found (set PYCODEX_REAL_CODEX); ratios not measured")
        print(f"each family: {HUNKS} hunks on a {LINES}-line file")
        _family("plain", make_case(), ours, codex)
        _family("fuzzy", make_fuzzy_case(), ours, codex)
        trivial = "*** Begin Patch\n*** Add File: big.py\n*** End Patch\n"
        floor_ours = bench_process([ours], b"", trivial, b"")
        if codex is not None:
            floor_codex = bench_process([codex], b"", trivial, b"")
            print(f"start-up floor (one-line add): ours {floor_ours:.2f} ms, Codex {floor_codex:.2f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

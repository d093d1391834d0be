"""Byte-compile the environment before timing start-up, as an installed wheel would be.

Where `PYTHONDONTWRITEBYTECODE` is set (it is on some CI and sandbox machines), Python never caches
bytecode and every run compiles every module it imports from source: about 180 ms of a `codex exec`
run. Installers compile at install time (`pip`, `uv pip install --compile-bytecode`), so the
benchmarks do the same first.
"""

from __future__ import annotations

import compileall
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def ensure_bytecode() -> None:
    """Compile site-packages and the workspace sources (quietly; already compiled files are skipped)."""
    targets = [Path(sysconfig.get_paths()["purelib"]), *sorted(ROOT.glob("packages/*/src"))]
    for target in targets:
        compileall.compile_dir(str(target), quiet=2, workers=0)
    print(f"bytecode: compiled {len(targets)} trees for {sys.executable}", file=sys.stderr)

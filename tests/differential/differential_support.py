"""Running one patch case through our `apply_patch` and through Codex 0.169's, and comparing outcomes.

Each case builds the same directory tree twice, runs one implementation in each copy and records
exit code, stdout, stderr (with the directory replaced by `<ROOT>`) and the resulting tree (bytes,
permission bits, symlinks, directories).

Codex's binary dispatches on argv[0]: a symlink named `apply_patch` runs its patcher.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = "{ROOT}"
"""Placeholder in patches and file contents for the per-run root directory (absolute paths)."""

Entry = bytes | tuple[bytes, int] | tuple[str, str] | None
"""A file's bytes, (bytes, mode), ("symlink", target) or None for an empty directory."""


@dataclass
class Case:
    name: str
    patch: str | None
    files: dict[str, Entry] = field(default_factory=dict)
    args: list[str] | None = None
    """Explicit argv (after the program name); default `[patch]`."""
    stdin: str | None = None


# -- locating the binaries ------------------------------------------------------------------------


def codex_binary() -> Path:
    env = os.environ.get("PYCODEX_REAL_CODEX")
    if env:
        return Path(env)
    found = sorted(Path(__file__).resolve().parents[2].glob(".codex-ref/node_modules/@openai/codex-linux-x64/**/codex"))
    found = [path for path in found if path.is_file()]
    if not found:
        pytest.fail(
            "The real Codex 0.169 binary is missing: set PYCODEX_REAL_CODEX or run "
            "`npm install --prefix .codex-ref @openai/codex@0.169.0`."
        )
    return found[0]


def ours_apply_patch() -> Path:
    script = Path(sys.executable).parent / "apply_patch"
    assert script.exists(), f"console script not installed at {script}"
    return script


# -- running and snapshotting ---------------------------------------------------------------------


def _build(base: Path, files: dict[str, Entry], root: Path) -> None:
    for rel, entry in files.items():
        path = base / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if entry is None:
            path.mkdir(exist_ok=True)
        elif isinstance(entry, bytes):
            path.write_bytes(entry.replace(ROOT.encode(), str(root).encode()))
        elif isinstance(entry[0], bytes):
            path.write_bytes(entry[0])
            path.chmod(int(entry[1]))
        elif entry[0] == "fifo":
            os.mkfifo(path)
        else:
            path.symlink_to(str(entry[1]).replace(ROOT, str(root)))


def _tree(root: Path) -> dict[str, object]:
    out: dict[str, object] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            rel = str(path.relative_to(root))
            info = path.lstat()
            if stat.S_ISLNK(info.st_mode):
                out[rel] = ("link", os.readlink(path).replace(str(root), ROOT))
            elif stat.S_ISDIR(info.st_mode):
                out[rel] = "dir"
            elif stat.S_ISFIFO(info.st_mode):
                out[rel] = "fifo"
            else:
                out[rel] = (
                    path.read_bytes().replace(str(root).encode(), ROOT.encode()),
                    oct(stat.S_IMODE(info.st_mode)),
                )
    return out


@dataclass
class Outcome:
    rc: int
    stdout: str
    stderr: str
    files: dict[str, object]


def run_case(program: Path, case: Case, root: Path) -> Outcome:
    root.mkdir()
    work = root / "work"
    work.mkdir()
    _build(work, {k: v for k, v in case.files.items() if not k.startswith("../")}, root)
    _build(root, {k[3:]: v for k, v in case.files.items() if k.startswith("../")}, root)
    if case.args is not None:
        args = [arg.replace(ROOT, str(root)) for arg in case.args]
    elif case.patch is not None:
        args = [case.patch.replace(ROOT, str(root))]
    else:
        args = []
    stdin = None if case.stdin is None else case.stdin.replace(ROOT, str(root)).encode()
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYCODEX_APPLY_PATCH")}
    proc = subprocess.run(
        [str(program), *args],
        cwd=work,
        input=stdin if stdin is not None else b"",
        capture_output=True,
        env=env,
        timeout=60,
    )

    def norm(data: bytes) -> str:
        return data.decode("utf-8", "replace").replace(str(root), ROOT)

    return Outcome(proc.returncode, norm(proc.stdout), norm(proc.stderr), _tree(root))


def differing(ours: Outcome, theirs: Outcome) -> set[str]:
    """The aspects (`rc`, `stdout`, `stderr`, `files`) in which two outcomes differ."""
    return {
        aspect for aspect in ("rc", "stdout", "stderr", "files") if getattr(ours, aspect) != getattr(theirs, aspect)
    }

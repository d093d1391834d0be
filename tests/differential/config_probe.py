"""Load a config.toml (and `-c` overrides) in Codex 0.169 and in pycodex, offline, and compare.

`codex exec --skip-git-repo-check` with stdin at /dev/null loads the config first and then stops
with `No prompt provided via stdin.` (status 1) when the config is good, so no model is needed:
a rejected config prints `Error ...` instead. Both programs are run the same way.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
NO_PROMPT = "No prompt provided via stdin."


def real_codex() -> Path | None:
    """The Codex 0.169 binary: `$PYCODEX_REAL_CODEX`, else the npm install under `.codex-ref`."""
    configured = os.environ.get("PYCODEX_REAL_CODEX")
    if configured:
        return Path(configured)
    root = REPO / ".codex-ref" / "node_modules" / "@openai"
    found = sorted(root.glob("codex-linux-*/vendor/*/bin/codex")) if root.is_dir() else []
    return found[0] if found else None


@dataclass(frozen=True)
class Outcome:
    """How one program took one config."""

    rc: int
    stderr: str

    @property
    def accepted(self) -> bool:
        """The config loaded (the run went on to look for a prompt)."""
        return NO_PROMPT in self.stderr

    @property
    def unknown_field(self) -> bool:
        """The config was refused for an unknown field (`--strict-config`)."""
        return "unknown configuration field" in self.stderr


def _scratch() -> Path:
    # Codex skips work when CODEX_HOME is under /tmp; /var/tmp is fine for both programs.
    base = Path("/var/tmp") if Path("/var/tmp").is_dir() else Path(tempfile.gettempdir())
    return Path(tempfile.mkdtemp(prefix="pycodex-cfg-", dir=base))


def run(
    program: list[str],
    config: str,
    args: tuple[str, ...] = (),
    *,
    files: dict[str, str] | None = None,
) -> Outcome:
    """Run `PROGRAM exec --skip-git-repo-check ARGS` with `config` as `$CODEX_HOME/config.toml`."""
    root = _scratch()
    home, work = root / "home", root / "work"
    home.mkdir()
    work.mkdir()
    (home / "config.toml").write_text(config, encoding="utf-8")
    for name, text in (files or {}).items():
        (home / name).write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
    env.update({"CODEX_HOME": str(home), "NO_COLOR": "1", "RUST_BACKTRACE": "0"})
    try:
        done = subprocess.run(
            [*program, "exec", "--skip-git-repo-check", *args],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=60,
            cwd=work,
            env=env,
        )
    finally:
        subprocess.run(["rm", "-rf", str(root)], check=False)
    return Outcome(done.returncode, done.stderr)


def pycodex() -> list[str]:
    """The pycodex `codex` command."""
    return [sys.executable, "-m", "pycodex_cli"]

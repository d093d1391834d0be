"""Run the escape probes under pycodex (bubblewrap, Landlock) and Codex 0.169, and write the table in docs/sandbox.md.

Usage: `uv run python tests/sandbox/report.py` (needs bubblewrap; the Codex column needs the npm
binary under `.codex-ref`, or `$PYCODEX_REAL_CODEX`). The table replaces the text between the
`<!-- probes:begin -->` and `<!-- probes:end -->` markers.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from harness import Target, Verdict, pycodex_launcher, write_config

REPO = Path(__file__).resolve().parents[2]
DOC = REPO / "docs" / "sandbox.md"


def real_codex() -> Path | None:
    """Codex 0.169: `$PYCODEX_REAL_CODEX`, else the npm install under `.codex-ref` (as tests/e2e finds it)."""
    if os.environ.get("PYCODEX_REAL_CODEX"):
        return Path(os.environ["PYCODEX_REAL_CODEX"])
    found = sorted((REPO / ".codex-ref" / "node_modules" / "@openai").glob("codex-linux-*/vendor/*/bin/codex"))
    return found[0] if found else None


WORKSPACE_WRITE = ["-c", 'sandbox_mode="workspace-write"', "--"]


def column(name: str, launcher: list[str], extra_env: dict[str, str]) -> dict[str, Verdict]:
    work = Path("/var/tmp") / f"pycodex-report-{name}-{os.getpid()}"
    target = Target(work)
    home = work / "codex-home"
    write_config(home, str(target.spec["evil_so"]) if shutil.which("cc") else None)
    env = {**os.environ, "CODEX_HOME": str(home), **extra_env}
    try:
        verdicts = target.judge(target.run(launcher, env))
    finally:
        target.close()
        shutil.rmtree(work, ignore_errors=True)
    return {v.probe: v for v in verdicts}


def cell(v: Verdict | None) -> str:
    if v is None:
        return "n/a"
    if v.control:
        return "works" if not v.escaped else "**refused**"
    return "blocked" if not v.escaped else "**ESCAPED**"


def main() -> int:
    cols: dict[str, dict[str, Verdict]] = {
        "pycodex (bubblewrap + seccomp)": column("bwrap", [*pycodex_launcher()[:-1], *WORKSPACE_WRITE], {}),
        "pycodex (Landlock + seccomp fallback)": column(
            "landlock", [*pycodex_launcher()[:-1], *WORKSPACE_WRITE], {"PYCODEX_BWRAP": ""}
        ),
    }
    codex = real_codex()
    if codex is not None and codex.exists():
        cols["Codex 0.169 `codex sandbox`"] = column("codex", [str(codex), "sandbox", *WORKSPACE_WRITE], {})
    probes = list(next(iter(cols.values())))
    lines = ["| probe | " + " | ".join(cols) + " |", "|---|" + "---|" * len(cols)]
    for probe in probes:
        lines.append(f"| `{probe}` | " + " | ".join(cell(c.get(probe)) for c in cols.values()) + " |")
    totals = [sum(1 for v in c.values() if v.escaped and not v.control) for c in cols.values()]
    lines.append("| **escapes** | " + " | ".join(str(t) for t in totals) + " |")
    table = "\n".join(lines)
    text = DOC.read_text(encoding="utf-8")
    begin, end = "<!-- probes:begin -->", "<!-- probes:end -->"
    head, _, rest = text.partition(begin)
    _, _, tail = rest.partition(end)
    DOC.write_text(f"{head}{begin}\n{table}\n{end}{tail}", encoding="utf-8")
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())

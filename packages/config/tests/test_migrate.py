from __future__ import annotations

import json
import sys
import tomllib
from pathlib import Path

import pytest

from pycodex_config import MigrationError, load_config, migrate_legacy

LEGACY = {
    "model": "o4-mini",
    "provider": "openrouter",
    "approvalMode": "full-auto",
    "fullAutoErrorMode": "ignore-and-continue",
    "providers": {"mine": {"name": "Mine", "baseURL": "http://127.0.0.1:9/v1", "envKey": "MINE_KEY"}},
    "history": {"maxSize": 1000, "saveHistory": False, "sensitivePatterns": []},
    "notify": True,
    "reasoningEffort": "high",
    "memory": {"enabled": False},
}


def test_migrates_config_json_and_instructions(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(json.dumps(LEGACY), encoding="utf-8")
    (tmp_path / "instructions.md").write_text("Always write tests.\n", encoding="utf-8")
    report = migrate_legacy(tmp_path)
    assert report.source == tmp_path / "config.json"
    assert report.written == [tmp_path / "config.toml", tmp_path / "AGENTS.md"]
    data = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))
    assert data == {
        "model": "o4-mini",
        "model_provider": "openrouter",
        "model_providers": {
            "openrouter": {
                "name": "OpenRouter",
                "base_url": "https://openrouter.ai/api/v1",
                "env_key": "OPENROUTER_API_KEY",
                "wire_api": "chat",
            },
            "mine": {"name": "Mine", "base_url": "http://127.0.0.1:9/v1", "env_key": "MINE_KEY", "wire_api": "chat"},
        },
        "approval_policy": "never",
        "sandbox_mode": "workspace-write",
        "history": {"persistence": "none"},
        "tui": {"notifications": True},
        "model_reasoning_effort": "high",
    }
    assert (tmp_path / "AGENTS.md").read_text(encoding="utf-8") == "Always write tests.\n"
    assert "memory: no equivalent in Codex 0.169" in report.dropped
    summary = report.summary()
    assert summary.startswith(f"Read {tmp_path / 'config.json'}\nMigrated:\n")
    assert "approval_policy = 'never'" in summary
    # the result is a valid config for the loader
    config = load_config(cwd=tmp_path, codex_home=tmp_path, strict=True)
    assert config.model_provider.base_url == "https://openrouter.ai/api/v1"
    assert config.model_provider.wire_api == "chat"


def test_existing_config_toml_needs_force(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model": "o3", "approvalMode": "suggest"}', encoding="utf-8")
    (tmp_path / "config.toml").write_text('# keep me\nmodel = "gpt-5.5"\n', encoding="utf-8")
    report = migrate_legacy(tmp_path)
    assert report.written == []
    assert report.skipped == [
        f"{tmp_path / 'config.toml'}: already exists (use --force to add the migrated keys to it)"
    ]
    assert (tmp_path / "config.toml").read_text(encoding="utf-8") == '# keep me\nmodel = "gpt-5.5"\n'
    forced = migrate_legacy(tmp_path, force=True)
    assert forced.written == [tmp_path / "config.toml"]
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert text.startswith("# keep me\n")
    assert tomllib.loads(text) == {"model": "o3", "approval_policy": "on-request", "sandbox_mode": "read-only"}


def test_nothing_to_migrate(tmp_path: Path) -> None:
    report = migrate_legacy(tmp_path)
    assert report.nothing_found
    assert report.summary() == "No legacy configuration (config.json, config.yaml, instructions.md) found.\n"


def test_broken_json(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text('{"model": ', encoding="utf-8")
    with pytest.raises(MigrationError, match=r"config.json:1:11: Expecting value"):
        migrate_legacy(tmp_path)


def test_yaml_with_pyyaml(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("model: o3\napprovalMode: auto-edit\n", encoding="utf-8")
    report = migrate_legacy(tmp_path)
    assert report.settings == {"model": "o3", "approval_policy": "on-request", "sandbox_mode": "workspace-write"}


def test_yaml_without_pyyaml_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "yaml", None)
    (tmp_path / "config.yaml").write_text("model: o3\n", encoding="utf-8")
    with pytest.raises(MigrationError, match=r"needs PyYAML, which is not installed"):
        migrate_legacy(tmp_path)
    assert not (tmp_path / "config.toml").exists()

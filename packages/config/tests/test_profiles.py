from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import ConfigError, load_config

BASE = """\
model = "base-model"
approval_policy = "on-request"

[tools]
web_search = false

[profiles.fast]
model = "table-model"
model_reasoning_effort = "low"
[profiles.fast.tools]
web_search = true
"""


def test_legacy_profile_key_selects_table(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('profile = "fast"\n' + BASE, encoding="utf-8")
    config = load_config(cwd=workdir)
    assert (config.profile, config.model, config.model_reasoning_effort) == ("fast", "table-model", "low")
    assert config.tools_web_search is True
    assert config.approval_policy == "on-request"


def test_dash_p_uses_profile_file_over_table(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(BASE, encoding="utf-8")
    (codex_home / "fast.config.toml").write_text('model = "file-model"\napproval_policy = "never"\n', encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast")
    assert (config.model, config.approval_policy) == ("file-model", "never")
    # the table is not used when the file exists
    assert config.model_reasoning_effort is None
    assert config.config_files == (codex_home / "config.toml", codex_home / "fast.config.toml")


def test_dash_p_falls_back_to_table(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(BASE, encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast")
    assert config.model == "table-model"


def test_dash_p_file_without_base_config(codex_home: Path, workdir: Path) -> None:
    (codex_home / "ci.config.toml").write_text('model = "ci"\n', encoding="utf-8")
    assert load_config(cwd=workdir, profile="ci").model == "ci"


def test_overrides_beat_profile(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(BASE, encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast", overrides=["model=cli"])
    assert config.model == "cli"


def test_missing_profile_is_an_error(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(BASE, encoding="utf-8")
    with pytest.raises(
        ConfigError, match=r"profile `nope` not found: create .*nope\.config\.toml or add \[profiles\.nope\]"
    ):
        load_config(cwd=workdir, profile="nope")
    with pytest.raises(ConfigError, match="invalid profile name"):
        load_config(cwd=workdir, profile="../evil")


def test_profile_file_type_error_names_profile_file(codex_home: Path, workdir: Path) -> None:
    path = codex_home / "bad.config.toml"
    path.write_text('# comment\nsandbox_mode = "bogus"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, profile="bad")
    assert str(info.value) == (
        f"Error loading config.toml: {path}:2: sandbox_mode: "
        'expected one of read-only, workspace-write, danger-full-access, got "bogus"'
    )


def test_profile_table_type_error_has_line(codex_home: Path, workdir: Path) -> None:
    path = codex_home / "config.toml"
    path.write_text('model = "a"\n\n[profiles.x]\nmodel = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == f"Error loading config.toml: {path}:4: profiles.x.model: expected a string, got 3"


def test_override_of_the_selected_profile_applies(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('model = "base"\n[profiles.fast]\nmodel = "fast-model"\n', encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast", overrides=['profiles.fast.model="o3"'])
    assert config.model == "o3"
    assert config.warnings == ()
    # A plain -c still wins over the profile, and overrides of another profile change nothing.
    config = load_config(cwd=workdir, profile="fast", overrides=['profiles.slow.model="x"', 'model="top"'])
    assert config.model == "top"
    assert config.warnings == ()


def test_profile_defined_only_by_overrides(codex_home: Path, workdir: Path) -> None:
    config = load_config(cwd=workdir, profile="adhoc", overrides=['profiles.adhoc.model="o3"'])
    assert config.model == "o3"
    with pytest.raises(ConfigError, match="profile `missing` not found"):
        load_config(cwd=workdir, profile="missing", overrides=['profiles.adhoc.model="o3"'])

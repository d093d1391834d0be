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


def test_legacy_profile_selector_is_refused_as_codex_does(codex_home: Path, workdir: Path) -> None:
    # Codex 0.169: `profile = "fast"` alone exits 1 with this message.
    (codex_home / "config.toml").write_text('profile = "fast"\n' + BASE, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == (
        'Error: legacy `profile = "fast"` config is no longer supported; '
        "use `--profile fast` with `fast.config.toml` instead"
    )


def test_legacy_profile_table_is_kept_but_not_selectable(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(BASE, encoding="utf-8")
    assert load_config(cwd=workdir).model == "base-model"  # the table alone is accepted, unused
    (codex_home / "fast.config.toml").write_text('model = "file-model"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, profile="fast")
    home = codex_home
    assert str(info.value) == (
        f"Error loading config.toml: --profile `fast` cannot be used while {home / 'config.toml'} contains legacy "
        f'`profile = "fast"` or `[profiles.fast]` config; move those settings into {home / "fast.config.toml"} '
        "and remove the legacy profile selector/table. "
        "See https://developers.openai.com/codex/config-advanced#profiles for more information."
    )


def test_dash_p_uses_profile_file(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('model = "base-model"\n', encoding="utf-8")
    (codex_home / "fast.config.toml").write_text('model = "file-model"\napproval_policy = "never"\n', encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast")
    assert (config.model, config.approval_policy, config.profile) == ("file-model", "never", "fast")
    assert config.config_files == (codex_home / "config.toml", codex_home / "fast.config.toml")


def test_dash_p_file_without_base_config(codex_home: Path, workdir: Path) -> None:
    (codex_home / "ci.config.toml").write_text('model = "ci"\n', encoding="utf-8")
    assert load_config(cwd=workdir, profile="ci").model == "ci"


def test_overrides_beat_profile(codex_home: Path, workdir: Path) -> None:
    (codex_home / "fast.config.toml").write_text('model = "fast"\n', encoding="utf-8")
    config = load_config(cwd=workdir, profile="fast", overrides=["model=cli"])
    assert config.model == "cli"


def test_missing_profile_file_is_not_an_error(codex_home: Path, workdir: Path) -> None:
    # Codex 0.169 goes on with the base config when NAME.config.toml does not exist.
    (codex_home / "config.toml").write_text('model = "base-model"\n', encoding="utf-8")
    config = load_config(cwd=workdir, profile="nope")
    assert (config.model, config.profile) == ("base-model", None)
    with pytest.raises(ConfigError, match="invalid --profile value `../evil`; pass a plain name such as `work`"):
        load_config(cwd=workdir, profile="../evil")


def test_profile_file_type_error_names_profile_file(codex_home: Path, workdir: Path) -> None:
    path = codex_home / "bad.config.toml"
    path.write_text('# comment\nsandbox_mode = "bogus"\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, profile="bad")
    assert str(info.value) == (
        f"Error loading config.toml: {path}:2: sandbox_mode: "
        "unknown variant `bogus`, expected one of `read-only`, `workspace-write`, `danger-full-access`"
    )


def test_profile_table_type_error_has_line(codex_home: Path, workdir: Path) -> None:
    path = codex_home / "config.toml"
    path.write_text('model = "a"\n\n[profiles.x]\nmodel = 3\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == f"Error loading config.toml: {path}:4: profiles.x.model: expected a string, got 3"


def test_override_of_the_selected_profile_applies(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('model = "base"\n', encoding="utf-8")
    (codex_home / "fast.config.toml").write_text('model = "fast-model"\n', encoding="utf-8")
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
    config = load_config(cwd=workdir, profile="missing", overrides=['profiles.adhoc.model="o3"'])
    assert config.model != "o3"

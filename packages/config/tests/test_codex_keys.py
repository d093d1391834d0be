"""Keys and value forms Codex 0.169 accepts (each checked against the real binary)."""

from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import ConfigError, load_config
from pycodex_config._keys import LEGACY_KEYS


def _write(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("effort", ["max", "ultra", "xhigh", "minimal"])
def test_catalog_efforts_are_accepted(codex_home: Path, workdir: Path, effort: str) -> None:
    _write(codex_home, f'model_reasoning_effort = "{effort}"\n')
    assert load_config(cwd=workdir).model_reasoning_effort == effort
    assert load_config(cwd=workdir, overrides=[f"model_reasoning_effort={effort}"]).model_reasoning_effort == effort


def test_table_form_features(codex_home: Path, workdir: Path) -> None:
    _write(codex_home, "[features.multi_agent_v2]\nenabled = true\n[features.rollout_budget]\nlimit_tokens = 5\n")
    config = load_config(cwd=workdir, strict=True)
    assert config.features["multi_agent_v2"] is True
    assert config.features["rollout_budget"] is False
    assert config.warnings == (
        "`features.rollout_budget.limit_tokens` in "
        + str(codex_home / "config.toml")
        + ":4 is not supported by pycodex yet; it is ignored",
    )
    assert load_config(cwd=workdir, overrides=["features.multi_agent_v2.enabled=true"]).features["multi_agent_v2"]


def test_table_form_of_a_boolean_feature_is_refused(codex_home: Path, workdir: Path) -> None:
    path = _write(codex_home, "[features.unified_exec]\nenabled = false\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert (
        str(info.value)
        == f"Error loading config.toml: {path}:1: features.unified_exec: invalid type: map, expected a boolean"
    )


def test_enabled_rollout_budget_needs_its_limits(codex_home: Path, workdir: Path) -> None:
    _write(codex_home, "[features.rollout_budget]\nenabled = true\n")
    with pytest.raises(
        ConfigError, match=r"^Error: features.rollout_budget.limit_tokens is required when rollout_budget is enabled$"
    ):
        load_config(cwd=workdir)
    _write(codex_home, "[features.rollout_budget]\nenabled = true\nlimit_tokens = 5\n")
    with pytest.raises(ConfigError, match="reminder_at_remaining_tokens is required"):
        load_config(cwd=workdir)


def test_keys_we_cannot_honour_yet_warn_once_each(codex_home: Path, workdir: Path) -> None:
    path = _write(codex_home, 'goals = { enabled = true }\n[tui]\npet = "cat"\n[otel]\nlog_sse_deltas = true\n')
    config = load_config(cwd=workdir, strict=True)
    assert config.warnings == (
        f"`goals` in {path}:1 is not supported by pycodex yet; it is ignored",
        f"`tui.pet` in {path}:3 is not supported by pycodex yet; it is ignored",
        f"`otel.log_sse_deltas` in {path}:5 is not supported by pycodex yet; it is ignored",
    )
    assert not any("unknown" in w for w in config.warnings)


@pytest.mark.parametrize("key", LEGACY_KEYS)
def test_legacy_keys_are_rejected_under_strict_config(codex_home: Path, workdir: Path, key: str) -> None:
    path = _write(codex_home, f"{key} = 1\n")
    assert load_config(cwd=workdir).warnings == ()
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, strict=True)
    assert str(info.value) == f"Error loading config.toml: {path}:1: unknown configuration field `{key}`"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            'web_search = "x"\n',
            "web_search: unknown variant `x`, expected one of `disabled`, `cached`, `indexed`, `live`",
        ),
        ('forced_login_method = "x"\n', "forced_login_method: unknown variant `x`, expected `chatgpt` or `api`"),
        (
            'file_opener = "x"\n',
            "file_opener: unknown variant `x`, expected one of `vscode`, `vscode-insiders`, `windsurf`, `cursor`, "
            "`none`",
        ),
        ('[history]\npersistence = "x"\n', "history.persistence: unknown variant `x`, expected `save-all` or `none`"),
    ],
)
def test_enum_errors_list_the_valid_values_with_file_and_line(
    codex_home: Path, workdir: Path, text: str, message: str
) -> None:
    path = _write(codex_home, text)
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    line = text.count("\n")
    assert str(info.value) == f"Error loading config.toml: {path}:{line}: {message}"


def _project(workdir: Path, text: str, sub: str = "") -> Path:
    (workdir / ".codex").mkdir(exist_ok=True)
    (workdir / ".codex" / "config.toml").write_text(text, encoding="utf-8")
    cwd = workdir / sub if sub else workdir
    cwd.mkdir(parents=True, exist_ok=True)
    return cwd


def test_project_config_needs_trust(codex_home: Path, workdir: Path) -> None:
    (workdir / ".git").mkdir()
    cwd = _project(workdir, 'model = "project-model"\n', "sub")
    assert load_config(cwd=cwd).model != "project-model"
    _write(codex_home, f'[projects."{workdir.resolve()}"]\ntrust_level = "trusted"\n')
    config = load_config(cwd=cwd)
    assert config.model == "project-model"
    assert config.project_root() == workdir.resolve()


def test_project_root_markers_choose_the_root(codex_home: Path, workdir: Path) -> None:
    (workdir / ".git").mkdir()
    inner = workdir / "p"
    (inner / ".hg").mkdir(parents=True)
    cwd = _project(inner, 'model = "hg-model"\n', "sub")
    trust = f'[projects."{inner.resolve()}"]\ntrust_level = "trusted"\n'
    _write(codex_home, 'project_root_markers = [".hg"]\n' + trust)
    config = load_config(cwd=cwd)
    assert (config.model, config.project_root(), config.project_root_markers) == ("hg-model", inner.resolve(), (".hg",))
    assert config.is_trusted()
    # `[]`: only the cwd is the project; the root's .codex is not read.
    _write(codex_home, "project_root_markers = []\n" + trust)
    config = load_config(cwd=cwd)
    assert (config.model != "hg-model", config.project_root()) == (True, cwd.resolve())

"""Deeply nested TOML in config.toml, a profile file or `-c` is a clear error (or a string), never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import ConfigError, load_config, parse_cli_override


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [129, 990, 5000, 50_000])
def test_deep_config_toml_is_a_config_error(codex_home: Path, workdir: Path, depth: int) -> None:
    (codex_home / "config.toml").write_text(f'model = "m"\nx = {_nested(depth)}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"^Error loading config\.toml: .*config\.toml: recursion limit exceeded"):
        load_config(cwd=workdir)


def test_deep_inline_tables_are_a_config_error(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text("x = " + "{a = " * 3000 + "1" + "}" * 3000 + "\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="recursion limit exceeded"):
        load_config(cwd=workdir)


def test_nesting_up_to_the_limit_loads(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text(f'model = "m"\nx = {_nested(127)}\n', encoding="utf-8")
    assert load_config(cwd=workdir).model == "m"


def test_deep_profile_file_is_a_config_error(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('model = "m"\n', encoding="utf-8")
    (codex_home / "deep.config.toml").write_text(f"x = {_nested(5000)}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"deep\.config\.toml: recursion limit exceeded"):
        load_config(cwd=workdir, profile="deep")


@pytest.mark.parametrize("depth", [200, 5000])
def test_deep_cli_override_is_taken_as_a_string(codex_home: Path, workdir: Path, depth: int) -> None:
    assert parse_cli_override(f"x={_nested(depth)}") == (["x"], _nested(depth))
    config = load_config(cwd=workdir, overrides=[f"model={_nested(depth)}"])
    assert config.model == _nested(depth)

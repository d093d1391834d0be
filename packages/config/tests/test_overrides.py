from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import ConfigError, ConfigOverrideError, load_config, parse_cli_override


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('model="o3"', (["model"], "o3")),
        ("model=o3", (["model"], "o3")),
        ("model = gpt 5", (["model"], "gpt 5")),
        ("shell_environment_policy.inherit=all", (["shell_environment_policy", "inherit"], "all")),
        ('sandbox_permissions=["disk-full-read-access"]', (["sandbox_permissions"], ["disk-full-read-access"])),
        ("model_context_window=1000", (["model_context_window"], 1000)),
        ("tools.web_search=true", (["tools", "web_search"], True)),
        ('projects."/a/b".trust_level="trusted"', (["projects", "/a/b", "trust_level"], "trusted")),
        ("projects.'/a=b'.trust_level=trusted", (["projects", "/a=b", "trust_level"], "trusted")),
        ('mcp_servers.x.env={A="1"}', (["mcp_servers", "x", "env"], {"A": "1"})),
        ("x=", (["x"], "")),
        ("url=http://127.0.0.1:1/v1", (["url"], "http://127.0.0.1:1/v1")),
    ],
)
def test_parse_cli_override(text: str, expected: tuple[list[str], object]) -> None:
    assert parse_cli_override(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('model="x', r"^Error parsing -c overrides: `model`: invalid TOML value '\"x': "),
        ('notify=["a", "b"', r"^Error parsing -c overrides: `notify`: invalid TOML value"),
        ("env={A=", r"^Error parsing -c overrides: `env`: invalid TOML value"),
        ("model='x", r"^Error parsing -c overrides: `model`: invalid TOML value"),
        ("model", r"^Error parsing -c overrides: invalid override \(missing '='\): model$"),
        ("=1", r"^Error parsing -c overrides: empty key in override: =1$"),
    ],
)
def test_broken_overrides_are_errors(text: str, message: str) -> None:
    with pytest.raises(ConfigOverrideError, match=message):
        parse_cli_override(text)


def test_override_type_error_names_the_override(codex_home: Path, workdir: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, overrides=["model=a", "approval_policy=5"])
    assert str(info.value) == (
        "Error loading config.toml: -c approval_policy=5: approval_policy: "
        "expected one of untrusted, on-failure, on-request, never, got 5"
    )


def test_override_replaces_scalar_parent(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text('[tools]\nweb_search = "live"\n', encoding="utf-8")
    config = load_config(cwd=workdir, overrides=["tools.web_search=false"])
    assert config.tools_web_search is False


def test_enable_disable_features(codex_home: Path, workdir: Path) -> None:
    (codex_home / "config.toml").write_text("[features]\nmemories = false\n", encoding="utf-8")
    config = load_config(cwd=workdir, enable=["memories"], disable=["unified_exec"])
    assert config.features["memories"] is True
    assert config.features["unified_exec"] is False
    assert config.warnings == ()


def test_enable_unknown_feature_fails_as_codex(codex_home: Path, workdir: Path) -> None:
    # Codex 0.169: `codex --enable made_up exec ...` prints `Error: Unknown feature flag: made_up`, exit 1.
    with pytest.raises(ConfigOverrideError, match="^Error: Unknown feature flag: made_up$"):
        load_config(cwd=workdir, enable=["made_up"])
    with pytest.raises(ConfigOverrideError, match="^Error: Unknown feature flag: made_up$"):
        load_config(cwd=workdir, disable=["made_up"])


def test_enable_equals_dash_c(codex_home: Path, workdir: Path) -> None:
    a = load_config(cwd=workdir, enable=["memories"])
    b = load_config(cwd=workdir, overrides=["features.memories=true"])
    assert a.features == b.features

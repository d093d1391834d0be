from pathlib import Path

import pytest

from pycodex_config import (
    Config,
    ConfigError,
    load_config,
    protected_subpaths,
    resolve_sandbox_policy,
    select_permissions,
)


def _config(tmp_path: Path, text: str, *overrides: str) -> Config:
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    (home / "config.toml").write_text(text, encoding="utf-8")
    cwd = tmp_path / "ws"
    cwd.mkdir(exist_ok=True)
    return load_config(cwd=cwd, codex_home=home, overrides=list(overrides), env={})


def test_legacy_workspace_write_projection(tmp_path: Path) -> None:
    config = _config(
        tmp_path, 'sandbox_mode = "workspace-write"\n[sandbox_workspace_write]\nwritable_roots = ["/srv"]\n'
    )
    selected = select_permissions(config)
    assert selected.name == "legacy"
    entries = selected.profile["file_system"]["entries"]  # type: ignore[typeddict-item]
    assert entries[0] == {"path": {"type": "special", "value": {"kind": "root"}}, "access": "read"}
    assert {"path": {"type": "path", "path": str(config.cwd)}, "access": "write"} in entries
    policy = resolve_sandbox_policy(selected, cwd=config.cwd, env={"TMPDIR": "/var/tmp"})
    roots = {r["root"]: r["read_only_subpaths"] for r in policy["writable_roots"]}
    assert set(roots) >= {str(config.cwd), "/srv", "/tmp", "/var/tmp"}
    assert sorted(roots[str(config.cwd)]) == sorted(str(config.cwd / n) for n in (".git", ".agents", ".codex", ".aws"))
    assert policy["network"] == "off" and policy["full_read"]


def test_sandbox_mode_wins_over_default_permissions(tmp_path: Path) -> None:
    config = _config(tmp_path, 'sandbox_mode = "read-only"\ndefault_permissions = ":workspace"\n')
    assert select_permissions(config).name == "legacy"
    assert select_permissions(config, ":workspace").name == ":workspace"
    assert select_permissions(_config(tmp_path, 'default_permissions = ":workspace"\n')).name == ":workspace"


def test_the_sandbox_flag_wins_over_default_permissions(tmp_path: Path) -> None:
    from pycodex_config import CliOverrides

    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").write_text('default_permissions = ":workspace"\n', encoding="utf-8")
    cwd = tmp_path / "ws"
    cwd.mkdir()
    flagged = load_config(cwd=cwd, codex_home=home, cli=CliOverrides(sandbox_mode="read-only"), env={})
    selected = select_permissions(flagged)
    assert (selected.name, flagged.sandbox_mode) == ("legacy", "read-only")
    policy = resolve_sandbox_policy(selected, cwd=flagged.cwd)
    assert policy["writable_roots"] == []  # `-s read-only` is read-only, whatever the default profile says


def test_named_profile_with_extends_and_network(tmp_path: Path) -> None:
    text = """
default_permissions = "proj"
[permissions.base]
extends = ":read-only"
[permissions.base.network]
enabled = true
domains = { "pypi.org" = "allow" }
[permissions.proj]
extends = "base"
[permissions.proj.filesystem]
"/srv/data" = "write"
"/srv/data/secret" = "none"
[permissions.proj.filesystem.":workspace_roots"]
"." = "write"
".vscode" = "read"
[permissions.proj.network]
domains = { "evil.example" = "deny" }
"""
    config = _config(tmp_path, text)
    selected = select_permissions(config)
    assert selected.allowed_domains == ("pypi.org",) and selected.denied_domains == ("evil.example",)
    policy = resolve_sandbox_policy(selected, cwd=config.cwd, network_proxy=True)
    roots = {r["root"]: r["read_only_subpaths"] for r in policy["writable_roots"]}
    assert "/srv/data/secret" in roots["/srv/data"] and policy["denied_paths"] == ["/srv/data/secret"]
    assert str(config.cwd / ".vscode") in roots[str(config.cwd)]
    assert policy["network"] == "proxied" and policy.get("proxy", {}).get("allowed_domains") == ["pypi.org"]
    assert resolve_sandbox_policy(selected, cwd=config.cwd)["network"] == "on"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('default_permissions = "nope"\n', "not defined"),
        ('default_permissions = "a"\n[permissions.a]\nextends = "b"\n[permissions.b]\nextends = "a"\n', "cycle"),
        ('default_permissions = "a"\n[permissions.a.filesystem]\n"/x" = "rw"\n', "expected one of read, write, none"),
        ('default_permissions = "a"\n[permissions.a.filesystem]\n"rel" = "read"\n', "must be absolute"),
    ],
)
def test_bad_profiles_are_clear_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        select_permissions(_config(tmp_path, text))


def test_danger_and_gitdir_pointer(tmp_path: Path) -> None:
    config = _config(tmp_path, 'sandbox_mode = "danger-full-access"\n')
    assert resolve_sandbox_policy(select_permissions(config), cwd=config.cwd)["kind"] == "unrestricted"
    gitdir = tmp_path / "real.git" / "worktrees" / "w"
    gitdir.mkdir(parents=True)
    (config.cwd / ".git").write_text(f"gitdir: {gitdir}\n", encoding="utf-8")
    assert gitdir in protected_subpaths(config.cwd)

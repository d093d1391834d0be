from __future__ import annotations

from pycodex_config import ShellEnvironmentPolicy, create_env, env_var_allowed

BASE = {
    "PATH": "/bin",
    "HOME": "/home/u",
    "LANG": "C.UTF-8",
    "SHELL": "/bin/bash",
    "MY_API_KEY": "k",
    "FOO_TOKEN": "t",
    "mysecret": "s",
    "AWS_REGION": "eu",
    "EDITOR": "vi",
}


def test_default_inherits_everything_including_secrets() -> None:
    assert create_env(ShellEnvironmentPolicy(), BASE, platform="linux") == BASE


def test_default_excludes_when_not_ignored() -> None:
    env = create_env(ShellEnvironmentPolicy(ignore_default_excludes=False), BASE, platform="linux")
    assert set(env) == {"PATH", "HOME", "LANG", "SHELL", "AWS_REGION", "EDITOR"}


def test_core_inherit() -> None:
    env = create_env(ShellEnvironmentPolicy(inherit="core"), BASE, platform="linux")
    assert env == {"PATH": "/bin", "HOME": "/home/u", "LANG": "C.UTF-8", "SHELL": "/bin/bash"}


def test_none_inherit_with_set() -> None:
    env = create_env(ShellEnvironmentPolicy(inherit="none", set={"CI": "1"}), BASE, platform="linux")
    assert env == {"CI": "1"}


def test_exclude_globs_case_insensitive_then_set() -> None:
    policy = ShellEnvironmentPolicy(exclude=("aws_*", "EDIT?R"), set={"AWS_REGION": "us"})
    env = create_env(policy, BASE, platform="linux")
    assert "EDITOR" not in env
    assert env["AWS_REGION"] == "us"


def test_include_only_applies_to_set_too() -> None:
    policy = ShellEnvironmentPolicy(include_only=("PATH", "ci"), set={"CI": "1", "OTHER": "2"})
    assert create_env(policy, BASE, platform="linux") == {"PATH": "/bin", "CI": "1"}


def test_thread_id_added_last_and_windows_pathext() -> None:
    policy = ShellEnvironmentPolicy(inherit="none", include_only=("PATH",))
    env = create_env(policy, BASE, thread_id="t-1", platform="linux")
    assert env == {"CODEX_THREAD_ID": "t-1"}
    win = create_env(
        ShellEnvironmentPolicy(inherit="core"), {"Path": "C:\\", "COMSPEC": "cmd", "X": "1"}, platform="win32"
    )
    assert win == {"Path": "C:\\", "COMSPEC": "cmd", "PATHEXT": ".COM;.EXE;.BAT;.CMD"}


def test_from_toml_filters() -> None:
    policy = ShellEnvironmentPolicy.from_toml(
        {"inherit": "all", "exclude": ["A*"], "filters": {"B*": "exclude", "PATH": "include"}}
    )
    assert policy.exclude == ("A*", "B*")
    assert policy.include_only == ("PATH",)
    assert policy.ignore_default_excludes is True


def test_env_var_allowed_matches_create_env() -> None:
    base = {"HOME": "/h", "MY_API_KEY": "k", "NOISE": "n", "PATH": "/bin"}
    policies = [
        ShellEnvironmentPolicy(),
        ShellEnvironmentPolicy(ignore_default_excludes=False),
        ShellEnvironmentPolicy(exclude=("NOI*",)),
        ShellEnvironmentPolicy(include_only=("PATH", "HOME")),
    ]
    for policy in policies:
        kept = create_env(policy, base)
        assert {k for k in base if env_var_allowed(policy, k)} == set(kept), policy


def test_env_var_allowed_can_force_secret_excludes() -> None:
    policy = ShellEnvironmentPolicy(ignore_default_excludes=True)
    assert env_var_allowed(policy, "MY_API_KEY")
    assert not env_var_allowed(policy, "MY_API_KEY", drop_secrets=True)
    assert env_var_allowed(policy, "EDITOR", drop_secrets=True)

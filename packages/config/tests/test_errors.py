from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import CliOverrides, ConfigError, load_config


def write(home: Path, text: str) -> Path:
    path = home / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_syntax_error_has_file_line_column(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, 'model = "a"\napproval_policy = "never\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value).startswith(f"Error loading config.toml: {path}:2:")
    assert info.value.line == 2
    assert info.value.path == path


def test_type_error_names_file_line_key(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, '# my config\nmodel = "a"\napproval_policy = "bogus"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == (
        f"Error loading config.toml: {path}:3: approval_policy: "
        "unknown variant `bogus`, expected one of `untrusted`, `on-failure`, `on-request`, `granular`, `never`"
    )
    assert (info.value.line, info.value.key) == (3, "approval_policy")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        (
            "approval_policy = 5\n",
            1,
            "approval_policy: expected one of untrusted, on-failure, on-request, never, got 5",
        ),
        (
            'model = "a"\n[sandbox_workspace_write]\n\nwritable_roots = 5\n',
            4,
            "sandbox_workspace_write.writable_roots: expected an array of strings, got 5",
        ),
        (
            '[shell_environment_policy]\ninherit = "bogus"\n',
            2,
            "shell_environment_policy.inherit: unknown variant `bogus`, expected one of `core`, `all`, `none`",
        ),
        ("[tools]\nupdate_plan = true\n", 2, "tools.update_plan: expected a table, got true"),
        (
            '[mcp_servers.s]\ncommand = "x"\nargs = [\n  "ok",\n  3,\n]\n',
            5,
            "mcp_servers.s.args.1: expected a string, got 3",
        ),
        ('notify = "say"\n', 1, 'notify: expected an array of strings, got "say"'),
        (
            'mcp_servers = { s = { command = "x", tool_timeout_sec = "slow" } }\n',
            1,
            'mcp_servers.s.tool_timeout_sec: expected a number, got "slow"',
        ),
        ('[features]\nmemories = "yes"\n', 2, 'features.memories: expected a boolean, got "yes"'),
        ('text = """\nmodel = 1\n"""\nmodel = 2\n', 4, "model: expected a string, got 2"),
    ],
)
def test_type_errors(codex_home: Path, workdir: Path, text: str, line: int, message: str) -> None:
    path = write(codex_home, text.replace("text = ", "instructions = "))
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == f"Error loading config.toml: {path}:{line}: {message}"


UNKNOWN = """\
model = "a"
bogus_key = 1

[tui]
animations = true
foo = 1

[projects."/x"]
trust_level = "trusted"
colour = "red"

[features]
not_a_feature = true
"""


def test_unknown_keys_warn(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, UNKNOWN)
    config = load_config(cwd=workdir)
    assert config.warnings == (
        f"unknown configuration key `bogus_key` in {path}:2",
        f"unknown configuration key `tui.foo` in {path}:6",
        f"unknown configuration key `projects./x.colour` in {path}:10",
        f"unknown feature flag `not_a_feature` in {path}:13",
    )
    assert config.model == "a"


def test_unknown_keys_strict(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, UNKNOWN)
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir, strict=True)
    assert str(info.value) == f"Error loading config.toml: {path}:2: unknown configuration field `bogus_key`"


def test_unknown_override_key(codex_home: Path, workdir: Path) -> None:
    config = load_config(cwd=workdir, overrides=["tui.nope=1"])
    assert config.warnings == ("unknown configuration key `tui.nope` in -c tui.nope=1",)
    with pytest.raises(ConfigError, match=r"-c tui.nope=1: unknown configuration field `tui.nope`"):
        load_config(cwd=workdir, overrides=["tui.nope=1"], strict=True)


def test_keys_codex_knows_do_not_warn(codex_home: Path, workdir: Path) -> None:
    write(
        codex_home,
        'personality = "pragmatic"\nfile_opener = "none"\n[analytics]\nenabled = false\n'
        '[permissions.proj.filesystem]\n":root" = "read"\n[hooks]\n[windows]\n',
    )
    assert load_config(cwd=workdir, strict=True).warnings == ()


def test_granular_approval_is_read(codex_home: Path, workdir: Path) -> None:
    write(
        codex_home,
        "approval_policy = { granular = { sandbox_approval = true, rules = false, mcp_elicitations = true } }\n",
    )
    config = load_config(cwd=workdir)
    assert config.approval_policy == "on-request" and not config.warnings
    assert config.granular_approval == {
        "sandbox_approval": True,
        "rules": False,
        "mcp_elicitations": True,
        "skill_approval": False,
        "request_permissions": False,
    }
    assert load_config(cwd=workdir, cli=CliOverrides(approval_policy="never")).granular_approval is None


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("{ granular = { sandbox_approval = true } }", "approval_policy.granular: missing field `rules`"),
        ("{ granular = { sandbox_approval = 1, rules = true, mcp_elicitations = true } }", "expected a boolean"),
        ("{ other = 1 }", "approval_policy: expected a string or a `granular` table"),
    ],
)
def test_granular_approval_errors_name_the_key(codex_home: Path, workdir: Path, table: str, message: str) -> None:
    path = write(codex_home, f"approval_policy = {table}\n")
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(path) in str(info.value) and message in str(info.value)


def test_syntax_error_at_end_of_file_points_at_last_line(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, 'model = "a"\napproval_policy = [\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value).startswith(f"Error loading config.toml: {path}:2:")
    assert str(info.value).endswith("(at end of document)")
    assert info.value.line == 2

import json
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pycodex_cli
from pycodex_cli._main import dispatch

PKG = Path(__file__).resolve().parents[1]


def _codex(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pycodex_cli", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        encoding="utf-8",
    )


def test_version_matches_pyproject() -> None:
    version = tomllib.loads((PKG / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert pycodex_cli.__version__ == version
    result = _codex("--version")
    assert result.returncode == 0
    assert result.stdout == f"codex-cli {version} (pycodex)\n"


def test_version_imports_nothing_heavy() -> None:
    code = (
        "import sys, pycodex_cli\n"
        "pycodex_cli.main(['--version'])\n"
        "names = ('httpx', 'pydantic', 'prompt_toolkit', 'anyio', 'asyncio', 'argparse')\n"
        "heavy = [m for m in names if m in sys.modules]\n"
        "print(heavy)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60, encoding="utf-8")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"


def test_help_lists_subcommands() -> None:
    result = _codex("--help")
    assert result.returncode == 0
    for name in ("exec", "review", "completion", "doctor", "features", "archive", "cloud"):
        assert re.search(rf"^  {re.escape(name)}\s", result.stdout, re.M), name
    assert re.search(r"^  exec\s+Run Codex non-interactively \[aliases: e\]", result.stdout, re.M)


def test_cloud_only_subcommand_says_so_in_one_line() -> None:
    result = _codex("cloud", "list")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "`codex cloud list` needs OpenAI's hosted Codex service" in result.stderr
    assert result.stdout == ""


def test_interactive_session_without_a_terminal_points_to_exec() -> None:
    result = _codex("fix the bug")
    assert result.returncode == 1
    assert "needs a terminal" in result.stderr and "codex exec" in result.stderr


def test_resume_and_fork_reach_the_interactive_front_end() -> None:
    for sub in ("resume", "fork"):
        result = _codex(sub, "--last")
        assert result.returncode == 1
        assert "needs a terminal" in result.stderr


def test_root_flags_before_exec_are_forwarded_or_dropped(capsys: object, monkeypatch: object) -> None:
    import pycodex_exec

    seen: list[list[str]] = []
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setattr(pycodex_exec, "main", lambda argv: seen.append(argv) or 0)
    args = ["-a", "never", "--search", "--no-alt-screen", "--no-daemon", "-cfoo=1", "-m", "n", "--oss", "e", "hi"]
    assert dispatch(args) == 0
    assert seen == [["--config=foo=1", "--model=n", "--oss", "hi"]]


def test_global_image_flag_does_not_swallow_the_prompt(monkeypatch: object) -> None:
    import pytest

    import pycodex_exec
    from pycodex_exec import parse_args

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    seen: list[list[str]] = []
    monkeypatch.setattr(pycodex_exec, "main", lambda argv: seen.append(argv) or 0)
    dispatch(["-i", "px.png", "exec", "describe this"])
    args = parse_args(seen[0])
    assert args.images == ["px.png"]
    assert args.prompt == "describe this"


def test_completion_scripts() -> None:
    bash = _codex("completion", "bash")
    assert bash.returncode == 0
    assert "complete -F _codex codex pycodex" in bash.stdout
    # The bash script is valid bash.
    check = subprocess.run(
        ["bash", "-n"], input=bash.stdout, capture_output=True, text=True, timeout=30, encoding="utf-8"
    )
    assert check.returncode == 0, check.stderr
    assert _codex("completion", "zsh").stdout.startswith("#compdef codex")
    fish = _codex("completion", "fish").stdout
    assert "complete -c codex -f -a '(__codex_words (__codex_path))'" in fish
    for shell in ("elvish", "powershell"):
        script = _codex("completion", shell).stdout
        assert "--output-last-message" in script and "--uncommitted" in script, shell
    assert _codex("completion", "tcsh").returncode == 2


def _env(codex_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["CODEX_HOME"] = str(codex_home)
    return env


def test_features_list_reflects_config(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text("[features]\nunified_exec = false\n", encoding="utf-8")
    result = _codex("features", "list", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    rows = {line.split()[0]: line.split()[-1] for line in result.stdout.splitlines()}
    assert rows["unified_exec"] == "false"
    assert rows["shell_tool"] == "true"
    enabled = _codex("--enable", "network_proxy", "features", "list", env=_env(tmp_path))
    assert "network_proxy" in enabled.stdout
    assert [line for line in enabled.stdout.splitlines() if line.startswith("network_proxy")][0].endswith("true")


def test_features_enable_writes_config_keeping_comments(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('# my settings\nmodel = "gpt-5.5"\n', encoding="utf-8")
    result = _codex("features", "enable", "network_proxy", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert "# my settings" in text
    assert tomllib.loads(text)["features"]["network_proxy"] is True
    bad = _codex("features", "enable", "no_such_feature", env=_env(tmp_path))
    assert bad.returncode == 1
    assert "Unknown feature 'no_such_feature'" in bad.stderr
    unknown = _codex("--enable", "no_such_feature", "features", "list", env=_env(tmp_path))
    assert (unknown.returncode, unknown.stderr) == (1, "Error: Unknown feature flag: no_such_feature\n")


def test_broken_config_exits_1_naming_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('model = "gpt-5.5"\napproval_policy = [\n', encoding="utf-8")
    result = _codex("features", "list", env=_env(tmp_path))
    assert result.returncode == 1
    assert str(tmp_path / "config.toml") in result.stderr
    assert re.search(r"config\.toml:\d+", result.stderr), result.stderr


def test_doctor_reports_checks(tmp_path: Path) -> None:
    result = _codex("doctor", "--json", env=_env(tmp_path))
    import json

    checks = {c["check"]: c for c in json.loads(result.stdout)}
    assert checks["python"]["status"] == "ok"
    assert checks["sandbox"]["status"] == "warn"
    assert "danger-full-access" in checks["sandbox"]["detail"]
    assert result.returncode == 0


def test_config_migrate_converts_typescript_config(tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(
        json.dumps({"model": "o4-mini", "approvalMode": "full-auto"}), encoding="utf-8"
    )
    (tmp_path / "instructions.md").write_text("Always run the tests.\n", encoding="utf-8")
    result = _codex("config", "migrate", env=_env(tmp_path))
    assert result.returncode == 0, result.stderr
    migrated = tomllib.loads((tmp_path / "config.toml").read_text(encoding="utf-8"))
    assert migrated["model"] == "o4-mini"
    assert migrated["sandbox_mode"] == "workspace-write"
    assert "Always run the tests." in (tmp_path / "AGENTS.md").read_text(encoding="utf-8")
    assert "config.toml" in result.stdout
    # A second run does not overwrite what is there now, and says so.
    config_toml = tmp_path / "config.toml"
    config_toml.write_text(config_toml.read_text(encoding="utf-8") + "# edited by hand\n", encoding="utf-8")
    before = config_toml.read_text(encoding="utf-8")
    again = _codex("config", "migrate", env=_env(tmp_path))
    assert again.returncode == 0
    assert config_toml.read_text(encoding="utf-8") == before
    assert "already exists (use --force" in again.stdout


def test_config_path(tmp_path: Path) -> None:
    result = _codex("config", "path", env=_env(tmp_path))
    assert result.returncode == 0
    assert result.stdout == f"{tmp_path / 'config.toml'}\n"


def test_logging_spec_sets_levels() -> None:
    import logging

    from pycodex_cli._logging import setup_logging

    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    try:
        setup_logging("info,pycodex_core=debug,httpx=debug")
        assert root.level == logging.INFO
        assert logging.getLogger("pycodex_core").level == logging.DEBUG
        assert logging.getLogger("httpx").level == logging.DEBUG
        assert logging.getLogger("httpcore").level == logging.WARNING
        setup_logging("error")
        assert root.level == logging.ERROR
    finally:
        root.handlers[:], root.level = saved
        for name in ("pycodex_core", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.NOTSET)


def test_unknown_log_level_is_reported_not_fatal(tmp_path: Path) -> None:
    env = _env(tmp_path)
    env["PYCODEX_LOG"] = "loud"
    result = _codex("features", "list", env=env)
    assert result.returncode == 0
    assert "warning: ignoring unknown log level 'loud' in PYCODEX_LOG" in result.stderr


def test_bad_codex_home_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    env = _env(tmp_path / "missing")
    for args in (("config", "path"), ("config", "migrate"), ("features", "list")):
        result = _codex(*args, env=env)
        assert result.returncode == 1, args
        assert "Traceback" not in result.stderr
        assert "missing" in result.stderr
    doctor = _codex("doctor", "--json", env=env)
    checks = {c["check"]: c["status"] for c in json.loads(doctor.stdout)}
    assert checks["codex home"] == "fail"
    assert doctor.returncode == 1


def test_unwritable_codex_home_is_reported(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / "config.toml").mkdir()  # a directory where the file should be: writing it fails
    result = _codex("features", "enable", "network_proxy", env=_env(home))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "config.toml" in result.stderr


def test_common_flags_at_every_level(tmp_path: Path) -> None:
    # Codex 0.169: `codex features list -c k=v` works; `codex doctor --enable x` exits 1 on the unknown feature.
    listed = _codex("features", "list", "-c", 'model="m"', "--enable", "network_proxy", env=_env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    assert [line for line in listed.stdout.splitlines() if line.startswith("network_proxy")][0].endswith("true")
    doctor = _codex("doctor", "--enable", "x", env=_env(tmp_path))
    assert (doctor.returncode, doctor.stdout, doctor.stderr) == (1, "", "Error: Unknown feature flag: x\n")
    help_exec = _codex("help", "exec")
    assert help_exec.returncode == 0 and "--output-last-message" in help_exec.stdout
    assert _codex("help", "nosuch").returncode == 2
    assert _codex("e", "-V").stdout.startswith("codex-cli-exec ")

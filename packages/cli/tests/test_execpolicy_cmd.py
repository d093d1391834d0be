from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pycodex_cli._execpolicy_cmd import main, run


def _rules(tmp_path: Path) -> Path:
    path = tmp_path / "p.rules"
    path.write_text(
        '# team rules\nprefix_rule(pattern=["git", "push"], decision="prompt", justification="publishes")\n'
        'prefix_rule(pattern=["git"])\n',
        encoding="utf-8",
    )
    return path


def test_check_through_the_codex_command(tmp_path: Path) -> None:
    path = _rules(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pycodex_cli", "execpolicy", "check", "-r", str(path), "--", "git", "push"],
        capture_output=True, text=True, timeout=60, encoding="utf-8", check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "matchedRules": [
            {"prefixRuleMatch": {"matchedPrefix": ["git", "push"], "decision": "prompt", "justification": "publishes"}},
            {"prefixRuleMatch": {"matchedPrefix": ["git"], "decision": "allow"}},
        ],
        "decision": "prompt",
    }


def test_check_pretty_and_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _rules(tmp_path)
    assert run([], ["check", "--pretty", "-r", str(path), "ls"]) == 0
    assert capsys.readouterr().out == '{\n  "matchedRules": []\n}\n'
    bad = tmp_path / "bad.rules"
    bad.write_text('prefix_rule(pattern=["a"], decision="deny")\n', encoding="utf-8")
    assert run([], ["check", "-r", str(bad), "--", "a"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"Error: failed to parse policy at {bad}\n\nCaused by:\n    starlark error: Traceback")
    assert "    error: invalid decision: deny\n" in err
    assert run([], ["check", "--", "a"]) == 2
    assert "the following required arguments were not provided:\n  --rules <PATH>" in capsys.readouterr().err
    assert run([], ["check", "-r", str(path)]) == 2
    assert "<COMMAND>..." in capsys.readouterr().err
    assert run([], ["bogus"]) == 2
    assert "unrecognized subcommand 'bogus'" in capsys.readouterr().err


def test_explain_uses_the_rule_folders(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "rules").mkdir(parents=True)
    _rules(home / "rules").rename(home / "rules" / "team.rules")
    monkeypatch.setenv("CODEX_HOME", str(home))
    monkeypatch.chdir(tmp_path)
    assert run([], ["explain", "--", "git", "push", "origin"]) == 0
    out = capsys.readouterr().out
    assert f"prompt    matches prefix `git push` [{home / 'rules' / 'team.rules'}:2]: publishes" in out
    assert "allow     matches prefix `git`" in out
    assert "never       refused - approval required by policy, but AskForApproval is set to Never" in out
    assert run([], ["explain", "--ignore-rules", "--", "cargo", "test"]) == 0
    out = capsys.readouterr().out
    assert "rule files: (none)" in out
    assert 'prefix_rule(pattern=["cargo", "test"], decision="allow")' in out


def test_registry_entry_takes_root_flags_first(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _rules(tmp_path)
    assert main(["--config=model=x", "check", "-r", str(path), "--", "git"]) == 0
    assert '"decision":"allow"' in capsys.readouterr().out

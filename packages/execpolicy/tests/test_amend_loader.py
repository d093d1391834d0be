from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_execpolicy import (
    AmendError,
    Decision,
    append_network_rule,
    append_prefix_rule,
    explain_command,
    format_prefix_rule,
    load_policy,
    parse_policy_files,
)


def test_append_keeps_comments_and_dedupes(tmp_path: Path) -> None:
    path = tmp_path / "rules" / "default.rules"
    assert append_prefix_rule(path, ["echo", "Hello, world!"])
    assert path.read_text(encoding="utf-8") == 'prefix_rule(pattern=["echo", "Hello, world!"], decision="allow")\n'
    path.write_text('# keep me\nprefix_rule(pattern=["ls"])  # and me', encoding="utf-8")
    assert append_prefix_rule(path, ["cargo", "test"])
    assert not append_prefix_rule(path, ["cargo", "test"])
    assert path.read_text(encoding="utf-8") == (
        '# keep me\nprefix_rule(pattern=["ls"])  # and me\nprefix_rule(pattern=["cargo", "test"], decision="allow")\n'
    )
    assert parse_policy_files([path]).check(["cargo", "test", "-q"]).decision is Decision.ALLOW
    assert append_network_rule(path, "api.example.com", "https", "allow", "API calls")
    assert path.read_text(encoding="utf-8").endswith(
        'network_rule(host="api.example.com", protocol="https", decision="allow", justification="API calls")\n'
    )
    with pytest.raises(AmendError):
        format_prefix_rule([])
    with pytest.raises(AmendError):
        append_network_rule(path, "x", "socks5", "allow")


def test_load_order_and_broken_files(tmp_path: Path) -> None:
    home = tmp_path / "home"
    (home / "rules").mkdir(parents=True)
    (home / "rules" / "a.rules").write_text('prefix_rule(pattern=["git"], decision="prompt")\n', encoding="utf-8")
    (home / "rules" / "b.rules").write_text("prefix_rule(pattern=[])\n", encoding="utf-8")
    (home / "rules" / "c.txt").write_text("not a rule file", encoding="utf-8")
    project = tmp_path / "repo"
    (project / ".git").mkdir(parents=True)
    (project / ".codex" / "rules").mkdir(parents=True)
    (project / ".codex" / "rules" / "p.rules").write_text('prefix_rule(pattern=["git", "x"])\n', encoding="utf-8")
    sub = project / "src"
    sub.mkdir()
    loaded = load_policy(home, sub)
    assert [p.name for p in loaded.files] == ["a.rules", "p.rules"]
    assert len(loaded.warnings) == 1 and "b.rules:1: invalid pattern element" in loaded.warnings[0]
    matches = loaded.policy.check(["git", "x"]).matched_rules
    assert [m.decision for m in matches] == [Decision.PROMPT, Decision.ALLOW]
    assert load_policy(home, sub, ignore_rules=True).policy.rule_count == 0
    assert load_policy(home, sub, project_trusted=False).policy.rule_count == 1


def test_explain(tmp_path: Path) -> None:
    path = tmp_path / "x.rules"
    path.write_text('\nprefix_rule(pattern=["git", "push"], decision="prompt", justification="publishes")\n', "utf-8")
    policy = parse_policy_files([path])
    text = explain_command(policy, ["git", "push", "origin"], sources=[path], codex_home=tmp_path)
    assert f"prompt    matches prefix `git push` [{path}:2]: publishes" in text
    assert "decision: prompt" in text
    text = explain_command(policy, ["bash", "-lc", "cargo test && ls"], sources=[path], codex_home=tmp_path)
    assert "script split into 2 command(s)" in text
    assert 'prefix_rule(pattern=["cargo", "test"], decision="allow")' in text
    assert "never       runs" in text

from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_execpolicy import (
    Decision,
    PolicyParseError,
    PolicyReadError,
    PrefixRuleMatch,
    parse_policy,
    parse_policy_files,
    read_rule_file,
)

FIXTURES = Path(__file__).parent / "fixtures"


def _error(source: str) -> PolicyParseError:
    with pytest.raises(PolicyParseError) as info:
        parse_policy(source, "t.rules")
    return info.value


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("prefix_rule(pattern=[])", "invalid pattern element: pattern cannot be empty"),
        ('prefix_rule(pattern=["a", []])', "invalid pattern element: pattern alternatives cannot be empty"),
        (
            "prefix_rule(pattern=[1])",
            "invalid pattern element: pattern element must be a string or list of strings (got int)",
        ),
        (
            'prefix_rule(pattern="a")',
            'Type of parameter `pattern` doesn\'t match, expected `list`, actual `string (repr: "a")`',
        ),
        ('prefix_rule(pattern=["a"], decision="deny")', "invalid decision: deny"),
        ('prefix_rule(pattern=["a"], decision="Allow")', "invalid decision: Allow"),
        (
            'prefix_rule(pattern=["a"], decision=None)',
            "Type of parameter `decision` doesn't match, expected `str`, actual `NoneType (repr: None)`",
        ),
        ('prefix_rule(pattern=["a"], justification="  ")', "invalid rule: justification cannot be empty"),
        (
            'prefix_rule(pattern=["a"], justification=3)',
            "Type of parameter `justification` doesn't match, expected `str`, actual `int (repr: 3)`",
        ),
        ('prefix_rule(pattern=["a"], bogus=1)', "Found `bogus` extra named parameter(s) for call to prefix_rule"),
        ("prefix_rule()", "Missing parameter `pattern` for call to `prefix_rule`"),
        ('prefix_rule(pattern=["a"], match=[""])', "invalid example: example cannot be an empty string"),
        ('prefix_rule(pattern=["a"], match=[[]])', "invalid example: example cannot be an empty list"),
        ('prefix_rule(pattern=["a"], match=["a \\"b"])', "invalid example: example string has invalid shell syntax"),
        (
            'prefix_rule(pattern=["a"], match=[1])',
            "invalid example: example must be a string or list of strings (got int)",
        ),
        ('prefix_rule(pattern=["a"], match=[["a", 1]])', "invalid example: example tokens must be strings (got int)"),
        (
            'network_rule(host="x", protocol="ftp", decision="allow")',
            "invalid rule: network_rule protocol must be one of http, https, socks5_tcp, socks5_udp (got ftp)",
        ),
        (
            'network_rule(host="*.x.com", protocol="http", decision="allow")',
            "invalid rule: network_rule host must be a specific host; wildcards are not allowed",
        ),
        (
            'network_rule(host="http://x.com", protocol="http", decision="allow")',
            "invalid rule: network_rule host must be a hostname or IP literal (without scheme or path)",
        ),
        (
            'network_rule(host="x .com", protocol="http", decision="allow")',
            "invalid rule: network_rule host cannot contain whitespace",
        ),
        ('network_rule(host="", protocol="http", decision="allow")', "invalid rule: network_rule host cannot be empty"),
        ('network_rule(host="x.com", protocol="http")', "Missing parameter `decision` for call to `network_rule`"),
        ('network_rule(host="x.com", protocol="https", decision="ask")', "invalid decision: ask"),
        (
            'host_executable(name="git", paths=["git"])',
            "invalid rule: host_executable paths must be absolute (got git)",
        ),
        (
            'host_executable(name="/usr/bin/git", paths=["/usr/bin/git"])',
            "invalid rule: host_executable name must be a bare executable name (got /usr/bin/git)",
        ),
        (
            'host_executable(name="git", paths=["/usr/bin/gitx"])',
            "invalid rule: host_executable path `/usr/bin/gitx` must have basename `git`",
        ),
        ('host_executable(name="", paths=[])', "invalid rule: host_executable name cannot be empty"),
        ("x = y", "Variable `y` not found, did you mean `x`?"),
        ('print("hi")', "Variable `print` not found, did you mean `int`?"),
        ('load("x", "y")', "No imports are available, you tried `x` (no call to `Evaluator.set_loader`)"),
        ('x = [1] + "a"', "Operation `+` not supported for types `list` and `string`"),
        ("class A: pass", "Parse error: cannot use reserved keyword `class`"),
        ("while True: pass", "Parse error: cannot use reserved keyword `while`"),
        ("def f():\n    return f()\nf()", "Starlark call stack overflow"),
        ("x = 1 / 0", "float division by zero: 1 / 0"),
        ('prefix_rule(pattern=["a"], decision="allow", decision="prompt")', "repeated named argument"),
    ],
)
def test_every_error_has_codex_text(source: str, message: str) -> None:
    assert _error(source).message == message


def test_error_names_file_line_and_column() -> None:
    err = _error('x = 1\n\ndef f(p):\n    prefix_rule(pattern=p, decision="forbidden")\n\nf([])\n')
    assert (err.line, err.col) == (4, 5)
    assert str(err) == "t.rules:4:5: invalid pattern element: pattern cannot be empty"
    assert err.render() == (
        "Error: failed to parse policy at t.rules\n\nCaused by:\n"
        "    starlark error: Traceback (most recent call last):\n"
        "      * t.rules:6, in <module>\n          f([])\n"
        '      * t.rules:4, in f\n          prefix_rule(pattern=p, decision="forbidden")\n'
        "    error: invalid pattern element: pattern cannot be empty\n"
        "     --> t.rules:4:5\n      |\n"
        '    4 |     prefix_rule(pattern=p, decision="forbidden")\n'
        "      |     ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n      |\n    \n"
    )
    assert err.summary() == (
        "t.rules:4: invalid pattern element: pattern cannot be empty (problem is on or around line 4)"
    )


def test_failed_examples_use_codex_text() -> None:
    err = _error('prefix_rule(pattern=["git", "push"], match=["git status", ["x", "y z"]])')
    assert err.message == (
        'expected every example to match at least one rule. rules: ["PrefixRule { pattern: PrefixPattern { '
        'canonical_matching: false, first: \\"git\\", rest: [Single(\\"push\\")] }, decision: Allow, '
        'justification: None }"]; unmatched examples: ["git status", "x \'y z\'"]'
    )
    err = _error('prefix_rule(pattern=[["a", "b"], "x"], not_match=["b x y"], justification="hi")')
    assert err.message == (
        'expected example to not match rule `PrefixRuleMatch { matched_prefix: ["b", "x"], decision: Allow, '
        'resolved_program: None, justification: Some("hi") }`: b x y'
    )


def test_not_match_is_checked_before_match_within_a_call() -> None:
    err = _error('prefix_rule(pattern=["x"], match=["y"], not_match=["x"])')
    assert err.message.startswith("expected example to not match rule")


def test_example_policy_from_codex_loads_and_its_examples_hold() -> None:
    policy = parse_policy_files([FIXTURES / "example.rules"])
    assert policy.rule_count == 8
    assert policy.check(["git", "reset", "--hard"]).decision is Decision.FORBIDDEN
    assert policy.check(["git", "reset", "--keep"]).decision is None
    assert policy.check(["cp", "-r", "src", "dest"]).decision is Decision.PROMPT
    assert policy.check(["ls", "-a", "."]).decision is Decision.ALLOW


def test_language_features_are_interpreted() -> None:
    source = """
TOOLS = ["cargo", "npm"]
def allow_all(sub):
    for tool in TOOLS:
        prefix_rule(pattern=[tool, sub], justification=f"{tool} {sub} is routine")
allow_all("test")
prefix_rule(pattern=["x%s" % "y", "{}-{}".format("a", 1)], decision="prompt" if len(TOOLS) > 1 else "allow")
prefix_rule(pattern=[w for w in "a b".split(" ") if w != "b"], decision="forbidden")
"""
    policy = parse_policy(source)
    assert policy.check(["npm", "test", "--all"]).matched_rules == (
        PrefixRuleMatch(("npm", "test"), Decision.ALLOW, None, "npm test is routine"),
    )
    assert policy.check(["xy", "a-1"]).decision is Decision.PROMPT
    assert policy.check(["a"]).decision is Decision.FORBIDDEN


def test_first_alternatives_expand_and_later_ones_do_not() -> None:
    policy = parse_policy('prefix_rule(pattern=[["gh", "hub"], ["pr", "issue"], "list"])')
    assert policy.rule_count == 2
    assert policy.check(["hub", "issue", "list", "-a"]).decision is Decision.ALLOW
    assert policy.check(["gh", "repo", "list"]).decision is None


def test_runaway_rule_files_stop_with_an_error() -> None:
    assert "steps" in _error("for i in range(1000000):\n    for j in range(1000000):\n        pass").message
    assert "too large" in _error('x = "a" * 100000000').message
    assert _error("x = " + "(" * 300 + "1" + ")" * 300).message.startswith("Parse error")


def test_reading_files(tmp_path: Path) -> None:
    with pytest.raises(PolicyReadError) as info:
        read_rule_file(tmp_path / "missing.rules", "missing.rules")
    assert info.value.render() == (
        "Error: failed to read policy at missing.rules\n\nCaused by:\n    No such file or directory (os error 2)\n"
    )
    with pytest.raises(PolicyReadError, match="Is a directory"):
        read_rule_file(tmp_path, "dir")
    fifo = tmp_path / "fifo.rules"
    import os

    os.mkfifo(fifo)
    with pytest.raises(PolicyReadError, match="not a regular file"):
        read_rule_file(fifo, "fifo.rules")
    bad = tmp_path / "bad.rules"
    bad.write_bytes(b"\xff\xfe")
    with pytest.raises(PolicyReadError, match="UTF-8"):
        read_rule_file(bad, "bad.rules")


def test_network_rules_compile_into_domain_lists() -> None:
    policy = parse_policy(
        'network_rule(host = "google.com", protocol = "http", decision = "allow")\n'
        'network_rule(host = "API.github.com.", protocol = "https_connect", decision = "allow")\n'
        'network_rule(host = "blocked.example.com:443", protocol = "https", decision = "deny")\n'
        'network_rule(host = "prompt-only.example.com", protocol = "https", decision = "prompt")\n'
    )
    assert len(policy.network_rules) == 4 and policy.network_rules[1].protocol == "https"
    assert policy.compiled_network_domains() == (["google.com", "api.github.com"], ["blocked.example.com"])


def test_lone_surrogates_are_rejected_as_codex_does() -> None:
    assert _error('prefix_rule(pattern=["\\ud800"])').message == "Parse error: invalid string escape sequence `ud800`"

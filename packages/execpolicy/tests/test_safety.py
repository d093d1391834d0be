from __future__ import annotations

import pytest

from pycodex_execpolicy import (
    command_might_be_dangerous,
    is_known_safe_command,
    parse_plain_commands,
    parse_shell_lc_plain_commands,
)


@pytest.mark.parametrize(
    "command",
    [
        ["ls", "-la"], ["cat", "README.md"], ["/bin/ls"], ["sed", "-n", "1,5p", "file"], ["find", ".", "-name", "x"],
        ["rg", "foo"], ["base64", "file"], ["bash", "-lc", "ls && pwd"], ["zsh", "-lc", "grep -n x y | wc -l"],
        ["bash", "-lc", "echo 'a b' \"c\""],
    ],
)  # fmt: skip
def test_known_safe(command: list[str]) -> None:
    assert is_known_safe_command(command)


@pytest.mark.parametrize(
    "command",
    [
        ["git", "status"], ["cargo", "check"], ["find", ".", "-delete"], ["find", ".", "-exec", "rm", "{}", ";"],
        ["rg", "--pre=cat", "x"], ["rg", "-z", "x"], ["base64", "-o", "out"], ["base64", "--output=x"],
        ["sed", "-i", "s/a/b/", "f"], ["sed", "-n", "p", "f"], ["bash", "-lc", "git status"],
        ["bash", "-lc", "ls > out.txt"], ["bash", "-lc", "(ls)"], ["bash", "-lc", "ls && rm -rf /"],
        ["bash", "-lc", "echo $HOME"], ["bash", "-lc", "'git' status"], ["bash", "-lc", "git", "status"],
        ["bash", "-lc", "FOO=bar ls"], ["bash", "-lc", "ls &"], ["bash", "-lc", "echo $(ls)"],
    ],
)  # fmt: skip
def test_not_known_safe(command: list[str]) -> None:
    assert not is_known_safe_command(command)


def test_plain_word_parsing() -> None:
    assert parse_plain_commands('ls -l "a b" x\'y\' && echo -g"*.py" | wc; pwd') == [
        ["ls", "-l", "a b", "xy"],
        ["echo", "-g*.py"],
        ["wc"],
        ["pwd"],
    ]
    assert parse_plain_commands('ls "/usr"\'/\'"local"/bin') == [["ls", "/usr/local/bin"]]
    for script in [
        "ls &&",
        "&& ls",
        "ls ;; pwd",
        "ls | | wc",
        "echo `ls`",
        "ls > x",
        "{ ls; }",
        "if true; then ls; fi",
    ]:
        assert parse_plain_commands(script) is None, script
    assert parse_shell_lc_plain_commands(["/bin/bash", "-c", "ls"]) == [["ls"]]
    assert parse_shell_lc_plain_commands(["fish", "-c", "ls"]) is None


@pytest.mark.parametrize(
    ("command", "dangerous"),
    [
        (["rm", "-rf", "x"], True), (["rm", "-f", "x"], True), (["rm", "-r", "-f", "x"], True),
        (["rm", "--force", "x"], True), (["/bin/rm", "-fr", "x"], True), (["sudo", "rm", "-rf", "/"], True),
        (["rm", "-r", "x"], False), (["rm", "--", "-f"], False), (["echo", "rm -rf x"], False),
        (["bash", "-lc", "ls && rm -rf build"], True), (["bash", "-lc", "if true; then rm -f x; fi"], True),
        (["bash", "-lc", "echo $(rm -rf x)"], True), (["bash", "-lc", "echo 'rm -rf x'"], False),
        (["bash", "-lc", "cmd=rm; $cmd -rf x"], False),
    ],
)  # fmt: skip
def test_dangerous(command: list[str], dangerous: bool) -> None:
    assert command_might_be_dangerous(command) is dangerous

import pytest

from pycodex_exec import command_string, shlex_join


# Expected strings were printed by the real Codex 0.169 for `exec_command` calls with these `cmd`s.
@pytest.mark.parametrize(
    ("cmd", "expected"),
    [
        ("echo hi; echo err 1>&2", "/bin/bash -lc 'echo hi; echo err 1>&2'"),
        ("ls", "/bin/bash -lc ls"),
        ("", "/bin/bash -lc ''"),
        ("echo a\\b", '/bin/bash -lc "echo a\\\\b"'),
        ("echo hi!", "/bin/bash -lc 'echo hi!'"),
        ("echo été", "/bin/bash -lc 'echo été'"),
        ("^x", "/bin/bash -lc '^x'"),
        ("a=b,c{d}", "/bin/bash -lc 'a=b,c{d}'"),
        ("printf 'a\\\\b'", "/bin/bash -lc \"printf 'a\\\\\\\\b'\""),
        ("echo 'it''s' \"x\" $HOME; echo $'a'", "/bin/bash -lc \"echo 'it''s' \\\"x\\\" \"'$HOME; echo $'\"'a'\""),
    ],
)
def test_join_matches_codex(cmd: str, expected: str) -> None:
    assert shlex_join(["/bin/bash", "-lc", cmd]) == expected


def test_command_string_passes_strings_through() -> None:
    assert command_string("already joined") == "already joined"
    assert command_string(["a b", "c"]) == "'a b' c"
    assert command_string(None) == ""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from pycodex_apply_patch import seek_sequence


def test_exact_match() -> None:
    assert seek_sequence(["foo", "bar", "baz"], ["bar", "baz"]) == 1


def test_trailing_whitespace_pass() -> None:
    assert seek_sequence(["foo   ", "bar\t\t"], ["foo", "bar"]) == 0


def test_trim_pass() -> None:
    assert seek_sequence(["    foo   ", "   bar\t"], ["foo", "bar"]) == 0


def test_unicode_normalisation_pass() -> None:
    lines = ["x \u2014 y", "say \u201chi\u201d", "it\u2019s", "a\u00a0b", "c\u3000d"]
    assert seek_sequence(lines, ["x - y", 'say "hi"', "it's", "a b", "c d"]) == 0


def test_exact_wins_over_earlier_fuzzy_match() -> None:
    assert seek_sequence(["a ", "a"], ["a"]) == 1


def test_pattern_longer_than_input() -> None:
    assert seek_sequence(["one"], ["too", "many", "lines"]) is None


def test_empty_pattern_matches_at_start() -> None:
    assert seek_sequence(["a", "b"], [], 1) == 1


def test_start_is_respected() -> None:
    assert seek_sequence(["x", "y", "x"], ["x"], 1) == 2
    assert seek_sequence(["x", "y"], ["x"], 1) is None


def test_eof_only_tries_the_end() -> None:
    assert seek_sequence(["x", "y", "x"], ["x"], 0, eof=True) == 2
    assert seek_sequence(["x", "y", "z"], ["x"], 0, eof=True) is None


def test_rust_whitespace_not_python_whitespace() -> None:
    # U+001C is whitespace to Python's str.strip but not to Rust's str::trim.
    assert seek_sequence(["a\x1c"], ["a"]) is None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.text(alphabet="ab \t\u00a0\u2002\u2013\u2014\u2018\u2019\u201c\u201d\u2212\u3000\x1c\u0085", max_size=8)
    )
)
def test_whole_file_normalisation_equals_line_by_line(lines: list[str]) -> None:
    from pycodex_apply_patch._seek import LineIndex, normalise_line

    assert LineIndex(lines).normalised() == [normalise_line(line) for line in lines]

from __future__ import annotations

import pytest

from pycodex_apply_patch._text import TextFile


@pytest.mark.parametrize(
    "data",
    [b"", b"a", b"a\n", b"a\r\nb\n", b"\xef\xbb\xbfx\r\n", b"caf\xe9\n\xff\xfe", b"a\rb\n", b"\n\n", b"a\r\n\r\n"],
)
def test_round_trip_is_byte_exact(data: bytes) -> None:
    assert TextFile.from_bytes(data).to_bytes("p") == data


def test_lines_and_endings() -> None:
    text = TextFile.from_bytes(b"\xef\xbb\xbfa\r\nb\nc")
    assert (text.texts, text.endings, text.bom) == (["a", "b", "c"], ["\r\n", "\n", ""], True)
    assert not text.has_final_newline


@pytest.mark.parametrize(
    ("data", "ending"),
    [(b"a\nb\r\nc\r\n", "\r\n"), (b"a\r\nb\nc\n", "\n"), (b"a\r\nb\n", "\r\n"), (b"a\nb\r\n", "\n"), (b"abc", "\n")],
)
def test_preferred_ending_is_dominant_then_first(data: bytes, ending: str) -> None:
    assert TextFile.from_bytes(data).preferred_ending() == ending


def test_replaced_keeps_untouched_lines_and_final_newline_state() -> None:
    text = TextFile.from_bytes(b"a\r\nb\nc\r\nd")
    new = text.replaced([(1, 1, ["B", "B2"]), (4, 0, ["e"])])
    assert new.to_bytes("p") == b"a\r\nB\r\nB2\r\nc\r\nd\r\ne"


def test_replaced_on_empty_file_ends_with_newline() -> None:
    assert TextFile.from_bytes(b"").replaced([(0, 0, ["x"])]).to_bytes("p") == b"x\n"


def test_overlapping_replacements_apply_last_first() -> None:
    text = TextFile.from_bytes(b"a\nb\nc\n")
    assert text.replaced([(0, 2, ["X"]), (1, 1, ["Y"])]).to_bytes("p") == b"X\nc\n"


def test_unencodable_line_is_an_error() -> None:
    from pycodex_apply_patch import PatchIOError

    text = TextFile(["\ud800"], ["\n"], False)
    with pytest.raises(PatchIOError):
        text.to_bytes("p")

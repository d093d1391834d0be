from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from pycodex_model_client._sse import SseDecodeError, SseParser


def parse_all(chunks: list[bytes]) -> list[tuple[str, str]]:
    parser = SseParser()
    out: list[tuple[str, str]] = []
    for chunk in chunks:
        out += parser.feed(chunk)
    return out + parser.finish()


def test_fields_comments_and_multiline_data() -> None:
    body = b": hello\nevent: a\ndata: one\ndata:two\nid: 7\nretry: 10\n\ndata: x\n\n: only a comment\n\n"
    assert parse_all([body]) == [("a", "one\ntwo"), ("", "x")]


@pytest.mark.parametrize("eol", [b"\n", b"\r\n", b"\r"])
def test_line_endings(eol: bytes) -> None:
    body = b"event: e" + eol + b"data: {}" + eol + eol + b"data: 2" + eol + eol
    assert parse_all([body]) == [("e", "{}"), ("", "2")]


def test_crlf_split_between_chunks() -> None:
    assert parse_all([b"data: 1\r", b"\n\r", b"\ndata: 2\r\n\r\n"]) == [("", "1"), ("", "2")]


def test_final_event_without_blank_line() -> None:
    assert parse_all([b"data: last"]) == [("", "last")]


def test_multibyte_split_across_chunks() -> None:
    data = "data: héllo ✓\n\n".encode()
    assert parse_all([data[:8], data[8:14], data[14:]]) == [("", "héllo ✓")]


def test_invalid_utf8() -> None:
    with pytest.raises(SseDecodeError, match="0xff"):
        parse_all([b"data: a\xffb\n\n"])


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), max_size=20),
        max_size=10,
    ),
    st.data(),
)
def test_any_chunking_gives_same_events(payloads: list[str], data: st.DataObject) -> None:
    body = b"".join(f"event: t{i}\r\ndata: {p}\r\n\r\n".encode() for i, p in enumerate(payloads))
    cuts = sorted(data.draw(st.lists(st.integers(0, len(body)), max_size=8)))
    chunks = [body[a:b] for a, b in zip([0, *cuts], [*cuts, len(body)], strict=True)]
    expected = [(f"t{i}", p) for i, p in enumerate(payloads)]
    assert parse_all(chunks) == expected


def test_long_event_in_small_chunks_is_linear() -> None:
    """A 10 MB event fed in 1.4 KB chunks (the old parser re-scanned the whole buffer per chunk: ~40 s)."""
    import time

    body = b"data: " + b"x" * (10 * 1024 * 1024) + b"\r\n\r\ndata: end\r\r"
    parser = SseParser()
    out: list[tuple[str, str]] = []
    start = time.perf_counter()
    for i in range(0, len(body), 1400):
        out += parser.feed(body[i : i + 1400])
    out += parser.finish()
    elapsed = time.perf_counter() - start
    assert [(e, len(d)) for e, d in out] == [("", 10 * 1024 * 1024), ("", 3)]
    assert elapsed < 3.0, f"{elapsed:.1f} s"


@pytest.mark.parametrize("sep", [b"\n\n", b"\r\n\r\n", b"\r\r", b"\n\r\n", b"\r\n\n"])
def test_separator_split_at_every_point(sep: bytes) -> None:
    body = b"data: one" + sep + b"event: t\ndata: two" + sep + b"data: three"
    for i in range(len(body) + 1):
        for j in range(i, len(body) + 1):
            assert parse_all([body[:i], body[i:j], body[j:]]) == [("", "one"), ("t", "two"), ("", "three")], (i, j)

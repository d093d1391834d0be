"""Issue 9: lines the patch does not change keep the file's own bytes, however fuzzily they matched."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import assume, given, settings, strategies as st

from pycodex_apply_patch import apply_patch


def _apply(tmp_path: Path, original: bytes, body: str) -> bytes:
    (tmp_path / "f.txt").write_bytes(original)
    apply_patch(f"*** Begin Patch\n*** Update File: f.txt\n{body}\n*** End Patch\n", cwd=tmp_path)
    return (tmp_path / "f.txt").read_bytes()


@pytest.mark.parametrize(
    ("original", "body", "expected"),
    [
        # The reproduction from the issue: the patch's trailing spaces do not reach the file.
        (b"one\ntwo\nthree\n", "@@\n one\n-two\n+TWO\n three  ", b"one\nTWO\nthree\n"),
        # ... nor does the file lose its own.
        (b"a \nb\nc \nd\ne \n", "@@\n a\n-b\n+B\n c\n-d\n+D\n e", b"a \nB\nc \nD\ne \n"),
        # Indentation of context lines stays the file's (Python and YAML keep their meaning).
        (b"\tif a:\n\t\tb()\n", "@@\n     if a:\n-        b()\n+        c()", b"\tif a:\n        c()\n"),
        (b"key:\n  - x\n  - y\n", "@@\n key:\n-    - x\n+  - X\n     - y", b"key:\n  - X\n  - y\n"),
        # Typographic punctuation in prose survives.
        (
            "say \u201chi\u201d \u2014 ok\nb\n".encode(),
            '@@\n say "hi" - ok\n-b\n+B',
            "say \u201chi\u201d \u2014 ok\nB\n".encode(),
        ),
        # A context line keeps its own ending in a mixed file; added lines take the dominant one.
        (b"a\nb\r\nc\r\nd\r\n", "@@\n a\n-b\n+B\n c", b"a\nB\r\nc\r\nd\r\n"),
        (b"a  \r\nb\r\nc\r\n", "@@\n a\n-b\n+B\n c", b"a  \r\nB\r\nc\r\n"),
        # A fuzzily matched removed line goes; added lines are written as the patch has them.
        (b"x = 1   \ny\n", "@@\n-x = 1\n+x = 1\n y", b"x = 1\ny\n"),
        (b"  keep\n  old\n", "@@\n keep\n+ new  \n-old", b"  keep\n new  \n"),
        # A context line at the end of a file without a final newline stays so.
        (b"a\nb\nc  ", "@@\n-a\n+A\n b\n c", b"A\nb\nc  "),
    ],
)
def test_context_lines_are_written_back_as_the_file_has_them(
    tmp_path: Path, original: bytes, body: str, expected: bytes
) -> None:
    assert _apply(tmp_path, original, body) == expected


# -- property: fuzzy matching decides where, never what is kept ---------------------------------------

SETTINGS = settings(max_examples=300, deadline=None)
STEMS = st.sampled_from(
    [
        "x = \u201cquoted\u201d",
        "it\u2019s \u2014 fine",
        "range 1\u20132",
        "a\u00a0b",
        "plain words",
        "\tindented(tab)",
        "    four spaces",
        "key: 'v'",
        "trail  ",
        "\u2018single\u2019",
    ]
)
ASCII = str.maketrans({"\u201c": '"', "\u201d": '"', "\u2019": "'", "\u2018": "'", "\u2014": "-", "\u2013": "-"})
ASCII.update({0xA0: " "})


@st.composite
def perturbed(draw: st.DrawFn, line: str) -> str:
    """`line` as a model might quote it: other surrounding whitespace, ASCII punctuation."""
    kind = draw(st.sampled_from(["same", "trailing", "leading", "strip", "ascii", "all"]))
    if kind == "trailing":
        return line + draw(st.sampled_from([" ", "  ", "\t"]))
    if kind == "leading":
        return draw(st.sampled_from([" ", "  ", "\t"])) + line.lstrip()
    if kind == "strip":
        return line.strip()
    if kind == "ascii":
        return line.translate(ASCII)
    if kind == "all":
        return "  " + line.translate(ASCII).strip() + " "
    return line


@st.composite
def fuzzy_cases(draw: st.DrawFn) -> tuple[list[str], list[str], str, set[int]]:
    """File lines (unique), their endings, a patch body with perturbed context, and the removed indices."""
    count = draw(st.integers(2, 30))
    texts = [f"{draw(STEMS)} #{i}" for i in range(count)]
    style = draw(st.sampled_from(["lf", "crlf", "mixed"]))
    endings = [{"lf": "\n", "crlf": "\r\n"}.get(style) or draw(st.sampled_from(["\n", "\r\n"])) for _ in range(count)]
    if draw(st.booleans()):
        endings[-1] = ""
    chunks: list[str] = []
    removed: set[int] = set()
    cursor = 0
    serial = 0
    while cursor < count and len(chunks) < 4:
        start = draw(st.integers(cursor, count - 1))
        gone = draw(st.integers(0, min(2, count - start)))
        added = [f"ADDED {serial + k}" for k in range(draw(st.integers(0 if gone else 1, 2)))]
        serial += len(added)
        before = draw(st.integers(1 if start > cursor else 0, min(2, start - cursor)))
        after = draw(st.integers(0, min(2, count - start - gone)))
        if before + gone + after == 0:
            break
        body = [f" {draw(perturbed(t))}" for t in texts[start - before : start]]
        body += [f"-{draw(perturbed(t))}" for t in texts[start : start + gone]]
        body += [f"+{line}" for line in added]
        body += [f" {draw(perturbed(t))}" for t in texts[start + gone : start + gone + after]]
        chunks.append("@@\n" + "\n".join(body))
        removed.update(range(start, start + gone))
        cursor = start + gone + after
    assume(chunks)
    return texts, endings, "\n".join(chunks), removed


@SETTINGS
@given(fuzzy_cases())
def test_every_line_not_added_is_the_files_own(case: tuple[list[str], list[str], str, set[int]]) -> None:
    texts, endings, body, removed = case
    original = "".join(t + e for t, e in zip(texts, endings, strict=True)).encode()
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "f.txt"
        target.write_bytes(original)
        apply_patch(f"*** Begin Patch\n*** Update File: f.txt\n{body}\n*** End Patch\n", cwd=tmp)
        result = target.read_bytes().decode().splitlines(keepends=True)
    pairs = [(line.rstrip("\r\n"), line[len(line.rstrip("\r\n")) :]) for line in result]
    kept = [(k, pair) for k, pair in enumerate(pairs) if not pair[0].startswith("ADDED ")]
    expected = [pair for k, pair in enumerate(zip(texts, endings, strict=True)) if k not in removed]
    assert [text for _, (text, _) in kept] == [text for text, _ in expected]
    final_newline = endings[-1] != ""
    for (position, (_, ending)), (_, own) in zip(kept, expected, strict=True):
        if position == len(pairs) - 1:  # the last line follows the file's final-newline state
            assert ending == (own if final_newline else "")
        elif own:
            assert ending == own
        else:  # the file's unterminated last line got a successor: it needs an ending
            assert ending in ("\n", "\r\n")
    for text, ending in pairs:
        if text.startswith("ADDED "):
            assert text[6:].isdigit() and ending in ("\n", "\r\n", "")

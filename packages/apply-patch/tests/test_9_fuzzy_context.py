"""Issue 9: lines the patch does not change keep the file's own bytes, however fuzzily they matched."""

from __future__ import annotations

from pathlib import Path

import pytest

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

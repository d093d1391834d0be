from __future__ import annotations

import pytest

from pycodex_apply_patch import (
    AddFile,
    DeleteFile,
    InvalidHunkError,
    InvalidPatchError,
    Patch,
    PatchParseError,
    UpdateChunk,
    UpdateFile,
    parse_patch,
)

P = "*** Begin Patch\n"
E = "*** End Patch"
VALID_HEADERS = "Valid hunk headers: '*** Add File: {path}', '*** Delete File: {path}', '*** Update File: {path}'"
UNEXPECTED = "Every line should start with ' ' (context line), '+' (added line), or '-' (removed line)"


def test_all_hunk_kinds() -> None:
    patch = parse_patch(
        P + "*** Add File: path/add.py\n+abc\n+def\n*** Delete File: path/delete.py\n"
        "*** Update File: path/update.py\n*** Move to: path/update2.py\n@@ def f():\n-    pass\n+    return 123\n" + E
    )
    assert patch.hunks == (
        AddFile("path/add.py", "abc\ndef\n"),
        DeleteFile("path/delete.py"),
        UpdateFile(
            "path/update.py",
            "path/update2.py",
            [UpdateChunk("def f():", ["    pass"], ["    return 123"], new_origins=[-1])],
        ),
    )
    assert patch.text.startswith("*** Begin Patch\n*** Add File")
    assert patch.environment_id is None


def test_add_file_without_lines_is_empty() -> None:
    assert parse_patch(P + "*** Add File: e.txt\n" + E).hunks == (AddFile("e.txt", ""),)


def test_add_lines_may_be_empty() -> None:
    assert parse_patch(P + "*** Add File: e.txt\n+\n+x\n" + E).hunks == (AddFile("e.txt", "\nx\n"),)


def test_update_chunks_context_and_eof() -> None:
    patch = parse_patch(P + "*** Update File: f\n@@\n a\n-b\n+B\n\n@@ ctx\n+z\n*** End of File\n" + E)
    (hunk,) = patch.hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks == [
        UpdateChunk(None, ["a", "b", ""], ["a", "B", ""], new_origins=[0, -1, 2]),
        UpdateChunk("ctx", [], ["z"], is_end_of_file=True, new_origins=[-1]),
    ]


def test_first_chunk_may_omit_header() -> None:
    (hunk,) = parse_patch(P + "*** Update File: f\n import foo\n+bar\n" + E).hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks == [UpdateChunk(None, ["import foo"], ["import foo", "bar"], new_origins=[0, -1])]


def test_blank_lines_between_chunks_are_skipped() -> None:
    (hunk,) = parse_patch(P + "*** Update File: f\n@@\n-a\n+A\n*** End of File\n   \n\n@@\n-c\n+C\n" + E).hunks
    assert isinstance(hunk, UpdateFile)
    assert [chunk.old_lines for chunk in hunk.chunks] == [["a"], ["c"]]


def test_empty_context_header_text() -> None:
    (hunk,) = parse_patch(P + "*** Update File: f\n@@ \n-a\n" + E).hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks[0].change_context == ""


def test_indented_at_at_is_a_context_line() -> None:
    (hunk,) = parse_patch(P + "*** Update File: f\n@@\n-a\n  @@  \n" + E).hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.chunks == [UpdateChunk(None, ["a", " @@  "], [" @@  "], new_origins=[1])]


@pytest.mark.parametrize(
    "text",
    [
        " *** Begin Patch \n*** Add File: a\n+x\n  *** End Patch ",
        "\n\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\n\n",
        "*** Begin Patch\r\n*** Add File: a\r\n+x\r\n*** End Patch\r\n",
        "<<'EOF'\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF\n",
        '<<"EOF"\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF',
        "<<EOF\n*** Begin Patch\n*** Add File: a\n+x\n*** End Patch\nEOF",
        "*** Begin Patch\n   *** Add File: a   \n+x\n*** End Patch",
    ],
)
def test_lenient_forms(text: str) -> None:
    assert parse_patch(text).hunks == (AddFile("a", "x\n"),)


def test_heredoc_text_drops_wrapper() -> None:
    assert parse_patch("<<EOF\n" + P + "*** Delete File: a\n" + E + "\nEOF").text == P + "*** Delete File: a\n" + E


def test_move_path_is_trimmed() -> None:
    (hunk,) = parse_patch(P + "*** Update File: a\n*** Move to: b  \n@@\n-x\n" + E).hunks
    assert isinstance(hunk, UpdateFile)
    assert hunk.move_path == "b"


def test_environment_id() -> None:
    patch = parse_patch(P + "*** Environment ID: local\n*** Delete File: a\n" + E)
    assert patch.environment_id == "local"
    assert patch.hunks == (DeleteFile("a"),)
    with pytest.raises(InvalidHunkError) as info:
        parse_patch(P + "*** Environment ID: x\n*** Frob: a\n" + E)
    assert info.value.line_number == 3


def test_only_markers_has_no_hunks() -> None:
    assert parse_patch(P + E) == Patch((), P + E)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("bad", "Invalid patch: The first line of the patch must be '*** Begin Patch'"),
        ("", "Invalid patch: The last line of the patch must be '*** End Patch'"),
        ("*** Begin Patch\nbad", "Invalid patch: The last line of the patch must be '*** End Patch'"),
        ("*** Begin Patch", "Invalid patch: The last line of the patch must be '*** End Patch'"),
        (
            "<<'EOF\"\n" + P + "*** Add File: a\n+x\n" + E + "\nEOF",
            "Invalid patch: The first line of the patch must be '*** Begin Patch'",
        ),
        (
            "<<EOF\n*** Add File: a\n+x\n" + E + "\nEOF",
            "Invalid patch: The first line of the patch must be '*** Begin Patch'",
        ),
        (
            P + "*** Frob: x\n" + E,
            f"Invalid patch hunk on line 2: '*** Frob: x' is not a valid hunk header. {VALID_HEADERS}",
        ),
        (
            P + "*** Add File: a\n+a\nnot a header\n" + E,
            f"Invalid patch hunk on line 4: 'not a header' is not a valid hunk header. {VALID_HEADERS}",
        ),
        (
            P + "*** Update File: f.txt\n" + E,
            "Invalid patch hunk on line 2: Update file hunk for path 'f.txt' is empty",
        ),
        (P + "*** Update File: f\n@@\n" + E, "Invalid patch hunk on line 4: Update hunk does not contain any lines"),
        (
            P + "*** Update File: f\n@@\n*** End of File\n" + E,
            "Invalid patch hunk on line 4: Update hunk does not contain any lines",
        ),
        (
            P + "*** Update File: f\n@@\n-a\nbogus\n" + E,
            "Invalid patch hunk on line 5: Expected update hunk to start with a @@ context marker, got: 'bogus'",
        ),
        (
            P + "*** Update File: f\nbogus\n" + E,
            f"Invalid patch hunk on line 3: Unexpected line found in update hunk: 'bogus'. {UNEXPECTED}",
        ),
        (
            P + "*** Update File: f\n@@ a\n@@ b\n-x\n" + E,
            f"Invalid patch hunk on line 4: Unexpected line found in update hunk: '@@ b'. {UNEXPECTED}",
        ),
    ],
)
def test_errors(text: str, message: str) -> None:
    with pytest.raises(PatchParseError) as info:
        parse_patch(text)
    assert str(info.value) == message


def test_error_attributes() -> None:
    with pytest.raises(InvalidPatchError) as bad_patch:
        parse_patch("nope")
    assert bad_patch.value.message == "The first line of the patch must be '*** Begin Patch'"
    with pytest.raises(InvalidHunkError) as bad_hunk:
        parse_patch(P + "*** Update File: f\n" + E)
    assert (bad_hunk.value.message, bad_hunk.value.line_number) == ("Update file hunk for path 'f' is empty", 2)


def test_values_compare_and_repr() -> None:
    assert AddFile("a", "x") == AddFile("a", "x")
    assert AddFile("a", "x") != DeleteFile("a")
    assert hash(DeleteFile("a")) == hash(DeleteFile("a"))
    assert repr(DeleteFile("a")) == "DeleteFile(path='a')"

"""Property tests: generated edits round-trip through patches; no input crashes the parser or planner."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings, strategies as st

from pycodex_apply_patch import ApplyPatchError, apply_patch, parse_patch, plan_patch

SETTINGS = settings(max_examples=200, deadline=None)

WORDS = st.sampled_from(["alpha", "beta", "gamma", "x = 1", "def f():", "  indented", "ünï", "—dash", "tab\there"])


@st.composite
def edited_files(draw: st.DrawFn) -> tuple[list[str], list[str], str]:
    """A file (unique lines), an edit of it, and the patch body describing the edit."""
    count = draw(st.integers(1, 40))
    old = [f"{draw(WORDS)} {i}" for i in range(count)]
    new: list[str] = []
    chunks: list[str] = []
    cursor = 0
    serial = 0
    while cursor < count:
        start = draw(st.integers(cursor, count - 1))
        removed = draw(st.integers(0, min(3, count - start)))
        added = [f"new {serial + k}" for k in range(draw(st.integers(0, 3)))]
        serial += len(added)
        before = draw(st.integers(0, min(2, start - cursor)))
        after = draw(st.integers(0, min(2, count - start - removed)))
        if removed + before + after == 0 or (removed == 0 and not added):
            break
        new += old[cursor:start] + added
        body = [f" {line}" for line in old[start - before : start]]
        body += [f"-{line}" for line in old[start : start + removed]]
        body += [f"+{line}" for line in added]
        body += [f" {line}" for line in old[start + removed : start + removed + after]]
        chunks.append("@@\n" + "\n".join(body))
        cursor = start + removed + after
        new += old[start + removed : cursor]
        if draw(st.booleans()):
            break
    new += old[cursor:]
    if not chunks:
        chunks.append(f"@@\n {old[0]}")
    return old, new, "\n".join(chunks)


@SETTINGS
@given(edited_files(), st.sampled_from(["\n", "\r\n"]), st.booleans(), st.booleans())
def test_generated_edit_applies_exactly(
    case: tuple[list[str], list[str], str], ending: str, bom: bool, final_newline: bool
) -> None:
    old, new, body = case
    prefix = b"\xef\xbb\xbf" if bom else b""

    def encode(lines: list[str], ending: str) -> bytes:
        text = ending.join(lines) + (ending if final_newline and lines else "")
        return prefix + text.encode()

    # A one-line file without a newline has no ending to copy: new lines then get LF.
    new_ending = ending if len(old) > 1 or final_newline else "\n"
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "file.txt"
        target.write_bytes(encode(old, ending))
        patch = f"*** Begin Patch\n*** Update File: file.txt\n{body}\n*** End Patch\n"
        result = apply_patch(patch, cwd=tmp)
        assert result.summary() == "Success. Updated the following files:\nM file.txt\n"
        expected = encode(new, new_ending) if new else prefix
        assert target.read_bytes() == expected


@SETTINGS
@given(st.lists(st.text(alphabet="abc+- é\r\t", max_size=12), max_size=20))
def test_added_file_contents_round_trip(lines: list[str]) -> None:
    lines = [line.replace("\r", "") for line in lines]
    patch = "*** Begin Patch\n*** Add File: new.txt\n" + "".join(f"+{line}\n" for line in lines) + "*** End Patch"
    with tempfile.TemporaryDirectory() as tmp:
        apply_patch(patch, cwd=tmp)
        assert (Path(tmp) / "new.txt").read_text(encoding="utf-8") == "".join(f"{line}\n" for line in lines)


FRAGMENTS = st.sampled_from(
    [
        "*** Begin Patch",
        "*** End Patch",
        "*** Add File: a.txt",
        "*** Add File: ",
        "*** Delete File: a.txt",
        "*** Update File: a.txt",
        "*** Update File: d",
        "*** Move to: b.txt",
        "*** Move to: ../x",
        "*** End of File",
        "*** Environment ID: e",
        "@@",
        "@@ ",
        "@@ a",
        "+",
        "+a",
        "-a",
        " a",
        "-",
        " ",
        "",
        "<<EOF",
        "EOF",
        "\r",
        "junk",
    ]
)


@SETTINGS
@given(st.lists(FRAGMENTS | st.text(max_size=8), max_size=14), st.sampled_from(["\n", "\r\n"]))
def test_no_input_crashes(lines: list[str], newline: str) -> None:
    text = newline.join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "a.txt").write_text("a\nb\n", encoding="utf-8")
        (Path(tmp) / "d").mkdir()
        try:
            plan_patch(parse_patch(text), cwd=tmp)
        except ApplyPatchError:
            pass


@SETTINGS
@given(st.text(max_size=200))
def test_arbitrary_text_only_raises_apply_patch_error(text: str) -> None:
    try:
        parse_patch(text)
    except ApplyPatchError:
        pass

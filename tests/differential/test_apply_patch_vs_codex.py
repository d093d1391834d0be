"""Differential tests: our `apply_patch` console script against Codex 0.169's, case by case.

Every known, intended difference is listed in `KNOWN_DIFFERENCES` with the aspects that differ and
why ours is better (docs/apply-patch.md); an unlisted difference fails, and so does a listed one
that no longer differs.
"""

from __future__ import annotations

import random
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from differential_support import ROOT, Case, Entry, codex_binary, differing, ours_apply_patch, run_case

pytestmark = pytest.mark.codex


# -- cases ----------------------------------------------------------------------------------------

P = "*** Begin Patch\n"
E = "*** End Patch"


def _hand_written() -> list[Case]:
    c: list[Case] = []

    def add(name: str, patch: str | None, files: Mapping[str, Entry] | None = None, **kw: Any) -> None:
        c.append(Case(name, patch, dict(files or {}), **kw))

    abc = {"f.txt": b"a\nb\nc\n"}
    add("add_file", P + "*** Add File: hello.txt\n+hello\n+world\n" + E)
    add("add_file_nested_dirs", P + "*** Add File: a/b/c/new.txt\n+x\n" + E)
    add("add_empty_file", P + "*** Add File: empty.txt\n" + E)
    add("add_overwrites_existing", P + "*** Add File: f.txt\n+new\n" + E, abc)
    add("add_file_parent_is_file", P + "*** Add File: f.txt/sub.txt\n+x\n" + E, abc)
    add("add_onto_directory", P + "*** Add File: d\n+x\n" + E, {"d": None})
    add("add_path_with_spaces", P + "*** Add File: my file.txt\n+x\n" + E)
    add("add_unicode_content", P + "*** Add File: u.txt\n+héllo wörld ✓\n+日本語\n" + E)
    add("add_blank_plus_lines", P + "*** Add File: b.txt\n+\n+x\n+\n" + E)
    add("delete_file", P + "*** Delete File: f.txt\n" + E, abc)
    add("delete_missing_file", P + "*** Delete File: nope.txt\n" + E)
    add("delete_directory_fails", P + "*** Delete File: d\n" + E, {"d/x.txt": b"x\n"})
    add("delete_symlink", P + "*** Delete File: link\n" + E, {"f.txt": b"a\n", "link": ("symlink", "f.txt")})
    add("update_simple", P + "*** Update File: f.txt\n@@\n a\n-b\n+B\n c\n" + E, abc)
    add("update_multiple_chunks", P + "*** Update File: f.txt\n@@\n-a\n+A\n@@\n-c\n+C\n" + E, abc)
    ctx = {"m.py": b"class A:\n    def f(self):\n        return 1\n\nclass B:\n    def f(self):\n        return 1\n"}
    add(
        "update_context_header",
        P + "*** Update File: m.py\n@@ class B:\n     def f(self):\n-        return 1\n+        return 2\n" + E,
        ctx,
    )
    add(
        "update_context_not_found",
        P + "*** Update File: m.py\n@@ class C:\n-        return 1\n+        return 2\n" + E,
        ctx,
    )
    add("update_expected_lines_not_found", P + "*** Update File: f.txt\n@@\n-x\n-y\n+z\n" + E, abc)
    add("update_missing_file", P + "*** Update File: nope.txt\n@@\n-a\n+b\n" + E)
    add("update_fifo", P + "*** Update File: p\n@@\n-a\n+b\n" + E, {"p": ("fifo", "")})
    add("update_empty_file_pure_addition", P + "*** Update File: e.txt\n@@\n+x\n" + E, {"e.txt": b""})
    add("update_directory", P + "*** Update File: d\n@@\n-a\n+b\n" + E, {"d": None})
    add("update_first_chunk_without_header", P + "*** Update File: f.txt\n a\n-b\n+B\n" + E, abc)
    add("update_blank_lines_between_chunks", P + "*** Update File: f.txt\n@@\n-a\n+A\n\n\n@@\n-c\n+C\n" + E, abc)
    add("update_empty_context_line", P + "*** Update File: g.txt\n@@\n x\n\n-y\n+Y\n" + E, {"g.txt": b"x\n\ny\n"})
    add("update_empty_context_line_mismatch", P + "*** Update File: f.txt\n@@\n a\n\n-b\n+B\n" + E, abc)
    add("update_context_empty_string", P + "*** Update File: g.txt\n@@ \n-y\n+Y\n" + E, {"g.txt": b"x\n\ny\n"})
    add("update_chunks_out_of_order", P + "*** Update File: f.txt\n@@\n-c\n+C\n@@\n-a\n+A\n" + E, abc)
    add("update_to_empty_file", P + "*** Update File: f.txt\n@@\n-a\n-b\n-c\n" + E, abc)
    add("update_old_lines_trailing_empty", P + "*** Update File: f.txt\n@@\n b\n-c\n+C\n\n" + E, abc)
    add("pure_addition", P + "*** Update File: f.txt\n@@\n+d\n+e\n" + E, abc)
    add("pure_addition_file_ending_blank", P + "*** Update File: g.txt\n@@\n+z\n" + E, {"g.txt": b"x\n\n"})
    add("pure_addition_after_context", P + "*** Update File: f.txt\n@@ a\n+inserted\n" + E, abc)
    add("deletion_only", P + "*** Update File: f.txt\n@@\n a\n-b\n c\n" + E, abc)
    add("eof_marker", P + "*** Update File: f.txt\n@@\n b\n-c\n+C\n*** End of File\n" + E, abc)
    add(
        "eof_marker_prefers_end",
        P + "*** Update File: r.txt\n@@\n-x\n+X\n*** End of File\n" + E,
        {"r.txt": b"x\ny\nx\n"},
    )
    add("eof_marker_not_at_end", P + "*** Update File: f.txt\n@@\n-a\n+A\n*** End of File\n" + E, abc)
    add("eof_marker_first_line", P + "*** Update File: f.txt\n@@\n*** End of File\n" + E, abc)
    add("update_no_trailing_newline_last_line", P + "*** Update File: n.txt\n@@\n a\n-b\n+B\n" + E, {"n.txt": b"a\nb"})
    add("update_no_trailing_newline_middle", P + "*** Update File: n.txt\n@@\n-a\n+A\n" + E, {"n.txt": b"a\nb\nc"})
    add(
        "update_appends_trailing_newline_codex_014",
        P + "*** Update File: n.txt\n@@\n-one\n+ONE\n" + E,
        {"n.txt": b"one"},
    )
    add("crlf_file_update", P + "*** Update File: w.txt\n@@\n-b\n+B\n+D\n" + E, {"w.txt": b"a\r\nb\r\nc\r\n"})
    add("crlf_file_pure_addition", P + "*** Update File: w.txt\n@@\n+d\n" + E, {"w.txt": b"a\r\nb\r\n"})
    add(
        "mixed_endings_first_crlf_dominant_crlf",
        P + "*** Update File: w.txt\n@@\n-b\n+B\n" + E,
        {"w.txt": b"a\r\nb\nc\r\nd\r\n"},
    )
    add(
        "mixed_endings_first_lf_dominant_crlf",
        P + "*** Update File: w.txt\n@@\n-b\n+B\n" + E,
        {"w.txt": b"a\nb\r\nc\r\nd\r\n"},
    )
    add("bom_update_other_line", P + "*** Update File: bom.txt\n@@\n-b\n+B\n" + E, {"bom.txt": b"\xef\xbb\xbfa\nb\n"})
    add("bom_update_first_line", P + "*** Update File: bom.txt\n@@\n-a\n+A\n" + E, {"bom.txt": b"\xef\xbb\xbfa\nb\n"})
    add("latin1_file_update", P + "*** Update File: l.txt\n@@\n-b\n+B\n" + E, {"l.txt": b"caf\xe9\nb\n"})
    add("whitespace_padded_markers", " *** Begin Patch \n*** Add File: p.txt\n+x\n *** End Patch  ")
    add("whitespace_padded_hunk_header", P + "  *** Update File: f.txt  \n@@\n-b\n+B\n" + E, abc)
    add("surrounding_blank_lines", "\n\n" + P + "*** Add File: p.txt\n+x\n" + E + "\n\n")
    add("heredoc_quoted", "<<'EOF'\n" + P + "*** Add File: h.txt\n+x\n" + E + "\nEOF\n")
    add("heredoc_plain", "<<EOF\n" + P + "*** Add File: h.txt\n+x\n" + E + "\nEOF")
    add("heredoc_double_quoted", '<<"EOF"\n' + P + "*** Add File: h.txt\n+x\n" + E + "\nEOF")
    add("heredoc_mismatched_quotes", "<<'EOF\"\n" + P + "*** Add File: h.txt\n+x\n" + E + "\nEOF")
    add("heredoc_bad_inner", "<<'EOF'\n*** Add File: h.txt\n+x\n" + E + "\nEOF")
    add("crlf_patch_text", (P + "*** Update File: f.txt\n@@\n-b\n+B\n" + E).replace("\n", "\r\n") + "\r\n", abc)
    add("missing_begin", "*** Add File: x.txt\n+x\n" + E)
    add("missing_end", P + "*** Add File: x.txt\n+x\n")
    add("only_markers", P + E)
    add("garbage", "hello")
    add("whitespace_only_argument", "   \n ")
    add("empty_argument", "")
    add("invalid_hunk_header", P + "*** Frobnicate File: x\n" + E)
    add("invalid_hunk_header_second", P + "*** Add File: a.txt\n+a\nnot a header\n" + E)
    add("empty_update_hunk", P + "*** Update File: f.txt\n" + E, abc)
    add("update_hunk_without_lines", P + "*** Update File: f.txt\n@@\n" + E, abc)
    add("second_chunk_without_header", P + "*** Update File: f.txt\n@@\n-a\n+A\nbogus\n" + E, abc)
    add("unexpected_first_line", P + "*** Update File: f.txt\nbogus\n" + E, abc)
    add(
        "double_context_headers",
        P + "*** Update File: m.py\n@@ class B:\n@@     def f(self):\n-        return 1\n+        return 2\n" + E,
        ctx,
    )
    add("indented_context_header_is_context", P + "*** Update File: f.txt\n@@\n-a\n+A\n  @@  \n" + E, abc)
    add("fuzzy_trailing_whitespace", P + "*** Update File: s.txt\n@@\n-b\n+B\n" + E, {"s.txt": b"a\nb   \nc\n"})
    add("fuzzy_trim_no_reindent", P + "*** Update File: s.txt\n@@\n-b\n+B\n" + E, {"s.txt": b"a\n    b\nc\n"})
    add("fuzzy_unicode_dash", P + "*** Update File: s.txt\n@@\n-x - y\n+z\n" + E, {"s.txt": "a\nx \u2014 y\n".encode()})
    add(
        "fuzzy_unicode_quotes",
        P + "*** Update File: s.txt\n@@\n-say \"hi\" 'x'\n+z\n" + E,
        {"s.txt": "say \u201chi\u201d \u2018x\u2019\n".encode()},
    )
    add("fuzzy_nbsp", P + "*** Update File: s.txt\n@@\n-a b\n+z\n" + E, {"s.txt": "a\u00a0b\n".encode()})
    add(
        "fuzzy_unicode_context_header",
        P + "*** Update File: s.txt\n@@ x - y\n-b\n+B\n" + E,
        {"s.txt": "x \u2013 y\nb\n".encode()},
    )
    add("environment_id", P + "*** Environment ID: local\n*** Add File: e.txt\n+x\n" + E)
    add("environment_id_bad_hunk", P + "*** Environment ID: local\n*** Frob: e.txt\n" + E)
    add(
        "partial_failure_codex_015",
        P + "*** Add File: created.txt\n+x\n*** Update File: f.txt\n@@\n-zzz\n+y\n" + E,
        abc,
    )
    add(
        "partial_failure_update_then_missing",
        P + "*** Update File: f.txt\n@@\n-a\n+A\n*** Delete File: gone.txt\n" + E,
        abc,
    )
    add(
        "same_file_updated_twice",
        P + "*** Update File: f.txt\n@@\n-a\n+A\n*** Update File: f.txt\n@@\n-c\n+C\n" + E,
        abc,
    )
    add("add_then_update", P + "*** Add File: n.txt\n+one\n+two\n*** Update File: n.txt\n@@\n-two\n+TWO\n" + E)
    add("delete_then_add", P + "*** Delete File: f.txt\n*** Add File: f.txt\n+fresh\n" + E, abc)
    add("update_then_delete", P + "*** Update File: f.txt\n@@\n-a\n+A\n*** Delete File: f.txt\n" + E, abc)
    add("add_then_delete", P + "*** Add File: t.txt\n+x\n*** Delete File: t.txt\n" + E)
    add("move_to_new_directory", P + "*** Update File: f.txt\n*** Move to: dir/g.txt\n@@\n-b\n+B\n" + E, abc)
    add(
        "move_overwrites_existing",
        P + "*** Update File: f.txt\n*** Move to: g.txt\n@@\n-b\n+B\n" + E,
        {**abc, "g.txt": b"old\n"},
    )
    add("move_to_same_path", P + "*** Update File: f.txt\n*** Move to: f.txt\n@@\n-b\n+B\n" + E, abc)
    add("move_source_missing", P + "*** Update File: nope.txt\n*** Move to: g.txt\n@@\n-b\n+B\n" + E)
    add("move_dest_parent_is_file", P + "*** Update File: f.txt\n*** Move to: f.txt/x\n@@\n-b\n+B\n" + E, abc)
    add("move_line_leading_space", P + "*** Update File: f.txt\n  *** Move to: g.txt\n@@\n-b\n+B\n" + E, abc)
    add("move_path_trailing_space_trimmed", P + "*** Update File: f.txt\n*** Move to: g.txt \n@@\n-b\n+B\n" + E, abc)
    add(
        "move_keeps_executable_bit",
        P + "*** Update File: run.sh\n*** Move to: bin/run.sh\n@@\n-echo a\n+echo b\n" + E,
        {"run.sh": (b"#!/bin/sh\necho a\n", 0o755)},
    )
    add(
        "update_keeps_executable_bit",
        P + "*** Update File: run.sh\n@@\n-echo a\n+echo b\n" + E,
        {"run.sh": (b"#!/bin/sh\necho a\n", 0o755)},
    )
    add("add_over_executable_keeps_mode", P + "*** Add File: run.sh\n+echo new\n" + E, {"run.sh": (b"echo a\n", 0o755)})
    add("absolute_path_inside_cwd", P + f"*** Add File: {ROOT}/work/abs.txt\n+x\n" + E)
    add("absolute_path_outside_cwd", P + f"*** Add File: {ROOT}/outside.txt\n+x\n" + E)
    add("dotdot_escape", P + "*** Add File: ../escape.txt\n+x\n" + E)
    add("dotdot_inside", P + "*** Add File: sub/../inside.txt\n+x\n" + E, {"sub": None})
    add("symlink_update_inside", P + "*** Update File: link\n@@\n-b\n+B\n" + E, {**abc, "link": ("symlink", "f.txt")})
    add(
        "symlink_dir_escape",
        P + "*** Add File: out/x.txt\n+x\n" + E,
        {"../outdir": None, "out": ("symlink", f"{ROOT}/outdir")},
    )
    add(
        "symlink_file_escape_update",
        P + "*** Update File: link\n@@\n-a\n+A\n" + E,
        {"../secret.txt": b"a\n", "link": ("symlink", f"{ROOT}/secret.txt")},
    )
    add("usage_no_input", None, args=[])
    add("two_arguments", None, args=["a", "b"])
    add("stdin_patch", None, abc, args=[], stdin=P + "*** Update File: f.txt\n@@\n-a\n+A\n" + E)
    add("stdin_whitespace_only", None, args=[], stdin="  \n")
    add("header_trailing_spaces_trimmed", P + "*** Update File: f.txt   \n@@\n-a\n+A\n" + E, abc)
    add("add_crlf_lines_in_patch", (P + "*** Add File: c.txt\n+x\n+y\n" + E).replace("\n", "\r\n"))
    add("heredoc_trailing_text_eof", "<<EOF\n" + P + "*** Add File: h.txt\n+x\n" + E + "\nnotEOF")
    add(
        "context_then_later_lines",
        P + "*** Update File: r.txt\n@@ marker\n-x\n+X\n" + E,
        {"r.txt": b"x\nmarker\ny\nx\n"},
    )
    add("unicode_path_and_content", P + "*** Add File: dé/ü.txt\n+ü\n" + E)
    add(
        "update_large_file",
        P + "*** Update File: big.txt\n@@ line 500\n-line 501\n+LINE 501\n@@\n-line 998\n+LINE 998\n" + E,
        {"big.txt": "".join(f"line {i}\n" for i in range(1000)).encode()},
    )
    add(
        "three_operations_codex_002",
        P
        + "*** Add File: nested/new.txt\n+created\n*** Delete File: delete.txt\n"
        + "*** Update File: modify.txt\n@@\n-line2\n+changed\n"
        + E,
        {"delete.txt": b"obsolete\n", "modify.txt": b"line1\nline2\n"},
    )
    many = {f"many/old{k}.txt": f"old {k}\n".encode() for k in range(120)}
    many_hunks = "".join(
        f"*** Add File: many/new{k}.txt\n+new {k}\n*** Delete File: many/old{k}.txt\n" for k in range(120)
    )
    add("more_than_a_hundred_files_in_one_directory", P + many_hunks + E, many)
    return c


_WORDS = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu".split()


def _random_file(rng: random.Random) -> list[str]:
    return [" ".join(rng.choice(_WORDS) for _ in range(rng.randint(0, 4))) + f" {i}" for i in range(rng.randint(3, 60))]


def _generated(count: int) -> list[Case]:
    """Random edits of random files, written as patches with 0-3 lines of context and optional `@@ ctx` headers."""
    cases: list[Case] = []
    for seed in range(count):
        rng = random.Random(seed)
        old = _random_file(rng)
        new = list(old)
        chunks: list[str] = []
        cursor = 0
        position = 0
        offset = 0
        while position < len(old) - 1 and len(chunks) < 4:
            start = rng.randint(position, min(len(old) - 1, position + 10))
            removed = rng.randint(0, min(3, len(old) - start))
            added = [f"new {seed}.{len(chunks)}.{k}" for k in range(rng.randint(0 if removed else 1, 3))]
            before = rng.randint(0, 3)
            after = rng.randint(0, 3)
            lo = max(start - before, cursor)
            hi = min(start + removed + after, len(old))
            body = [f" {line}" for line in old[lo:start]]
            body += [f"-{line}" for line in old[start : start + removed]]
            body += [f"+{line}" for line in added]
            body += [f" {line}" for line in old[start + removed : hi]]
            if not [line for line in body if line[0] in " -"]:
                break
            header = "@@"
            if lo > cursor and rng.random() < 0.3:
                header = f"@@ {old[lo - 1]}"
            chunks.append(header + "\n" + "\n".join(body))
            new[start + offset : start + offset + removed] = added
            offset += len(added) - removed
            cursor = hi
            position = hi + 1
        if not chunks:
            continue
        crlf = seed % 5 == 0
        ending = "\r\n" if crlf else "\n"
        patch = P + "*** Update File: gen.txt\n" + "\n".join(chunks) + "\n" + E
        cases.append(
            Case(
                f"generated_{seed:03d}{'_crlf' if crlf else ''}",
                patch,
                {"gen.txt": (ending.join(old) + ending).encode()},
            )
        )
    return cases


def _generated_fuzzy(count: int) -> list[Case]:
    """Patches whose context differs from the file by whitespace or typographic punctuation."""
    cases: list[Case] = []
    swaps = [("-", "\u2013"), ("'", "\u2019"), ('"', "\u201c"), (" ", "\u00a0")]
    for seed in range(count):
        rng = random.Random(1000 + seed)
        lines = [f"{rng.choice(_WORDS)} - 'q' \"w\" {i}" for i in range(rng.randint(4, 30))]
        file_lines = list(lines)
        target = rng.randrange(len(lines))
        style = seed % 4
        if style == 0:
            file_lines[target] = file_lines[target] + "  \t"
        elif style == 1:
            file_lines[target] = "    " + file_lines[target]
        elif style == 2:
            old, new = rng.choice(swaps)
            file_lines[target] = file_lines[target].replace(old, new)
        else:
            file_lines[target] = "\t" + file_lines[target] + " "
        context = f"@@ {lines[target - 1]}\n" if target and rng.random() < 0.5 else "@@\n"
        patch = P + f"*** Update File: fz.txt\n{context}-{lines[target]}\n+changed {seed}\n" + E
        cases.append(Case(f"fuzzy_generated_{seed:03d}", patch, {"fz.txt": ("\n".join(file_lines) + "\n").encode()}))
    return cases


def _generated_multi(count: int) -> list[Case]:
    """Several files: adds, deletes, updates and moves in one patch."""
    cases: list[Case] = []
    for seed in range(count):
        rng = random.Random(2000 + seed)
        files: dict[str, Entry] = {f"d{k % 2}/f{k}.txt": f"one {k}\ntwo {k}\nthree {k}\n".encode() for k in range(4)}
        hunks: list[str] = []
        for k in rng.sample(range(4), rng.randint(1, 4)):
            path = f"d{k % 2}/f{k}.txt"
            action = rng.choice(["delete", "update", "move"])
            if action == "delete":
                hunks.append(f"*** Delete File: {path}")
            elif action == "update":
                hunks.append(f"*** Update File: {path}\n@@\n one {k}\n-two {k}\n+TWO {k}")
            else:
                hunks.append(f"*** Update File: {path}\n*** Move to: moved/{seed}/f{k}.txt\n@@\n-three {k}\n+3 {k}")
        for n in range(rng.randint(0, 2)):
            hunks.append(f"*** Add File: new/{seed}/n{n}.txt\n+added {n}")
        rng.shuffle(hunks)
        cases.append(Case(f"multi_generated_{seed:03d}", P + "\n".join(hunks) + "\n" + E, files))
    return cases


CASES = _hand_written() + _generated(70) + _generated_fuzzy(24) + _generated_multi(24)

KNOWN_DIFFERENCES: dict[str, tuple[frozenset[str], str]] = {
    "bom_update_first_line": (frozenset({"rc", "stdout", "stderr", "files"}), "we match past a UTF-8 BOM and keep it"),
    "latin1_file_update": (
        frozenset({"rc", "stdout", "stderr", "files"}),
        "we edit files that are not UTF-8, bytes kept",
    ),
    "update_no_trailing_newline_last_line": (frozenset({"files"}), "we keep a missing final newline"),
    "update_no_trailing_newline_middle": (frozenset({"files"}), "we keep a missing final newline"),
    "update_appends_trailing_newline_codex_014": (frozenset({"files"}), "we keep a missing final newline"),
    "mixed_endings_first_lf_dominant_crlf": (frozenset({"files"}), "new lines take the dominant line ending"),
    "partial_failure_codex_015": (frozenset({"files"}), "atomic: nothing is written when a hunk fails"),
    "partial_failure_update_then_missing": (frozenset({"files"}), "atomic: nothing is written when a hunk fails"),
    "move_to_same_path": (frozenset({"files"}), "Codex deletes the file; we update it in place"),
    "move_keeps_executable_bit": (frozenset({"files"}), "a moved file keeps its permission bits"),
    "absolute_path_outside_cwd": (
        frozenset({"rc", "stdout", "stderr", "files"}),
        "writes are confined to the writable roots",
    ),
    "dotdot_escape": (frozenset({"rc", "stdout", "stderr", "files"}), "writes are confined to the writable roots"),
    "symlink_dir_escape": (
        frozenset({"rc", "stdout", "stderr", "files"}),
        "symlinks may not lead writes outside the roots",
    ),
    "symlink_file_escape_update": (
        frozenset({"rc", "stdout", "stderr", "files"}),
        "symlinks may not lead writes outside the roots",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_matches_codex(case: Case, codex_apply_patch: Path, tmp_path: Path) -> None:
    theirs = run_case(codex_apply_patch, case, tmp_path / "codex")
    ours = run_case(ours_apply_patch(), case, tmp_path / "ours")
    allowed, reason = KNOWN_DIFFERENCES.get(case.name, (frozenset[str](), ""))
    found = differing(ours, theirs)
    unexpected = found - allowed
    assert not unexpected, f"new difference in {sorted(unexpected)}:\nours:   {ours}\ncodex:  {theirs}"
    if allowed:
        assert found, f"{case.name} is listed as a known difference ({reason}) but now matches Codex; drop the entry"


def test_enough_cases() -> None:
    assert len(CASES) >= 100
    assert len({case.name for case in CASES}) == len(CASES)
    assert set(KNOWN_DIFFERENCES) <= {case.name for case in CASES}


def test_binary_is_codex_0_169() -> None:
    out = subprocess.run(
        [str(codex_binary()), "--version"], capture_output=True, text=True, timeout=30, encoding="utf-8"
    )
    assert "0.169" in out.stdout, out.stdout

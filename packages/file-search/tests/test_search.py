from pathlib import Path

from pycodex_file_search import BackgroundIndex, FileIndex, fuzzy_indices

PATHS = [
    "docs/main_guide.md",
    "src/app/main.py",
    "src/app/domain.py",
    "tests/test_main.py",
    "src/mxaxixn.py",
    "very/long/path/to/somewhere/main.py",
    "README.md",
]


def test_file_name_prefix_beats_substring_beats_subsequence() -> None:
    index = FileIndex(Path("."), PATHS)
    got = [m.path for m in index.search("main", limit=10)]
    assert got[:3] == ["src/app/main.py", "docs/main_guide.md", "very/long/path/to/somewhere/main.py"]
    assert got.index("tests/test_main.py") < got.index("src/mxaxixn.py")
    assert "README.md" not in got


def test_limit_and_case_insensitivity() -> None:
    index = FileIndex(Path("."), PATHS)
    assert [m.path for m in index.search("READ")] == ["README.md"]
    assert len(index.search("a", limit=2)) == 2


def test_indices_point_at_the_matched_characters() -> None:
    assert fuzzy_indices("main", "src/app/main.py") == (8, 9, 10, 11)
    assert fuzzy_indices("sap", "src/app/x.py") == (0, 4, 5)
    assert fuzzy_indices("zz", "src/app") is None
    index = FileIndex(Path("."), PATHS)
    match = index.search("mxn")[0]
    assert "".join(match.path[i] for i in match.indices) == "mxn"


def test_regex_characters_and_newlines_in_names_are_harmless() -> None:
    index = FileIndex(Path("."), ["a(b).txt", "x[1]*.py", "bad\nname.py", "plain.py"])
    assert [m.path for m in index.search("(b)")] == ["a(b).txt"]
    assert [m.path for m in index.search("[1]*")] == ["x[1]*.py"]
    assert all("\n" not in m.path for m in index.search("name"))
    assert index.search("q" * 10_000) == []


def test_empty_query_lists_shallow_paths_first() -> None:
    index = FileIndex(Path("."), PATHS)
    assert index.search("", limit=1)[0].path == "README.md"


def test_background_index_answers_none_until_ready(tmp_path: Path) -> None:
    (tmp_path / "hello.txt").write_text("x", encoding="utf-8")
    bg = BackgroundIndex(tmp_path)
    first = bg.search("hello")
    assert first is None or [m.path for m in first] == ["hello.txt"]
    assert bg.ready.wait(5)
    assert [m.path for m in bg.search("hello") or []] == ["hello.txt"]


def test_subsequence_with_class_characters_and_mixed_case() -> None:
    index = FileIndex(Path("."), ["a]b^c-d\\e.txt", "Src/Main.PY", "other.txt"])
    assert [m.path for m in index.search("]^-\\")] == ["a]b^c-d\\e.txt"]
    assert [m.path for m in index.search("smpy")] == ["Src/Main.PY"]


def test_broad_queries_rank_file_name_prefixes_first() -> None:
    paths = [f"deep/dir{i}/x_{i}.py" for i in range(20_000)] + ["a/f.py", "fab/zz.txt"]
    index = FileIndex(Path("."), paths)
    got = [m.path for m in index.search("f", limit=3)]
    assert got[0] == "a/f.py"
    assert "fab/zz.txt" in [m.path for m in index.search("f", limit=50)]

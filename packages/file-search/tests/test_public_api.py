import pycodex_file_search


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_file_search.__all__ == sorted(pycodex_file_search.__all__)
    for name in pycodex_file_search.__all__:
        assert hasattr(pycodex_file_search, name), name

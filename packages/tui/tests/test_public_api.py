import pycodex_tui


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_tui.__all__ == sorted(pycodex_tui.__all__)
    for name in pycodex_tui.__all__:
        assert hasattr(pycodex_tui, name), name

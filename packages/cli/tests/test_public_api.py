import pycodex_cli


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_cli.__all__ == sorted(pycodex_cli.__all__)
    for name in pycodex_cli.__all__:
        assert hasattr(pycodex_cli, name)

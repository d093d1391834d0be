import pycodex_exec


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_exec.__all__ == sorted(pycodex_exec.__all__)
    for name in pycodex_exec.__all__:
        assert hasattr(pycodex_exec, name), name

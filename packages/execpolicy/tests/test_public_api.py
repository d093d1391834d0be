import pycodex_execpolicy


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_execpolicy.__all__ == sorted(pycodex_execpolicy.__all__)
    for name in pycodex_execpolicy.__all__:
        assert getattr(pycodex_execpolicy, name) is not None

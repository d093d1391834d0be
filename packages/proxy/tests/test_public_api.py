import pycodex_proxy


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_proxy.__all__ == sorted(pycodex_proxy.__all__)
    for name in pycodex_proxy.__all__:
        assert getattr(pycodex_proxy, name) is not None

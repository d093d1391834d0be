import pycodex_login


def test_all_sorted_and_importable() -> None:
    assert pycodex_login.__all__ == sorted(pycodex_login.__all__)
    for name in pycodex_login.__all__:
        assert getattr(pycodex_login, name) is not None

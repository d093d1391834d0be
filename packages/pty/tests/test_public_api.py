import pycodex_pty


def test_all_sorted_and_importable() -> None:
    assert pycodex_pty.__all__ == sorted(pycodex_pty.__all__)
    for name in pycodex_pty.__all__:
        assert getattr(pycodex_pty, name) is not None

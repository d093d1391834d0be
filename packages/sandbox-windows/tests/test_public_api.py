import pycodex_sandbox_windows


def test_all_is_sorted_and_importable() -> None:
    names = pycodex_sandbox_windows.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_sandbox_windows, name) is not None

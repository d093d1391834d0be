import pycodex_sandbox_linux


def test_all_is_sorted_and_importable() -> None:
    names = pycodex_sandbox_linux.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_sandbox_linux, name) is not None

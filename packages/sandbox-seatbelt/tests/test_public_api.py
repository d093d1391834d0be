import pycodex_sandbox_seatbelt


def test_all_is_sorted_and_importable() -> None:
    names = pycodex_sandbox_seatbelt.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_sandbox_seatbelt, name) is not None

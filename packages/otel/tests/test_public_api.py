import pycodex_otel


def test_all_sorted_and_importable() -> None:
    assert pycodex_otel.__all__ == sorted(pycodex_otel.__all__)
    for name in pycodex_otel.__all__:
        assert getattr(pycodex_otel, name) is not None

import pycodex_config


def test_all_is_sorted_and_importable() -> None:
    assert pycodex_config.__all__ == sorted(pycodex_config.__all__)
    for name in pycodex_config.__all__:
        assert getattr(pycodex_config, name) is not None

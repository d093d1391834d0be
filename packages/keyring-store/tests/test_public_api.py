import pycodex_keyring_store


def test_all_sorted_and_importable() -> None:
    assert pycodex_keyring_store.__all__ == sorted(pycodex_keyring_store.__all__)
    for name in pycodex_keyring_store.__all__:
        assert getattr(pycodex_keyring_store, name) is not None

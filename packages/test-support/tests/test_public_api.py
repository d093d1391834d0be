from __future__ import annotations

import pycodex_test_support


def test_all_sorted_and_importable() -> None:
    names = pycodex_test_support.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_test_support, name) is not None

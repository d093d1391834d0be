from __future__ import annotations

import pycodex_mcp_server


def test_all_sorted_and_importable() -> None:
    names = pycodex_mcp_server.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_mcp_server, name) is not None

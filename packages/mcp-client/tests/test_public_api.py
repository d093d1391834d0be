from __future__ import annotations

import pycodex_mcp_client


def test_all_sorted_and_importable() -> None:
    names = pycodex_mcp_client.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_mcp_client, name) is not None


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pycodex_mcp_client as m\n"
        "print('mcp' in sys.modules, 'anyio' in sys.modules)\n"
        "m.OAuthTokenFile\n"
        "print('mcp' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert out.stdout.splitlines() == ["False False", "False"]

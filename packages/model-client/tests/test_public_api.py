from __future__ import annotations

import subprocess
import sys

import pycodex_model_client


def test_all_sorted_and_importable() -> None:
    names = pycodex_model_client.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_model_client, name) is not None


def test_import_is_light() -> None:
    code = (
        "import sys, pycodex_model_client as m\n"
        "heavy = [n for n in ('httpx', 'httpcore', 'anyio', 'ssl', 'pydantic', 'json') if n in sys.modules]\n"
        "print(','.join(heavy))\n"
        "m.ModelClient\n"
        "print('httpx' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert out.stdout.splitlines() == ["", "True"]

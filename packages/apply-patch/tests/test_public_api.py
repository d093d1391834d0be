from __future__ import annotations

import subprocess
import sys

import pycodex_apply_patch


def test_all_is_sorted_and_importable() -> None:
    names = pycodex_apply_patch.__all__
    assert names == sorted(names)
    for name in names:
        assert getattr(pycodex_apply_patch, name) is not None


def test_import_stays_light() -> None:
    code = (
        "import sys, pycodex_apply_patch;"
        "heavy = {'logging', 'typing', 'pathlib', 'difflib', 're', 'dataclasses', 'pydantic', 'enum'};"
        "print(sorted(heavy & set(sys.modules)))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert out.stdout.strip() == "[]"

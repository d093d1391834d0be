import pycodex_local_models


def test_all_is_sorted_and_importable() -> None:
    names = pycodex_local_models.__all__
    assert names == sorted(names)
    assert len(set(names)) == len(names)
    for name in names:
        assert getattr(pycodex_local_models, name) is not None


def test_import_stays_light() -> None:
    import subprocess
    import sys

    code = (
        "import sys, pycodex_local_models\n"
        "heavy = [m for m in ('httpx', 'anyio', 'pydantic', 'urllib.request', 'subprocess', 'xllamacpp')"
        " if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert out.stdout.strip() == ""

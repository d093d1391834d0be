import pycodex_core
import pycodex_core.testing


def test_all_sorted_and_importable() -> None:
    for module in (pycodex_core, pycodex_core.testing):
        assert module.__all__ == sorted(module.__all__)
        for name in module.__all__:
            assert getattr(module, name) is not None


def test_import_is_light() -> None:
    import subprocess
    import sys

    code = "import sys, pycodex_core; print(sorted(m for m in ('pydantic', 'httpx') if m in sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, encoding="utf-8"
    ).stdout
    assert out.strip() == "[]"

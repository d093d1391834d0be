import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _copy_workspace(tmp_path: Path) -> Path:
    dst = tmp_path / "ws"
    shutil.copytree(ROOT / "tools", dst / "tools")
    shutil.copy(ROOT / "pyproject.toml", dst / "pyproject.toml")
    for pkg in (ROOT / "packages").iterdir():
        if (pkg / "pyproject.toml").is_file():
            shutil.copytree(pkg, dst / "packages" / pkg.name, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    return dst


def _run(tool: str, root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(root / "tools" / tool), str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        encoding="utf-8",
    )


def test_real_workspace_passes() -> None:
    result = _run("check_layers.py", ROOT)
    assert result.returncode == 0, result.stdout
    assert "layer check passed" in result.stdout


def test_upward_import_fails(tmp_path: Path) -> None:
    ws = _copy_workspace(tmp_path)
    (ws / "packages/protocol/src/pycodex_protocol/_bad.py").write_text("import pycodex_core\n", encoding="utf-8")
    result = _run("check_layers.py", ws)
    assert result.returncode == 1
    assert "protocol (L0) imports core (L3): upward edge" in result.stdout
    assert "protocol imports core without declaring pycodex-core" in result.stdout


def test_sideways_dependency_fails(tmp_path: Path) -> None:
    ws = _copy_workspace(tmp_path)
    pyproject = ws / "packages/apply-patch/pyproject.toml"
    pyproject.write_text(
        pyproject.read_text(encoding="utf-8").replace("dependencies = [", 'dependencies = [\n    "pycodex-pty>=0.1",'),
        encoding="utf-8",
    )
    result = _run("check_layers.py", ws)
    assert result.returncode == 1
    assert "apply-patch (L1) depends on pty (L1): sideways edge" in result.stdout


def test_private_module_import_fails(tmp_path: Path) -> None:
    ws = _copy_workspace(tmp_path)
    (ws / "packages/cli/src/pycodex_cli/_bad.py").write_text("from pycodex_config._load import x\n", encoding="utf-8")
    result = _run("check_layers.py", ws)
    assert result.returncode == 1
    assert "imports private name 'pycodex_config._load'" in result.stdout


def test_test_support_allow_list(tmp_path: Path) -> None:
    ws = _copy_workspace(tmp_path)
    (ws / "packages/test-support/src/pycodex_test_support/_bad.py").write_text(
        "import pycodex_core\n", encoding="utf-8"
    )
    result = _run("check_layers.py", ws)
    assert result.returncode == 1
    assert "test-support (private) imports core" in result.stdout


def test_workspace_check_flags_missing_pieces(tmp_path: Path) -> None:
    ws = _copy_workspace(tmp_path)
    stray = ws / "packages" / "stray"
    stray.mkdir()
    (stray / "pyproject.toml").write_text('[project]\nname = "stray"\nversion = "0.1.0"\n', encoding="utf-8")
    result = _run("check_workspace.py", ws)
    assert result.returncode == 1
    assert "stray: project name is 'stray', expected 'pycodex-stray'" in result.stdout
    assert "stray: not in tools/layers.toml" in result.stdout
    assert "stray: missing README.md" in result.stdout

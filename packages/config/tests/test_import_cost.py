from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def test_load_config_imports_no_heavy_modules(tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('model = "o3"\n[tools]\nweb_search = true\n', encoding="utf-8")
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        import pycodex_config
        config = pycodex_config.load_config(cwd=Path({str(tmp_path)!r}), codex_home=Path({str(tmp_path)!r}))
        assert config.model == "o3"
        print(",".join(m for m in ("tomlkit", "pydantic", "yaml", "httpx") if m in sys.modules))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=True, encoding="utf-8"
    )
    assert result.stdout.strip() == ""

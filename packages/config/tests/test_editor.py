from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from pycodex_config import ConfigEditor, ConfigError, load_config

ORIGINAL = """\
# My Codex settings
model = "o3"   # the best one

# MCP
[mcp_servers.docs]
command = "npx"  # keep
args = ["-y", "docs"]
"""


def test_set_keeps_comments_and_layout(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(ORIGINAL, encoding="utf-8")
    path.chmod(0o640)
    editor = ConfigEditor(path)
    editor.set("model", "gpt-5.5")
    editor.set('projects."/home/u/work".trust_level', "trusted")
    editor.set("mcp_servers.docs.env", {"A": "1"})
    editor.save()
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        '# My Codex settings\nmodel = "gpt-5.5"   # the best one\n\n'
        '# MCP\n[mcp_servers.docs]\ncommand = "npx"  # keep\n'
    )
    assert '[projects."/home/u/work"]\ntrust_level = "trusted"\n' in text
    assert "[projects]\n" not in text
    data = tomllib.loads(text)
    assert data["mcp_servers"]["docs"]["env"] == {"A": "1"}
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert list(tmp_path.iterdir()) == [path]


def test_remove_and_get(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(ORIGINAL, encoding="utf-8")
    editor = ConfigEditor(path)
    assert editor.get("mcp_servers.docs.args") == ["-y", "docs"]
    assert editor.remove("mcp_servers.docs")
    assert not editor.remove("nope.x")
    assert editor.get("mcp_servers.docs") is None
    editor.save()
    assert "docs" not in path.read_text(encoding="utf-8")
    assert path.read_text(encoding="utf-8").startswith("# My Codex settings\n")


def test_new_file_is_0600_and_loads(codex_home: Path, workdir: Path) -> None:
    path = codex_home / "config.toml"
    editor = ConfigEditor(path)
    editor.set(["projects", str(workdir.resolve()), "trust_level"], "trusted")
    editor.set("model", "o4")
    editor.save()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    config = load_config(cwd=workdir)
    assert config.is_trusted() and config.model == "o4"


def test_invalid_existing_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('model = "x\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config.toml:1:"):
        ConfigEditor(path)

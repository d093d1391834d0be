from __future__ import annotations

import json
from pathlib import Path

from pycodex_mcp_server import tool_definitions

DOC = Path(__file__).resolve().parents[3] / "docs" / "mcp-server.md"


def test_documented_schemas_are_the_served_ones() -> None:
    text = DOC.read_text(encoding="utf-8")
    block = text.split("```json\n", 1)[1].split("```", 1)[0]
    assert json.loads(block) == tool_definitions()

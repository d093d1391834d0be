"""The pydantic layer: lazy import, adapter configuration, and the published exec-events schema."""

import json
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import pycodex_protocol
from pycodex_protocol import exec_events, schema

FIXTURES = Path(__file__).parent / "fixtures"
ROOT = Path(__file__).resolve().parents[3]
SCHEMA_FILE = ROOT / "docs" / "exec-events.schema.json"
GEN_SCHEMA = ROOT / "tools" / "gen_schema.py"


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


def test_import_does_not_load_pydantic() -> None:
    code = (
        "import sys\n"
        "import pycodex_protocol, pycodex_protocol.exec_events, pycodex_protocol.errors\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'pydantic', 'pydantic_core', 'typing_extensions',"
        " 'json', 'annotated_types'})\n"
        "print(heavy)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert result.stdout.strip() == "[]"


def test_schema_module_loads_pydantic() -> None:
    code = "import sys, pycodex_protocol.schema; print('pydantic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60, encoding="utf-8"
    )
    assert result.stdout.strip() == "True"


def _typeddicts(module: object) -> list[type]:
    return [v for v in vars(module).values() if isinstance(v, type) and typing.is_typeddict(v)]


def test_every_typeddict_is_configured() -> None:
    # The package namespace must reach every TypedDict, or schema.py would leave one unconfigured.
    for cls in _typeddicts(pycodex_protocol):
        assert cls.__pydantic_config__["extra"] == "allow", cls
    for cls in _typeddicts(exec_events):
        assert cls.__pydantic_config__["extra"] == "forbid", cls


def test_private_modules_define_no_unexported_typeddicts() -> None:
    exported = set(_typeddicts(pycodex_protocol))
    for name in ("_events", "_items", "_ops", "_policy"):
        module = sys.modules[f"pycodex_protocol.{name}"]
        defined = {cls for cls in _typeddicts(module) if cls.__module__ == module.__name__}
        assert defined <= exported, defined - exported


def test_schema_file_is_up_to_date() -> None:
    result = subprocess.run(
        [sys.executable, str(GEN_SCHEMA), "--check"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr


def test_gen_schema_check_reports_stale_file(tmp_path: Path) -> None:
    stale = tmp_path / "exec-events.schema.json"
    stale.write_text("{}\n", encoding="utf-8")
    cmd = [sys.executable, str(GEN_SCHEMA), "--check", "--output", str(stale)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, encoding="utf-8")
    assert result.returncode == 1
    assert "is out of date" in result.stderr
    assert "uv run python tools/gen_schema.py" in result.stderr

    missing = tmp_path / "missing.json"
    cmd = [sys.executable, str(GEN_SCHEMA), "--check", "--output", str(missing)]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=60, check=False, encoding="utf-8")
    assert (result.returncode, "is missing" in result.stderr) == (1, True)

    written = tmp_path / "out" / "schema.json"
    subprocess.run([sys.executable, str(GEN_SCHEMA), "--output", str(written)], check=True, timeout=60)
    assert written.read_text(encoding="utf-8") == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_file_format() -> None:
    text = SCHEMA_FILE.read_text(encoding="utf-8")
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert data["discriminator"]["propertyName"] == "type"
    assert sorted(data["discriminator"]["mapping"]) == sorted(
        [
            "thread.started",
            "turn.started",
            "turn.completed",
            "turn.failed",
            "item.started",
            "item.updated",
            "item.completed",
            "error",
        ]
    )
    assert data == schema.exec_events_json_schema()


def _validator() -> jsonschema.Draft202012Validator:
    data = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(data)
    return jsonschema.Draft202012Validator(data)


@pytest.mark.parametrize("line", _lines("exec_events_codex.jsonl") + _lines("exec_events_scenarios.jsonl"))
def test_published_schema_accepts_codex_lines(line: str) -> None:
    _validator().validate(exec_events.loads_event_line(line))


@pytest.mark.parametrize(
    "event",
    [
        {"type": "turn.exploded"},
        {"type": "thread.started"},
        {"type": "turn.started", "extra": 1},
        {"type": "item.completed", "item": {"id": "item_0", "type": "agent_message"}},
        {"type": "item.completed", "item": {"id": "item_0", "type": "reasoning", "text": 3}},
    ],
)
def test_published_schema_rejects_invalid_events(event: dict[str, Any]) -> None:
    assert not _validator().is_valid(event)

"""Round trips of the `codex exec --json` lines Codex 0.169 printed (reference A.3 and exec-wire)."""

import json
import typing
from pathlib import Path

import pytest
from pydantic import ValidationError

from pycodex_protocol import ProtocolError, exec_events
from pycodex_protocol.exec_events import ThreadEvent, dumps_event, loads_event_line
from pycodex_protocol.schema import thread_event_adapter, thread_item_adapter

FIXTURES = Path(__file__).parent / "fixtures"


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


CODEX_LINES = _lines("exec_events_codex.jsonl")
SCENARIO_LINES = _lines("exec_events_scenarios.jsonl")
WEB_SEARCH_LINE = next(line for line in CODEX_LINES if '"web_search"' in line)
SINGLE_ID_LINES = [line for line in CODEX_LINES + SCENARIO_LINES if line != WEB_SEARCH_LINE]


def test_fixture_counts() -> None:
    assert len(CODEX_LINES) == 17
    assert len(SCENARIO_LINES) == 13


@pytest.mark.parametrize("line", SINGLE_ID_LINES)
def test_pydantic_round_trip_is_byte_identical(line: str) -> None:
    adapter = thread_event_adapter()
    event = adapter.validate_json(line)
    # Validation returns the TypedDict's key order, so equal bytes also prove our key order is Codex's.
    assert adapter.dump_json(event).decode() == line
    sorted_back = json.dumps(adapter.dump_python(event, mode="json"), sort_keys=True)
    assert sorted_back == json.dumps(json.loads(line), sort_keys=True)


@pytest.mark.parametrize("line", SINGLE_ID_LINES)
def test_plain_json_round_trip_is_byte_identical(line: str) -> None:
    assert dumps_event(typing.cast(ThreadEvent, loads_event_line(line))) == line


def test_every_event_and_item_type_is_covered() -> None:
    events = {json.loads(line)["type"] for line in CODEX_LINES + SCENARIO_LINES}
    items = {json.loads(line)["item"]["type"] for line in CODEX_LINES + SCENARIO_LINES if '"item"' in line}
    assert events == {
        "thread.started",
        "turn.started",
        "turn.completed",
        "turn.failed",
        "item.started",
        "item.updated",
        "item.completed",
        "error",
    }
    assert items == {
        "agent_message",
        "reasoning",
        "command_execution",
        "file_change",
        "todo_list",
        "web_search",
        "mcp_tool_call",
        "error",
    }


def test_web_search_duplicate_id_first_wins_in_loads_event_line() -> None:
    # Codex prints `"id":"item_1"` and, flattened from the details, `"id":"ws_1"`.
    assert WEB_SEARCH_LINE.count('"id":') == 2
    assert json.loads(WEB_SEARCH_LINE)["item"]["id"] == "ws_1"  # what a standard parser sees
    parsed = loads_event_line(WEB_SEARCH_LINE)
    assert parsed == {
        "type": "item.completed",
        "item": {
            "id": "item_1",
            "type": "web_search",
            "query": "weather sf",
            "action": {"type": "search", "query": "weather sf"},
        },
    }
    adapter = thread_event_adapter()
    event = adapter.validate_python(parsed)
    ours = adapter.dump_json(event).decode()
    # Our line is Codex's line without the provider's duplicate id.
    assert ours == WEB_SEARCH_LINE.replace(',"id":"ws_1"', "")
    assert ours == dumps_event(event)


def test_web_search_raw_codex_line_validates_with_the_last_id() -> None:
    # pydantic's JSON parser also keeps the last duplicate: the item id is lost (hence loads_event_line).
    event = thread_event_adapter().validate_json(WEB_SEARCH_LINE)
    assert event["type"] == "item.completed"
    assert event["item"]["id"] == "ws_1"


def test_dumps_event_keeps_non_ascii_like_serde() -> None:
    event: ThreadEvent = {"type": "error", "message": "We’re busy"}
    assert dumps_event(event) == '{"type":"error","message":"We’re busy"}'


def test_loads_event_line_accepts_bytes_with_newline() -> None:
    assert loads_event_line(b'{"type":"turn.started"}\n') == {"type": "turn.started"}


@pytest.mark.parametrize("line", ["", "not json", "[1, 2]", '"turn.started"'])
def test_loads_event_line_rejects_non_objects(line: str) -> None:
    with pytest.raises(ProtocolError):
        loads_event_line(line)


@pytest.mark.parametrize(
    ("line", "error_type"),
    [
        ('{"type":"turn.exploded"}', "union_tag_invalid"),
        ('{"thread_id":"x"}', "union_tag_not_found"),
        ('{"type":"thread.started"}', "missing"),
        ('{"type":"turn.failed","error":{}}', "missing"),
        ('{"type":"item.completed","item":{"id":"item_0","type":"agent_message"}}', "missing"),
        ('{"type":"item.completed","item":{"id":"item_0","type":"telepathy","text":"x"}}', "union_tag_invalid"),
        ('{"type":"item.completed","item":{"type":"agent_message","text":"x"}}', "missing"),
        ('{"type":"turn.started","extra":1}', "extra_forbidden"),
        (
            '{"type":"turn.completed","usage":{"input_tokens":"1","cached_input_tokens":0,'
            '"cache_write_input_tokens":0,"output_tokens":0,"reasoning_output_tokens":0}}',
            "int_type",
        ),
        (
            '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"ls",'
            '"aggregated_output":"","exit_code":null,"status":"running"}}',
            "literal_error",
        ),
        (
            '{"type":"item.started","item":{"id":"item_1","type":"command_execution","command":"ls",'
            '"aggregated_output":"","status":"in_progress"}}',
            "missing",
        ),
    ],
)
def test_invalid_events_are_rejected(line: str, error_type: str) -> None:
    with pytest.raises(ValidationError) as info:
        thread_event_adapter().validate_json(line)
    assert [e["type"] for e in info.value.errors()] == [error_type]


def test_item_adapter_validates_items_alone() -> None:
    item = thread_item_adapter().validate_python({"id": "item_7", "type": "error", "message": "careful"})
    assert item == {"id": "item_7", "type": "error", "message": "careful"}


def test_typeddict_key_order_starts_with_id_then_type() -> None:
    for name in exec_events.__all__:
        value = getattr(exec_events, name)
        if isinstance(value, type) and typing.is_typeddict(value) and name.endswith("Item") and name != "TodoItem":
            assert list(value.__annotations__)[:2] == ["id", "type"], name

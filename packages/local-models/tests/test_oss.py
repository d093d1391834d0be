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


class _FakeServer:
    """Stands in for `LocalServer`: records `close()` calls."""

    def __init__(self) -> None:
        import threading

        self.closed = threading.Event()

    def close(self) -> None:
        self.closed.set()


def _slow_prepare(monkeypatch: pytest.MonkeyPatch, servers: list[_FakeServer], delay: float = 0.4) -> None:
    import pycodex_local_models._oss as oss_module

    def fake(*args: object, **kwargs: object) -> PreparedOss:
        time.sleep(delay)
        server = _FakeServer()
        servers.append(server)
        return PreparedOss("llamacpp", "http://127.0.0.1:1/v1", "smollm2", server=server)  # type: ignore[arg-type]

    monkeypatch.setattr(oss_module, "prepare_oss", fake)


def _wait_closed(servers: list[_FakeServer]) -> None:
    deadline = time.monotonic() + 5
    while not servers:
        assert time.monotonic() < deadline, "the worker never finished"
        time.sleep(0.01)
    assert servers[0].closed.wait(5), "the server started by a cancelled prepare was left running"


def test_prepare_async_wait_for_cancel_closes_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import asyncio

    servers: list[_FakeServer] = []
    _slow_prepare(monkeypatch, servers)

    async def main() -> float:
        started = time.monotonic()
        with pytest.raises(TimeoutError):
            await asyncio.wait_for(prepare_oss_async("llamacpp"), 0.05)
        return time.monotonic() - started

    assert asyncio.run(main()) < 0.3  # cancellation does not wait for the worker
    _wait_closed(servers)


@pytest.mark.anyio
async def test_prepare_async_cancel_scope_closes_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    servers: list[_FakeServer] = []
    _slow_prepare(monkeypatch, servers)
    result = None
    with anyio.fail_after(5):
        with anyio.move_on_after(0.05) as scope:
            result = await prepare_oss_async("llamacpp")
        assert scope.cancelled_caught and result is None
        await anyio.to_thread.run_sync(_wait_closed, servers)


@pytest.mark.anyio
async def test_prepare_async_uncancelled_keeps_server(monkeypatch: pytest.MonkeyPatch) -> None:
    import anyio

    servers: list[_FakeServer] = []
    _slow_prepare(monkeypatch, servers, delay=0.0)
    with anyio.fail_after(5):
        prepared = await prepare_oss_async("llamacpp")
    assert not servers[0].closed.is_set()  # an uncancelled prepare hands the server over
    assert prepared.server is servers[0]


def _serve_children() -> list[int]:
    import os
    import subprocess

    found = subprocess.run(
        ["pgrep", "-P", str(os.getpid()), "-f", "pycodex_local_models._serve"],
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    return [int(pid) for pid in found.stdout.split()]


@pytest.mark.slow
@pytest.mark.anyio
async def test_cancelled_llamacpp_prepare_leaves_no_child() -> None:
    import anyio

    before = set(_serve_children())
    with anyio.move_on_after(0.3) as scope:
        await prepare_oss_async("llamacpp")
    assert scope.cancelled_caught
    # The worker keeps starting the child after the cancellation; give it time to finish
    # (the model loads in about a second) and to stop what it started.
    await anyio.sleep(8)
    assert not set(_serve_children()) - before

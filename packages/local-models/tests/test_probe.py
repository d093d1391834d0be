from __future__ import annotations

import time

from pycodex_local_models import EndpointInfo, probe_endpoint

LLAMACPP_PROPS = {
    "default_generation_settings": {"n_ctx": 8192, "params": {}},
    "chat_template_caps": {"supports_tools": True, "supports_tool_calls": True},
    "model_alias": "smollm2",
}


def test_llamacpp_props(fake_server) -> None:
    fake = fake_server({("GET", "/props"): (200, LLAMACPP_PROPS)})
    assert probe_endpoint(fake.v1, "smollm2") == EndpointInfo(8192, True, True, "llamacpp")
    assert fake.requests == [("GET", "/props", None), ("GET", "/v1/models", None)]


def test_llamacpp_reports_parameter_count(fake_server) -> None:
    models = {"data": [{"id": "smollm2", "meta": {"n_params": 134515008, "n_ctx_train": 8192}}]}
    fake = fake_server({("GET", "/props"): (200, LLAMACPP_PROPS), ("GET", "/v1/models"): (200, models)})
    assert probe_endpoint(fake.v1, "smollm2") == EndpointInfo(8192, True, True, "llamacpp", 134515008)
    bad = {"data": [{"id": "smollm2", "meta": {"n_params": "many"}}]}
    fake = fake_server({("GET", "/props"): (200, LLAMACPP_PROPS), ("GET", "/v1/models"): (200, bad)})
    assert probe_endpoint(fake.v1, "smollm2").parameters is None


def test_llamacpp_props_without_fields(fake_server) -> None:
    fake = fake_server({("GET", "/props"): (200, {"chat_template_caps": {}})})
    assert probe_endpoint(fake.v1, "m") == EndpointInfo(None, None, True, "llamacpp")


def test_ollama_show_with_tools(fake_server) -> None:
    show = {
        "capabilities": ["completion", "tools", "thinking"],
        "model_info": {"general.architecture": "gptoss", "gptoss.context_length": 131072},
        "parameters": "temperature 1",
    }
    fake = fake_server({("GET", "/api/version"): (200, {"version": "0.13.5"}), ("POST", "/api/show"): (200, show)})
    assert probe_endpoint(fake.v1, "gpt-oss:20b") == EndpointInfo(131072, True, True, "ollama")
    assert ("POST", "/api/show", {"model": "gpt-oss:20b"}) in fake.requests


def test_ollama_num_ctx_wins_and_old_version_has_no_responses(fake_server) -> None:
    show = {
        "capabilities": ["completion"],
        "model_info": {"llama.context_length": 131072},
        "parameters": "num_ctx 16384\nstop <|eot|>",
    }
    fake = fake_server({("GET", "/api/version"): (200, {"version": "0.12.9"}), ("POST", "/api/show"): (200, show)})
    assert probe_endpoint(fake.v1, "llama3") == EndpointInfo(16384, False, False, "ollama")


def test_ollama_unknown_model(fake_server) -> None:
    fake = fake_server(
        {
            ("GET", "/api/version"): (200, {"version": "0.14.0"}),
            ("POST", "/api/show"): (404, {"error": "model 'x' not found"}),
        }
    )
    assert probe_endpoint(fake.v1, "x") == EndpointInfo(None, None, True, "ollama")


def test_lmstudio_v0_models(fake_server) -> None:
    entry = {"id": "qwen/qwen3-4b", "max_context_length": 32768, "capabilities": ["tool_use"], "state": "not-loaded"}
    fake = fake_server({("GET", "/api/v0/models/qwen%2Fqwen3-4b"): (200, entry)})
    assert probe_endpoint(fake.v1, "qwen/qwen3-4b") == EndpointInfo(32768, True, True, "lmstudio")


def test_lmstudio_listing_prefers_loaded_context(fake_server) -> None:
    listing = {
        "data": [
            {"id": "other", "max_context_length": 1},
            {"id": "openai/gpt-oss-20b", "max_context_length": 131072, "loaded_context_length": 4096},
        ]
    }
    fake = fake_server({("GET", "/api/v0/models"): (200, listing)})
    assert probe_endpoint(fake.v1, "openai/gpt-oss-20b") == EndpointInfo(4096, None, True, "lmstudio")


def test_generic_openai_compatible(fake_server) -> None:
    listing = {"data": [{"id": "served", "max_model_len": 65536}]}
    fake = fake_server(
        {
            ("GET", "/v1/models"): (200, listing),
            ("POST", "/v1/responses"): (400, {"error": {"message": "model is required"}}),
        }
    )
    assert probe_endpoint(fake.v1, "served") == EndpointInfo(65536, None, True, "openai-compatible")


def test_generic_without_responses_route(fake_server) -> None:
    fake = fake_server({("GET", "/v1/models"): (200, {"data": [{"id": "m", "meta": {"n_ctx": 2048}}]})})
    assert probe_endpoint(fake.v1, "m") == EndpointInfo(2048, None, False, "openai-compatible")


def test_nothing_listening(closed_port_url: str) -> None:
    assert probe_endpoint(closed_port_url, "m", timeout=1.0) == EndpointInfo()


def test_garbage_answers_never_raise(fake_server) -> None:
    fake = fake_server(
        {
            ("GET", "/props"): (200, ["not", "a", "dict"]),
            ("GET", "/api/version"): (200, {"version": 13}),
            ("GET", "/api/v0/models"): (200, {"data": "nope"}),
            ("GET", "/v1/models"): (200, {"data": [{"id": "m", "context_length": "big"}, 7]}),
        }
    )
    assert probe_endpoint(fake.v1, "m") == EndpointInfo(None, None, False, "openai-compatible")


DRIP_BODY_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n"


def test_probe_honours_overall_timeout_against_dripping_body(drip_server) -> None:
    url = drip_server(DRIP_BODY_HEAD)
    started = time.monotonic()
    assert probe_endpoint(url, "m", timeout=1.0) == EndpointInfo()
    assert time.monotonic() - started < 1.8


def test_probe_honours_overall_timeout_against_dripping_headers(drip_server) -> None:
    url = drip_server(b"HTTP/1.1 200 OK\r\n", b"X-Slow: " + b"a" * 1000)
    started = time.monotonic()
    assert probe_endpoint(url, "m", timeout=1.0) == EndpointInfo()
    assert time.monotonic() - started < 1.8


def test_probe_rejects_oversized_answer(fake_server) -> None:
    huge = {"default_generation_settings": {"n_ctx": 8192}, "pad": "x" * (2 << 20)}
    fake = fake_server({("GET", "/props"): (200, huge)})
    assert probe_endpoint(fake.v1, "m") == EndpointInfo()

from __future__ import annotations

import pytest

from pycodex_model_client import backoff_delay, model_info


@pytest.mark.parametrize(
    ("slug", "shell", "patch", "window"),
    [
        ("gpt-5.5", "unified_exec", "freeform", 272_000),
        ("gpt-5.1", "unified_exec", "freeform", 272_000),
        ("gpt-5-codex", "shell_command", "freeform", 272_000),
        ("gpt-5.1-codex-max", "shell_command", "freeform", 272_000),
        ("o3", "default", "function", 200_000),
        ("o4-mini", "default", "function", 200_000),
        ("gpt-4.1", "default", "function", 1_047_576),
        ("gpt-oss:20b", "default", "function", 96_000),
        ("openai/gpt-oss-120b", "default", "function", 96_000),
        ("smollm2", "default", "function", 8_192),
        ("qwen2.5-coder:7b", "default", "function", 32_768),
    ],
)
def test_known_families(slug: str, shell: str, patch: str, window: int) -> None:
    info = model_info(slug)
    assert (info.slug, info.known, info.shell_type, info.apply_patch_tool_type, info.context_window) == (
        slug,
        True,
        shell,
        patch,
        window,
    )
    assert info.warning is None


def test_gpt5_details() -> None:
    info = model_info("gpt-5.5")
    assert info.supports_reasoning_summaries and info.default_reasoning_effort == "medium"
    assert info.support_verbosity and info.default_verbosity == "low"
    assert info.supports_parallel_tool_calls


def test_unknown_falls_back_with_tools_and_warning() -> None:
    info = model_info("mock-model")
    assert not info.known
    # Codex 0.169's fallback: unified exec and a reasoning summary request; we keep apply_patch too.
    assert info.shell_type == "unified_exec" and info.apply_patch_tool_type == "function"
    assert info.supports_reasoning_summaries and info.default_reasoning_summary == "auto"
    assert not info.supports_parallel_tool_calls
    assert info.context_window == 272_000 and info.truncation_bytes == 10_000
    assert info.warning == (
        "Model metadata for `mock-model` not found. Defaulting to fallback metadata; this can "
        "degrade performance and cause issues."
    )


def test_backoff_doubles_with_jitter() -> None:
    for attempt, base in [(1, 0.2), (2, 0.4), (3, 0.8), (5, 3.2)]:
        for _ in range(20):
            assert base * 0.9 <= backoff_delay(attempt) <= base * 1.1


def test_search_tool_support_follows_the_codex_catalog() -> None:
    assert model_info("gpt-5.5").supports_search_tool and model_info("gpt-6.1-sol").supports_search_tool
    assert not model_info("gpt-5-codex").supports_search_tool  # not in Codex 0.169's catalog
    assert not model_info("gpt-4.1").supports_search_tool and not model_info("nobody-knows").supports_search_tool

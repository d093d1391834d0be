"""Which prompt profile a model gets."""

from __future__ import annotations

import pytest

from pycodex_core._profiles import DEFAULT_PROFILE, SMALL_LOCAL_PROFILE, select_prompt_profile


def test_hosted_models_always_get_the_full_prompt() -> None:
    assert select_prompt_profile(local=False, parameters=135_000_000, context_window=8192) is DEFAULT_PROFILE


@pytest.mark.parametrize(
    ("parameters", "context", "name", "tools"),
    [
        (134_515_008, 8192, "small-local", frozenset[str]()),
        (1_500_000_000, 32768, "small-local", frozenset({"shell_command"})),
        (None, 8192, "small-local", frozenset({"shell_command"})),
        (7_000_000_000, 8192, "default", None),
        (None, 131072, "default", None),
        (None, None, "default", None),
    ],
)
def test_local_models_by_size(parameters: int | None, context: int | None, name: str, tools: object) -> None:
    profile = select_prompt_profile(local=True, parameters=parameters, context_window=context)
    assert (profile.name, profile.tools) == (name, tools)
    assert profile.guard_repetition == (name == "small-local")
    assert (profile.base_instructions is None) == (name == "default")


def test_describe_says_what_is_sent() -> None:
    tiny = select_prompt_profile(local=True, parameters=1, context_window=None)
    assert tiny.describe() == "prompt profile: small-local (short instructions, no tools)"
    assert SMALL_LOCAL_PROFILE.describe() == "prompt profile: small-local (short instructions, tools: shell_command)"
    assert DEFAULT_PROFILE.describe() == "prompt profile: default (full instructions, all tools)"

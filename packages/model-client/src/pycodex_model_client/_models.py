"""Model metadata by slug family (context window, tool shapes, reasoning support)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Literal

__all__ = ["ModelInfo", "fallback_warning", "model_info"]

ShellType = Literal["unified_exec", "shell_command", "default"]
ApplyPatchToolType = Literal["freeform", "function"]


@dataclass(frozen=True, slots=True)
class ModelInfo:
    """What the agent needs to know about a model to build requests and tools."""

    slug: str
    """The slug asked for."""
    known: bool
    """False when no family matched and fallback metadata is used."""
    context_window: int
    """Tokens the model accepts."""
    auto_compact_token_limit: int | None
    """Token count at which the agent compacts history (`None`: never automatically)."""
    shell_type: ShellType
    """Which shell tool to offer."""
    apply_patch_tool_type: ApplyPatchToolType | None
    """How `apply_patch` is offered (`None`: not offered)."""
    supports_reasoning_summaries: bool
    """Whether to send `reasoning` and `include: ["reasoning.encrypted_content"]`."""
    default_reasoning_effort: str | None
    """Effort sent when the config sets none."""
    support_verbosity: bool
    """Whether `text.verbosity` may be sent."""
    default_verbosity: str | None
    """Verbosity sent when the config sets none."""
    supports_parallel_tool_calls: bool
    """Value of `parallel_tool_calls`."""
    truncation_bytes: int
    """Tool output kept in history, in bytes."""
    default_reasoning_summary: str | None = None
    """Reasoning summary sent when the config sets none (`None`: no `summary` key)."""
    supports_search_tool: bool = False
    """Whether the model gets MCP tools through `tool_search` instead of all of them up front."""

    @property
    def warning(self) -> str | None:
        """Codex's warning text for unknown models, else `None`."""
        return None if self.known else fallback_warning(self.slug)


def fallback_warning(slug: str) -> str:
    """The warning Codex prints when a slug has no metadata."""
    return (
        f"Model metadata for `{slug}` not found. Defaulting to fallback metadata; this can degrade performance "
        "and cause issues."
    )


def _info(
    context_window: int,
    shell_type: ShellType,
    apply_patch: ApplyPatchToolType | None,
    *,
    reasoning: bool = False,
    effort: str | None = None,
    verbosity: str | None = None,
    parallel: bool = False,
    truncation_bytes: int = 10_000,
    search_tool: bool = False,
) -> ModelInfo:
    return ModelInfo(
        slug="",
        known=True,
        context_window=context_window,
        auto_compact_token_limit=context_window * 9 // 10,
        shell_type=shell_type,
        apply_patch_tool_type=apply_patch,
        supports_reasoning_summaries=reasoning,
        default_reasoning_effort=effort,
        support_verbosity=verbosity is not None,
        default_verbosity=verbosity,
        supports_parallel_tool_calls=parallel,
        truncation_bytes=truncation_bytes,
        supports_search_tool=search_tool,
    )


_GPT5 = _info(
    272_000,
    "unified_exec",
    "freeform",
    reasoning=True,
    effort="medium",
    verbosity="low",
    parallel=True,
    truncation_bytes=40_000,
    search_tool=True,  # every model in Codex 0.169's catalog (gpt-5.5, gpt-6.x) has `supports_search_tool`
)
_CODEX = _info(
    272_000, "shell_command", "freeform", reasoning=True, effort="medium", parallel=True, truncation_bytes=40_000
)
_O_SERIES = _info(200_000, "default", "function", reasoning=True, effort="medium")
_GPT_OSS = _info(96_000, "default", "function", reasoning=True, effort="medium")
_LOCAL_SMALL = _info(8_192, "default", "function")
_LOCAL_32K = _info(32_768, "default", "function")

# Longest prefix wins; checked against the slug with any `provider/` prefix and `:tag` suffix removed.
_FAMILIES: list[tuple[str, ModelInfo]] = sorted(
    [
        ("gpt-6", _GPT5),
        ("gpt-5", _GPT5),
        ("gpt-5-codex", _CODEX),
        ("gpt-5.1-codex", _CODEX),
        ("gpt-5.2-codex", _CODEX),
        ("gpt-5.3-codex", _CODEX),
        ("codex-", _CODEX),
        ("o3", _O_SERIES),
        ("o4-mini", _O_SERIES),
        ("gpt-4.1", _info(1_047_576, "default", "function", parallel=True)),
        ("gpt-4o", _info(128_000, "default", "function", parallel=True)),
        ("gpt-oss", _GPT_OSS),
        ("smollm", _LOCAL_SMALL),
        ("llama", _LOCAL_SMALL),
        ("gemma", _LOCAL_SMALL),
        ("phi", _LOCAL_SMALL),
        ("qwen", _LOCAL_32K),
        ("mistral", _LOCAL_32K),
        ("deepseek", _LOCAL_32K),
    ],
    key=lambda entry: -len(entry[0]),
)

_FALLBACK = ModelInfo(
    slug="",
    known=False,
    context_window=272_000,
    auto_compact_token_limit=244_800,
    # As Codex 0.169 does for an unknown slug: unified exec (a stable feature) and a reasoning
    # summary request; unlike Codex, `apply_patch` stays offered (as a function tool).
    shell_type="unified_exec",
    apply_patch_tool_type="function",
    supports_reasoning_summaries=True,
    default_reasoning_effort=None,
    support_verbosity=False,
    default_verbosity=None,
    supports_parallel_tool_calls=False,
    truncation_bytes=10_000,
    default_reasoning_summary="auto",
)


def model_info(slug: str) -> ModelInfo:
    """Metadata for `slug` by family (gpt-5.x, gpt-5-codex, o3/o4-mini, gpt-4.1, gpt-oss, small local models).

    Unknown slugs get `known=False` fallback metadata that still offers a shell and the function variant of
    `apply_patch`; `ModelInfo.warning` then holds Codex's warning text.
    """
    name = slug.rsplit("/", 1)[-1].split(":", 1)[0].lower()
    for prefix, info in _FAMILIES:
        if name.startswith(prefix):
            return dataclasses.replace(info, slug=slug)
    return dataclasses.replace(_FALLBACK, slug=slug)

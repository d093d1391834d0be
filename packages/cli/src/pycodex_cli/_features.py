"""The feature flags pycodex knows, with their stage and default (`[features]` in config.toml)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature flag."""

    name: str
    """Key under `[features]`."""
    stage: str
    """stable, experimental, under development, deprecated or removed."""
    default: bool
    """Value when config.toml does not set it."""


FEATURES: tuple[Feature, ...] = (
    Feature("unified_exec", "stable", True),
    Feature("shell_tool", "stable", True),
    Feature("view_image", "stable", True),
    Feature("apply_patch_freeform", "stable", True),
    Feature("web_search_request", "deprecated", False),
    Feature("network_proxy", "experimental", False),
)

"""Prompt profiles: what the model is told and offered, chosen from what it is.

The full prompt (long base instructions, the permissions text, a dozen tool specs) costs about
1,800 tokens before the user's first word. A frontier model uses all of it; a 135M-parameter
model on two CPU cores spends seconds reading it and then ignores it. The `small-local` profile
sends a few sentences of instructions and only the tools a model of that size can drive, and
keeps the guard against repetition on.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo

    from ._tools._registry import ToolRegistry

__all__ = ["DEFAULT_PROFILE", "SMALL_LOCAL_PROFILE", "PromptProfile", "select_prompt_profile"]

SMALL_MODEL_PARAMETERS = 3_000_000_000
"""Models below this many parameters get the small profile."""
SMALL_MODEL_CONTEXT = 16_384
"""Local models whose context window is at most this get the small profile when their size is unknown."""
TINY_MODEL_PARAMETERS = 1_000_000_000
"""Below this, a model is offered no tools at all: it cannot form a tool call reliably."""

SMALL_LOCAL_INSTRUCTIONS = """\
You are pycodex, a coding assistant working in the user's terminal. Be brief and friendly. Answer \
in English, in at most two sentences unless the user asks for code or detail."""


@dataclass(frozen=True, slots=True)
class PromptProfile:
    """How the prompt is built for one kind of model.

    Attributes:
        name: `default` or `small-local`; `--show-instructions` prints it.
        base_instructions: Replacement base instructions; `None` keeps the configured or built-in ones.
        tools: Names of the tools offered; `None` offers every tool the model supports.
        permissions_instructions: Whether the permissions text is sent.
        guard_repetition: Whether a looping response is stopped.
        max_output_tokens: The output limit the server enforces, to say when an answer was cut.
    """

    name: str
    base_instructions: str | None = None
    tools: frozenset[str] | None = None
    permissions_instructions: bool = True
    guard_repetition: bool = False
    max_output_tokens: int | None = None

    def apply(self, config: Config, info: ModelInfo, tools: ToolRegistry) -> tuple[Config, ModelInfo, ToolRegistry]:
        """The config, model info and tools a session uses under this profile.

        Instructions the user configured (`model_instructions_file`, `base_instructions`) always win
        over the profile's.
        """
        from ._tools._registry import ToolRegistry

        if self.base_instructions is not None and not config.base_instructions:
            config = dataclasses.replace(config, base_instructions=self.base_instructions)
        if not self.permissions_instructions and "include_permissions_instructions" not in config.raw:
            raw: dict[str, Any] = {**config.raw, "include_permissions_instructions": False}
            config = dataclasses.replace(config, raw=raw)
        if self.tools is None:
            return config, info, tools
        if "shell_command" in self.tools:
            # The simplest shell tool (one string argument), whatever the catalog says for the model.
            info = dataclasses.replace(info, shell_type="shell_command")
        handlers = [handler for name in tools.names if name in self.tools and (handler := tools.get(name)) is not None]
        return config, info, ToolRegistry(handlers)

    def describe(self) -> str:
        """One line for `--show-instructions`."""
        if self.tools is None:
            tools = "all tools"
        elif not self.tools:
            tools = "no tools"
        else:
            tools = "tools: " + ", ".join(sorted(self.tools))
        instructions = "short instructions" if self.base_instructions is not None else "full instructions"
        return f"prompt profile: {self.name} ({instructions}, {tools})"


DEFAULT_PROFILE = PromptProfile("default")
"""The full prompt, as Codex sends it."""

SMALL_LOCAL_PROFILE = PromptProfile(
    "small-local",
    base_instructions=SMALL_LOCAL_INSTRUCTIONS,
    tools=frozenset({"shell_command"}),
    permissions_instructions=False,
    guard_repetition=True,
)
"""Short instructions and one simple shell tool, for small local models."""


def select_prompt_profile(*, local: bool, parameters: int | None, context_window: int | None) -> PromptProfile:
    """The profile for a model, from what its server reports.

    Only local models (`--oss`) are ever given the small profile; a hosted model always gets the
    full prompt, whatever its metadata says.

    Args:
        local: The model is served by a local provider.
        parameters: Its parameter count, when the server reports it.
        context_window: Its context window as served, when known.
    """
    if not local:
        return DEFAULT_PROFILE
    if parameters is not None:
        if parameters < TINY_MODEL_PARAMETERS:
            return PromptProfile(
                "small-local",
                base_instructions=SMALL_LOCAL_INSTRUCTIONS,
                tools=frozenset(),
                permissions_instructions=False,
                guard_repetition=True,
            )
        return SMALL_LOCAL_PROFILE if parameters < SMALL_MODEL_PARAMETERS else DEFAULT_PROFILE
    if context_window is not None and context_window <= SMALL_MODEL_CONTEXT:
        return SMALL_LOCAL_PROFILE
    return DEFAULT_PROFILE

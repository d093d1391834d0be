"""Per-turn settings and the items of the initial context."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from ._json import as_list
from ._prompts import BASE_INSTRUCTIONS, environment_context, filesystem_context, permissions_text

if TYPE_CHECKING:
    from pycodex_config import Config
    from pycodex_model_client import ModelInfo
    from pycodex_protocol import GranularApprovalSettings, GranularAskForApproval, SandboxPolicy

    from ._tools._patch import TurnDiffTracker

__all__ = [
    "ToolCall",
    "TurnContext",
    "TurnState",
    "base_instructions_item",
    "default_shell",
    "initial_context_items",
    "split_approval_policy",
    "user_message",
    "writable_roots",
]


def default_shell() -> str:
    """The shell commands run with: `/bin/bash` when present (as Codex shows), else `$SHELL`, else `/bin/sh`."""
    for candidate in ("/bin/bash", shutil.which("bash"), os.environ.get("SHELL"), "/bin/sh"):
        if candidate and os.path.exists(candidate):
            return candidate
    return "/bin/sh"


def writable_roots(sandbox_policy: Mapping[str, object], cwd: Path) -> list[Path]:
    """Writable roots of a `workspace-write` policy: cwd, configured roots, `/tmp` and `$TMPDIR` unless excluded."""
    roots: list[Path] = [cwd]
    for root in as_list(sandbox_policy.get("writable_roots")):
        roots.append(Path(str(root)))
    if not sandbox_policy.get("exclude_slash_tmp") and Path("/tmp").is_dir():
        roots.append(Path("/tmp"))
    tmpdir = os.environ.get("TMPDIR")
    if tmpdir and not sandbox_policy.get("exclude_tmpdir_env_var"):
        roots.append(Path(tmpdir))
    unique: list[Path] = []
    for root in roots:
        if root not in unique:
            unique.append(root)
    return unique


@dataclass
class TurnContext:
    """Settings fixed for the duration of one turn."""

    sub_id: str
    """Submission id: the `id` of every event of this turn."""
    turn_id: str
    """Turn id reported in events."""
    cwd: Path
    """Working directory."""
    model: str
    """Model slug."""
    model_info: ModelInfo
    """The model's metadata."""
    approval_policy: str
    """`never`, `on-request`, `on-failure`, `untrusted`, or `granular` (on-request with `granular` settings)."""
    sandbox_policy: SandboxPolicy
    """The sandbox policy of the turn."""
    granular: GranularApprovalSettings | None = None
    """Under `granular`: which kinds of prompts may be shown (`false` = rejected without asking)."""
    effort: str | None = None
    """Reasoning effort override."""
    summary: str | None = None
    """Reasoning summary setting."""
    verbosity: str | None = None
    """Verbosity setting."""
    final_output_json_schema: Any = None
    """JSON schema the final answer must follow (`--output-schema`)."""
    tools: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    """Tool specs offered this turn."""

    @property
    def wire_approval_policy(self) -> str | GranularAskForApproval:
        """The approval policy as Codex writes it (`{"granular": {...}}` for the table form)."""
        if self.granular is not None:
            return {"granular": self.granular}
        return self.approval_policy

    def allows_prompt(self, kind: str) -> bool:
        """Whether a prompt of `kind` (`sandbox_approval`, `rules`, `mcp_elicitations`, ...) may be shown."""
        return self.granular is None or bool(self.granular.get(kind, False))

    @property
    def sandbox_mode(self) -> str:
        """The policy's `type` (`read-only`, `workspace-write`, `danger-full-access`, `external-sandbox`)."""
        return str(self.sandbox_policy.get("type", "read-only"))

    @property
    def writable_roots(self) -> list[Path]:
        """Where `apply_patch` may write under `workspace-write`."""
        return writable_roots(self.sandbox_policy, self.cwd)


@dataclass
class TurnState:
    """What changes during one turn; it ends with the turn (nothing of it outlives it)."""

    ctx: TurnContext
    """The turn's settings."""
    started: float = field(default_factory=time.monotonic)
    """Monotonic start time."""
    started_unix_ms: int = field(default_factory=lambda: int(time.time() * 1000))
    """Wall-clock start (sent in the turn metadata)."""
    first_token: float | None = None
    """When the first stream event arrived."""
    _diff: TurnDiffTracker | None = None

    def note_first_token(self) -> None:
        """Remember when the first stream event of the turn arrived."""
        if self.first_token is None:
            self.first_token = time.monotonic()

    def time_to_first_token_ms(self) -> int | None:
        """Milliseconds from turn start to the first stream event."""
        return None if self.first_token is None else int((self.first_token - self.started) * 1000)

    @property
    def diff_tracker(self) -> TurnDiffTracker:
        """The turn's diff tracker (created on first use)."""
        if self._diff is None:
            from ._tools._patch import TurnDiffTracker

            self._diff = TurnDiffTracker(self.ctx.cwd)
        return self._diff


@dataclass
class ToolCall:
    """A tool call taken from a model output item."""

    kind: str
    """`function`, `custom`, `local_shell` or `tool_search`."""
    name: str
    """Tool name (namespaced calls are `namespace.name`)."""
    call_id: str
    """The call id the output must echo."""
    payload: Any
    """Function: the raw `arguments` string; custom: the `input` string; local_shell: the `action` dict."""

    def output_item(self, output: str | list[dict[str, Any]]) -> dict[str, Any]:
        """The history item answering this call."""
        if self.kind == "tool_search":
            tools = output if isinstance(output, list) else []
            return {"type": "tool_search_output", "call_id": self.call_id, **_TOOL_SEARCH_DONE, "tools": tools}
        kind = "custom_tool_call_output" if self.kind == "custom" else "function_call_output"
        return {"type": kind, "call_id": self.call_id, "output": output}


_TOOL_SEARCH_DONE = {"status": "completed", "execution": "client"}


def _developer(*texts: str) -> dict[str, Any]:
    return {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": t} for t in texts]}


def user_message(text: str) -> dict[str, Any]:
    """A user-role message item with one text part."""
    return {"type": "message", "role": "user", "content": [{"type": "input_text", "text": text}]}


def base_instructions_item(config: Config) -> dict[str, Any]:
    """The base instructions, sent as the first `developer` message of every request.

    They are not part of the thread's history (a rollout keeps them in `session_meta`), as in
    Codex, so a rollout resumes the same way in either program.
    """
    return _developer(config.base_instructions or BASE_INSTRUCTIONS)


def initial_context_items(
    config: Config, ctx: TurnContext, user_instructions: str | None, shell: str, tool_notes: Sequence[str] = ()
) -> list[dict[str, Any]]:
    """Permissions, tool notes (deferred namespaces) and developer instructions, then AGENTS.md and environment."""
    items: list[dict[str, Any]] = []
    roots = ctx.writable_roots if ctx.sandbox_mode == "workspace-write" else []
    raw = config.raw
    auto_review = str(raw.get("approvals_reviewer", "user")) in ("auto_review", "guardian_subagent")
    dev_parts: list[str] = []
    if raw.get("include_permissions_instructions", True) is not False:
        dev_parts.append(permissions_text(ctx.sandbox_policy, ctx.approval_policy, roots, auto_review=auto_review))
    dev_parts += tool_notes
    developer_instructions = config.developer_instructions
    if developer_instructions:
        dev_parts.append(str(developer_instructions))
    if dev_parts:
        items.append(_developer(*dev_parts))
    user_parts: list[dict[str, Any]] = []
    if user_instructions:
        text = f"# AGENTS.md instructions for {ctx.cwd}\n\n<INSTRUCTIONS>\n{user_instructions}\n</INSTRUCTIONS>"
        user_parts.append({"type": "input_text", "text": text})
    user_parts.append({"type": "input_text", "text": environment_context(ctx.cwd, shell, _filesystem(ctx))})
    items.append({"type": "message", "role": "user", "content": user_parts})
    return items


def _filesystem(ctx: TurnContext) -> str | None:
    """The `<filesystem>` element: the turn's policy as the permission profile Codex 0.169 shows."""
    from pycodex_config import legacy_permission_profile

    policy = ctx.sandbox_policy
    if policy.get("type") not in ("read-only", "workspace-write", "danger-full-access", "external-sandbox"):
        return None
    full: dict[str, Any] = {"writable_roots": [], "network_access": False}
    full |= {"exclude_tmpdir_env_var": False, "exclude_slash_tmp": False, **policy}
    profile = legacy_permission_profile(cast(Any, full), ctx.cwd)
    roots: list[Any] = list(full.get("writable_roots") or [])
    extra = [Path(str(r)) for r in roots] if policy.get("type") == "workspace-write" else []
    return filesystem_context(cast("dict[str, Any]", profile), list(dict.fromkeys([ctx.cwd, *extra])))


def split_approval_policy(value: object) -> tuple[str, GranularApprovalSettings | None]:
    """(`approval_policy` name, granular settings) of a config or op value; `{"granular": {...}}` is `granular`."""
    if isinstance(value, dict):
        table = cast(dict[str, object], value).get("granular")
        if isinstance(table, dict):
            flags = {str(k): v is True for k, v in cast(dict[object, object], table).items()}
            return "granular", cast("GranularApprovalSettings", flags)
        return "on-request", None
    return str(value), None

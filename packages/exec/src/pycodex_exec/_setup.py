"""Everything `codex exec` decides before the session starts (synchronous, in Codex's order).

Order: load config, read the prompt, check the git repository, read `--output-schema`, find
the rollout to resume or fork. Each failure is an `ExecError` with Codex's text and status.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from ._args import ExecArgs
from ._prompt import resolve_prompt
from .errors import ExecError

if TYPE_CHECKING:
    from pycodex_config import Config

logger = logging.getLogger(__name__)

__all__ = ["Plan", "find_git_root", "prepare"]

NOT_TRUSTED = "Not inside a trusted directory and --skip-git-repo-check was not specified."


@dataclass
class Plan:
    """A ready-to-run `codex exec` invocation."""

    args: ExecArgs
    config: Config
    """The effective configuration."""
    prompt: str
    items: list[dict[str, Any]]
    """The `UserInput` items of the first turn (images first, then the text)."""
    output_schema: Any = None
    resume_from: Path | None = None
    fork_from: Path | None = None
    oss: Any = None
    """The `PreparedOss` to close at exit, with `--oss`."""
    prompt_profile: Any = None
    """The `PromptProfile` chosen for a local model (`None`: the full prompt)."""
    notes: list[str] = field(default_factory=list[str])
    """Lines for stderr before the session starts (config warnings)."""
    wrap_transport: Any = None
    """Wraps the model transport (`ReviewTransport` for `exec review`)."""


def find_git_root(start: Path) -> Path | None:
    """The nearest ancestor of `start` (itself included) holding `.git`, or `None`."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _load_config(args: ExecArgs, cwd: Path) -> Any:
    from pycodex_config import CliOverrides, UserError, load_config

    # Headless: nobody can approve, so approvals follow `never` -- unless the automatic reviewer
    # answers them (`--approve-for-me`: workspace-write sandbox, on-request approvals).
    reviewer = args.approve_for_me
    cli = CliOverrides(
        model=args.model,
        model_provider=args.local_provider if args.oss else None,
        approval_policy="on-request" if reviewer else "never",
        sandbox_mode=args.sandbox or ("workspace-write" if reviewer else None),  # pyright: ignore[reportArgumentType]
        cwd=cwd,
        oss=args.oss,
        add_dirs=tuple(Path(d).expanduser().resolve() for d in args.add_dir),
        dangerously_bypass_approvals_and_sandbox=args.yolo,
    )
    try:
        config = load_config(
            cwd=cwd,
            overrides=[*args.config, *(['approvals_reviewer="auto_review"'] if reviewer else [])],
            profile=args.profile,
            enable=args.enable,
            disable=args.disable,
            strict=args.strict_config,
            cli=cli,
            ignore_user_config=args.ignore_user_config,
        )
    except UserError as exc:
        text = str(exc)
        if not text.startswith(("Error ", "Error:")):
            text = f"Error loading config.toml: {text}"
        raise ExecError(text) from None
    if args.thread_source is not None:
        import dataclasses

        config = dataclasses.replace(config, thread_source=args.thread_source)
    return config


def _codex_home() -> Path:
    from pycodex_config import UserError, find_codex_home

    try:
        return find_codex_home()
    except UserError as exc:
        raise ExecError(f"Error: {exc}") from None


def _check_last_message_file(path: str) -> None:
    """Open (creating) the `-o` file before the turn, so a path that cannot be written fails at once, as in Codex.

    Raises:
        ExecError: The file cannot be opened for writing (missing directory, a directory, no permission).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        reason = f"{exc.strerror} (os error {exc.errno})" if exc.errno else str(exc)
        raise ExecError(f'Error: Failed to open last message file "{path}": {reason}') from None
    os.close(fd)


_MAX_SCHEMA_DEPTH = 128
"""The deepest nesting accepted in `--output-schema` (Codex's JSON parser stops there too)."""


_TOO_DEEP = object()


def _read_schema(path: str) -> Any:
    from pycodex_config import toml_depth

    try:
        schema = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExecError(f"Failed to read output schema file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ExecError(f"Output schema file {path} is not valid JSON: {exc}") from None
    except RecursionError:
        schema = _TOO_DEEP
    if schema is _TOO_DEEP or toml_depth(schema) > _MAX_SCHEMA_DEPTH:
        raise ExecError(f"Output schema file {path} is not valid JSON: recursion limit exceeded")
    return schema


def _find_session(args: ExecArgs, config: Config) -> tuple[Path | None, Path | None]:
    from pycodex_core import find_latest_rollout, find_rollout

    home = Path(config.codex_home)
    if args.command == "resume":
        if args.last or args.session_id is None:
            if not args.last:
                raise ExecError("Specify a session id or use --last to resume the most recent session.")
            return find_latest_rollout(home, None if args.all else Path(config.cwd)), None
        found = find_rollout(home, args.session_id)
        if found is None and _is_uuid(args.session_id):
            raise ExecError(f"No saved session found with ID {args.session_id}.")
        return found, None  # an unknown thread name starts a new thread, as in Codex 0.169
    if args.command == "fork":
        found = find_rollout(home, str(args.session_id))
        if found is None:
            raise ExecError(f"Error: Session not found: {args.session_id}")
        return None, found
    return None, None


def _is_uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _input_items(args: ExecArgs, prompt: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for image in args.images:
        path = Path(image).expanduser().resolve()
        if not path.is_file():
            raise ExecError(f"Image file not found: {image}")
        # The path as given, as Codex shows it to the model (`<image ... path="px.png">`).
        items.append({"type": "local_image", "path": image})
    items.append({"type": "text", "text": prompt, "text_elements": []})
    return items


def _working_directory(cd: str | None) -> Path:
    """The directory `-C` names (else the current one), checked to exist and to be readable.

    Raises:
        ExecError: It does not exist, is not a directory, or cannot be listed.
    """
    try:
        cwd = Path(cd).expanduser() if cd else Path.cwd()
        if not cwd.is_dir():
            raise ExecError(f"Error: working directory {str(cwd)!r} does not exist")
        with os.scandir(cwd):
            pass
    except OSError as exc:
        where = repr(str(cd)) if cd else "the current directory"
        raise ExecError(f"Error: cannot use working directory {where}: {exc.strerror or exc}") from None
    return cwd


def prepare(args: ExecArgs, *, stdin: IO[str], stderr: IO[str]) -> Plan:
    """Resolve config, prompt, git check, schema and session, in Codex's order.

    Raises:
        ExecError: Anything that stops the run before it starts.
    """
    from ._project import create_worktree, trust_project

    cwd = _working_directory(args.cd)
    if args.worktree:
        cwd = create_worktree(cwd, _codex_home())
    if args.trust:
        trust_project(cwd, _codex_home())
    config = _load_config(args, cwd.resolve())
    if args.command == "review":
        return _prepare_review(args, config, stdin, stderr)
    prompt = resolve_prompt(args.prompt, stdin, stderr)
    if not (args.skip_git_repo_check or args.yolo or config.is_trusted()):
        if find_git_root(Path(config.cwd)) is None:
            raise ExecError(NOT_TRUSTED)
    schema = _read_schema(args.output_schema) if args.output_schema else None
    if args.output_last_message:
        _check_last_message_file(args.output_last_message)
    items = _input_items(args, prompt)
    resume_from, fork_from = _find_session(args, config)
    notes = [f"warning: {w}" for w in config.warnings] + _flag_notes(args, config)
    return Plan(args, config, prompt, items, schema, resume_from, fork_from, notes=notes)


def _review_target(args: ExecArgs, stdin: IO[str], stderr: IO[str]) -> Any:
    from pycodex_core import ReviewTarget

    if args.uncommitted:
        return ReviewTarget("uncommitted")
    if args.base:
        return ReviewTarget("base", args.base)
    if args.commit:
        return ReviewTarget("commit", args.commit, args.title)
    if args.prompt is None:
        raise ExecError("Error: Specify --uncommitted, --base, --commit, or provide custom review instructions")
    return ReviewTarget("custom", resolve_prompt(args.prompt, stdin, stderr))


def _prepare_review(args: ExecArgs, config: Any, stdin: IO[str], stderr: IO[str]) -> Plan:
    """`exec review`: a session with the review instructions, sent as the review sub-agent."""
    import dataclasses

    from pycodex_core import REVIEW_INSTRUCTIONS, ReviewTransport, review_prompt

    if not (args.skip_git_repo_check or args.yolo or config.is_trusted()):
        if find_git_root(Path(config.cwd)) is None:
            raise ExecError(NOT_TRUSTED)
    target = _review_target(args, stdin, stderr)
    prompt = review_prompt(target, Path(config.cwd))
    if target.kind != "custom" and args.prompt:
        prompt = f"{prompt}\n\n{args.prompt}"
    config = dataclasses.replace(config, base_instructions=REVIEW_INSTRUCTIONS)
    items = [{"type": "text", "text": prompt, "text_elements": []}]
    notes = [f"warning: {w}" for w in getattr(config, "warnings", ())]
    plan = Plan(args, config, prompt, items, notes=notes)
    plan.wrap_transport = ReviewTransport
    return plan


def _flag_notes(args: ExecArgs, config: Any) -> list[str]:
    notes: list[str] = []
    if args.cyber_access_program and getattr(config, "model_provider_id", "") == "openai":
        notes.append("warning: --cyber-access-program is not supported by pycodex yet; the server default applies")
    return notes


def prepare_oss(plan: Plan, *, stderr: IO[str] | None = None) -> None:
    """With `--oss`, get the local provider ready and point the config at it.

    The embedded llama.cpp server runs with bounded greedy output (`model_max_output_tokens`,
    default 256) and keeps its prompt-prefix cache under `$CODEX_HOME/cache/llamacpp`. Progress
    lines go to `stderr` while it starts, so a first run on a slow machine shows it is working.

    Raises:
        ExecError: The local provider could not be prepared.
    """
    import dataclasses
    import time

    from pycodex_local_models import (
        DEFAULT_EMBEDDED_MAX_TOKENS,
        EmbeddedSettings,
        LocalModelError,
        prepare_oss as _prepare,
        probe_endpoint,
    )

    config = plan.config
    provider = plan.args.local_provider or config.oss_provider
    max_tokens = _max_output_tokens(config.raw.get("model_max_output_tokens"))
    embedded = EmbeddedSettings(
        max_tokens=max_tokens or DEFAULT_EMBEDDED_MAX_TOKENS, cache_dir=Path(config.codex_home) / "cache" / "llamacpp"
    )
    started = time.monotonic()
    if stderr is not None and provider in (None, "llamacpp"):
        stderr.write("Starting the local model...\n")
        stderr.flush()
    try:
        prepared = _prepare(provider, plan.args.model, embedded=embedded)
    except LocalModelError as exc:
        raise ExecError(str(exc)) from None
    if stderr is not None and prepared.server is not None:
        cache = prepared.server.cache
        cached = (
            f", {cache.restored_tokens} prompt tokens cached" if cache is not None and cache.restored_tokens else ""
        )
        stderr.write(
            f"Local model ready: {prepared.model} on the embedded llama.cpp server "
            f"({time.monotonic() - started:.1f}s{cached})\n"
        )
        stderr.flush()
    plan.oss = prepared
    if provider is None:
        plan.notes.append(
            "note: --oss with no --local-provider and no oss_provider in config.toml: "
            f"pycodex uses {prepared.provider_id} (Codex 0.169 stops here and asks for one of: lmstudio, ollama)"
        )
    # Ask the server about the model instead of relying on a catalog of local models.
    info = probe_endpoint(prepared.base_url, prepared.model)
    wire_api = prepared.wire_api if info.supports_responses or info.server is None else "chat"
    if info.supports_tools is False:
        plan.notes.append(
            f"warning: {info.server or 'the server'} does not render tool definitions for {prepared.model!r}: "
            "the model cannot run commands or edit files, only answer in text"
        )
    plan.prompt_profile = _prompt_profile(config, info.parameters, config.model_context_window or info.context_window)
    if plan.prompt_profile is not None and prepared.server is not None:
        plan.prompt_profile = dataclasses.replace(plan.prompt_profile, max_output_tokens=embedded.max_tokens)
    base_info = config.model_providers.get(prepared.provider_id, config.model_provider)
    provider_info = dataclasses.replace(base_info, base_url=prepared.base_url, wire_api=wire_api)
    plan.config = dataclasses.replace(
        config,
        model=prepared.model,
        model_provider_id=prepared.provider_id,
        model_provider=provider_info,
        model_context_window=config.model_context_window or info.context_window,
        show_raw_agent_reasoning=True,
    )


def _max_output_tokens(value: object) -> int | None:
    """`model_max_output_tokens` when it is a positive integer, else `None`."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _prompt_profile(config: Any, parameters: int | None, context_window: int | None) -> Any:
    """The prompt profile `oss_prompt_profile` asks for (`auto`: chosen from the model's size)."""
    from pycodex_core import SMALL_LOCAL_PROFILE, select_prompt_profile

    choice = config.raw.get("oss_prompt_profile", "auto")
    if choice == "default":
        return None
    if choice == "small-local":
        return SMALL_LOCAL_PROFILE
    profile = select_prompt_profile(local=True, parameters=parameters, context_window=context_window)
    return None if profile.name == "default" else profile

"""Everything `codex exec` decides before the session starts (synchronous, in Codex's order).

Order: load config, read the prompt, check the git repository, read `--output-schema`, find
the rollout to resume or fork. Each failure is an `ExecError` with Codex's text and status.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ._args import ExecArgs
from ._prompt import resolve_prompt
from .errors import ExecError

logger = logging.getLogger(__name__)

__all__ = ["Plan", "find_git_root", "prepare"]

NOT_TRUSTED = "Not inside a trusted directory and --skip-git-repo-check was not specified."


@dataclass
class Plan:
    """A ready-to-run `codex exec` invocation."""

    args: ExecArgs
    config: Any
    """The `pycodex_config.Config`."""
    prompt: str
    items: list[dict[str, Any]]
    """The `UserInput` items of the first turn (images first, then the text)."""
    output_schema: Any = None
    resume_from: Path | None = None
    fork_from: Path | None = None
    oss: Any = None
    """The `PreparedOss` to close at exit, with `--oss`."""
    notes: list[str] = field(default_factory=list[str])
    """Lines for stderr before the session starts (config warnings)."""


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
        return load_config(
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
        if not text.startswith("Error "):
            text = f"Error loading config.toml: {text}"
        raise ExecError(text) from None


def _read_schema(path: str) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExecError(f"Failed to read output schema file {path}: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise ExecError(f"Output schema file {path} is not valid JSON: {exc}") from None


def _find_session(args: ExecArgs, config: Any) -> tuple[Path | None, Path | None]:
    from pycodex_core import find_latest_rollout, find_rollout

    home = Path(config.codex_home)
    if args.command == "resume":
        if args.last or args.session_id is None:
            if not args.last:
                raise ExecError("Specify a session id or use --last to resume the most recent session.")
            return find_latest_rollout(home, None if args.all else Path(config.cwd)), None
        found = find_rollout(home, args.session_id)
        if found is None:
            raise ExecError(f"No saved session found with ID {args.session_id}.")
        return found, None
    if args.command == "fork":
        found = find_rollout(home, str(args.session_id))
        if found is None:
            raise ExecError(f"No saved session found with ID {args.session_id}.")
        return None, found
    return None, None


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


def prepare(args: ExecArgs, *, stdin: IO[str], stderr: IO[str]) -> Plan:
    """Resolve config, prompt, git check, schema and session, in Codex's order.

    Raises:
        ExecError: Anything that stops the run before it starts.
    """
    cwd = Path(args.cd).expanduser() if args.cd else Path.cwd()
    if not cwd.is_dir():
        raise ExecError(f"Error: working directory {str(cwd)!r} does not exist")
    config = _load_config(args, cwd.resolve())
    prompt = resolve_prompt(args.prompt, stdin, stderr)
    if not (args.skip_git_repo_check or args.yolo or config.is_trusted()):
        if find_git_root(Path(config.cwd)) is None:
            raise ExecError(NOT_TRUSTED)
    schema = _read_schema(args.output_schema) if args.output_schema else None
    items = _input_items(args, prompt)
    resume_from, fork_from = _find_session(args, config)
    notes = [f"warning: {w}" for w in getattr(config, "warnings", ())]
    return Plan(args, config, prompt, items, schema, resume_from, fork_from, notes=notes)


def prepare_oss(plan: Plan) -> None:
    """With `--oss`, get the local provider ready and point the config at it.

    Raises:
        ExecError: The local provider could not be prepared.
    """
    import dataclasses

    from pycodex_local_models import LocalModelError, prepare_oss as _prepare, probe_endpoint

    config = plan.config
    provider = plan.args.local_provider or getattr(config, "oss_provider", None)
    try:
        prepared = _prepare(provider, plan.args.model)
    except LocalModelError as exc:
        raise ExecError(str(exc)) from None
    plan.oss = prepared
    # Ask the server about the model instead of relying on a catalog of local models.
    info = probe_endpoint(prepared.base_url, prepared.model)
    wire_api = prepared.wire_api if info.supports_responses or info.server is None else "chat"
    if info.supports_tools is False:
        plan.notes.append(
            f"warning: {info.server or 'the server'} does not render tool definitions for {prepared.model!r}: "
            "the model cannot run commands or edit files, only answer in text"
        )
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

"""`main(argv)`: load config, ask for trust, pick a session to resume or fork, run the app."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

import anyio

from ._args import TuiArgs, UsageError, parse_args

logger = logging.getLogger(__name__)

__all__ = ["main", "run_tui"]

VERSION = "0.1.0"


class _Stop(Exception):
    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _load_config(args: TuiArgs, cwd: Path) -> Any:
    from pycodex_config import CliOverrides, UserError, load_config

    sandbox, approval = args.sandbox, args.approval
    if args.full_auto:
        sandbox, approval = sandbox or "workspace-write", approval or "on-request"
    cli = CliOverrides(
        model=args.model,
        model_provider=args.local_provider if args.oss else None,
        approval_policy=approval,  # pyright: ignore[reportArgumentType]
        sandbox_mode=sandbox,  # pyright: ignore[reportArgumentType]
        cwd=cwd,
        oss=args.oss,
        add_dirs=tuple(Path(d).expanduser().resolve() for d in args.add_dir),
        dangerously_bypass_approvals_and_sandbox=args.yolo,
    )
    overrides = list(args.config)
    if args.search:
        overrides.append("tools.web_search=true")
    try:
        return load_config(
            cwd=cwd,
            overrides=overrides,
            profile=args.profile,
            enable=args.enable,
            disable=args.disable,
            strict=args.strict_config,
            cli=cli,
        )
    except UserError as exc:
        text = str(exc)
        raise _Stop(text if text.startswith("Error ") else f"Error loading config.toml: {text}") from None


def _inline(args: TuiArgs, config: Any) -> bool:
    """Inline (native scrollback) unless `[tui] alternate_screen = "always"` and no `--no-alt-screen`."""
    return args.no_alt_screen or config.tui.alternate_screen != "always"


async def _pick_rollout(args: TuiArgs, config: Any) -> tuple[Path | None, bool]:
    """(rollout, start a new session instead) for `resume` / `fork`; raises `_Stop` to quit."""
    from pycodex_core import find_latest_rollout, find_rollout

    from ._picker import NEW_SESSION, run_picker
    from ._sessions import SessionIndex, SessionInfo

    home = Path(config.codex_home)
    if args.session_id:
        found = find_rollout(home, args.session_id)
        if found is None:
            raise _Stop(f"No saved session found with ID {args.session_id}.")
        return found, False
    if args.last:
        found = find_latest_rollout(home, None if args.all else Path(config.cwd))
        if found is None:
            raise _Stop("No saved session found to resume." if args.command == "resume" else "No session to fork.")
        return found, False
    index = SessionIndex(home)
    cwd = None if args.all else str(config.cwd)

    def select(rows: list[SessionInfo] | None = None) -> list[SessionInfo]:
        return index.select(cwd=cwd, include_non_interactive=args.include_non_interactive, sessions=rows)

    # First paint from the index as it was; the rollouts are checked for changes meanwhile.
    cached = select(index.cached())
    sessions = cached if cached else await anyio.to_thread.run_sync(select)
    title = "Resume a previous session" if args.command == "resume" else "Fork a previous session"
    chosen = await run_picker(sessions, show_cwd=args.all, title=title, refresh=select if cached else None)
    if chosen is None:
        raise _Stop("", 0)
    if chosen == NEW_SESSION:
        return None, True
    assert isinstance(chosen, SessionInfo)
    return chosen.path, False


def _start_factory(config: Any) -> Any:
    from pycodex_core import Codex

    from ._app import StartSpec

    @contextlib.asynccontextmanager
    async def start(spec: StartSpec) -> AsyncGenerator[Any]:
        async with Codex.start(
            config, originator="codex_cli_rs", resume_from=spec.resume_from, fork_from=spec.fork_from
        ) as codex:
            yield codex

    return start


def _working_dir(args: TuiArgs) -> Path:
    cwd = Path(args.cd).expanduser() if args.cd else Path.cwd()
    if not cwd.is_dir():
        raise _Stop(f"Error: working directory {str(cwd)!r} does not exist")
    return cwd.resolve()


async def run_tui(args: TuiArgs) -> int:
    """Run the interactive session described by `args`; returns the exit status."""
    from ._trust import needs_trust_prompt, run_trust_prompt

    cwd = _working_dir(args)
    config = _load_config(args, cwd)
    if needs_trust_prompt(config, bypass=args.yolo):
        decided = await run_trust_prompt(config)
        if decided is None:
            return 0
        config = _load_config(args, cwd)
    for warning in getattr(config, "warnings", ()):
        sys.stderr.write(f"warning: {warning}\n")
    oss: Any = None
    if args.oss:
        from ._oss import OssError, prepare_local_provider

        try:
            config, oss = await prepare_local_provider(config, args.local_provider, args.model)
        except OssError as exc:
            raise _Stop(str(exc)) from None
    try:
        return await _run_app(args, config)
    finally:
        if oss is not None:
            oss.close()


async def _run_app(args: TuiArgs, config: Any) -> int:
    from ._app import StartSpec, TuiApp

    spec = StartSpec()
    if args.command in ("resume", "fork"):
        rollout, _new = await _pick_rollout(args, config)
        if rollout is not None:
            spec = StartSpec(resume_from=rollout) if args.command == "resume" else StartSpec(fork_from=rollout)
    app = TuiApp(
        config,
        _start_factory(config),
        version=VERSION,
        initial_prompt=args.prompt,
        images=tuple(args.images),
        spec=spec,
        inline=_inline(args, config),
    )
    return await app.run()


def main(argv: list[str] | None = None, *, command: str | None = None) -> int:
    """Run `codex [OPTIONS] [PROMPT]` (or `codex resume|fork ...` with `command`); return the exit status."""
    try:
        args = parse_args(list(sys.argv[1:] if argv is None else argv), command)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 2
    except UsageError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        sys.stderr.write("Error: the interactive codex needs a terminal; use `codex exec` for scripts and pipes.\n")
        return 1
    try:
        return anyio.run(run_tui, args)
    except _Stop as exc:
        if str(exc):
            sys.stderr.write(f"{exc}\n")
        return exc.code
    except KeyboardInterrupt:
        return 130

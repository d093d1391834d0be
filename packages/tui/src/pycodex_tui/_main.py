"""`main(argv)`: load config, ask for trust, pick a session to resume or fork, run the app."""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import AsyncGenerator
from pathlib import Path
from typing import Any

from ._args import TuiArgs, UsageError, parse_args
from ._resume import Listing, Stop as _Stop, list_sessions, paint_first, pick_rollout, wants_picker

logger = logging.getLogger(__name__)

__all__ = ["main", "run_tui"]

VERSION = "0.1.0"


def _load_config(args: TuiArgs, cwd: Path) -> Any:
    from pycodex_config import CliOverrides, UserError, load_config

    sandbox, approval = args.sandbox, args.approval
    if args.full_auto or args.approve_for_me:
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
    if args.approve_for_me:
        overrides.append('approvals_reviewer="auto_review"')
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


def _print_warnings(config: Any) -> None:
    for warning in getattr(config, "warnings", ()):
        sys.stderr.write(f"warning: {warning}\n")


def _early_picker(args: TuiArgs) -> tuple[Any, Listing] | None:
    """For the picker: config loaded and the first screen painted before the event loop starts.

    `None` when the picker is not wanted or something must come first (trust prompt, `--oss`).
    """
    if not wants_picker(args) or args.oss:
        return None
    from ._trust import needs_trust_prompt

    config = _load_config(args, _working_dir(args))
    if needs_trust_prompt(config, bypass=args.yolo):
        return None
    _print_warnings(config)
    listing = list_sessions(args, config)
    paint_first(args, listing)
    return config, listing


async def run_tui(args: TuiArgs, early: tuple[Any, Listing] | None = None) -> int:
    """Run the interactive session described by `args`; returns the exit status.

    `early` is what `main` prepared before the event loop (config and the picker's listing).
    """
    if early is not None:
        return await _run_app(args, *early)
    from ._trust import needs_trust_prompt, run_trust_prompt

    cwd = _working_dir(args)
    config = _load_config(args, cwd)
    if needs_trust_prompt(config, bypass=args.yolo):
        decided = await run_trust_prompt(config)
        if decided is None:
            return 0
        config = _load_config(args, cwd)
    _print_warnings(config)
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


async def _run_app(args: TuiArgs, config: Any, listing: Listing | None = None) -> int:
    rollout = None
    if args.command in ("resume", "fork"):
        rollout = await pick_rollout(args, config, listing)  # before the application modules load
    from ._app import StartSpec, TuiApp

    spec = StartSpec()
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
        early = _early_picker(args)
        import anyio  # after the picker's first paint: the event loop's modules take a while to load

        return anyio.run(run_tui, args, early)
    except _Stop as exc:
        if str(exc):
            sys.stderr.write(f"{exc}\n")
        return exc.code
    except KeyboardInterrupt:
        return 130

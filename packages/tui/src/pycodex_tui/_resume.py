"""Choosing the saved session for `codex resume` / `codex fork`: by id, the latest one, or the picker.

The picker's first screen is painted before the event loop and prompt-toolkit are loaded
(`list_sessions` then `paint_first`), so it appears a moment after launch even with thousands of
sessions on disk; the application then takes over the same screen.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._args import TuiArgs
    from ._sessions import SessionInfo

__all__ = ["Listing", "Stop", "list_sessions", "paint_first", "pick_rollout", "wants_picker"]

_LEAVE_ALTERNATE_SCREEN = "\x1b[?1049l"


class Stop(Exception):
    """End the program with `message` (may be empty) and exit status `code`."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Listing:
    """The sessions the picker opens on."""

    sessions: list[SessionInfo]
    refresh: Callable[[], list[SessionInfo]] | None
    """Re-checks every rollout (run after the first paint) when `sessions` came from the index as it was."""
    painted: bool = False
    """Whether `paint_first` drew them (the alternate screen is then in use)."""


def wants_picker(args: TuiArgs) -> bool:
    """Whether `args` open the picker (no session id, no `--last`)."""
    return args.command in ("resume", "fork") and not args.session_id and not args.last


def _title(args: TuiArgs) -> str:
    return "Resume a previous session" if args.command == "resume" else "Fork a previous session"


def list_sessions(args: TuiArgs, config: Any) -> Listing:
    """The picker's sessions: from the index at once when it has any, else after a full scan."""
    from ._sessions import SessionIndex

    index = SessionIndex(Path(config.codex_home))
    cwd = None if args.all else str(config.cwd)

    def select(rows: list[SessionInfo] | None = None) -> list[SessionInfo]:
        return index.select(cwd=cwd, include_non_interactive=args.include_non_interactive, sessions=rows)

    cached = select(index.cached())
    return Listing(cached, select) if cached else Listing(select(), None)


def paint_first(args: TuiArgs, listing: Listing) -> None:
    """Draw the picker's first screen now, on a real terminal (sets `listing.painted`)."""
    if os.environ.get("TERM", "") in ("", "dumb") or not sys.stdout.isatty():
        return
    try:
        size = os.get_terminal_size(sys.stdout.fileno())
    except OSError:
        return
    from ._picker import Picker, ansi_frame

    picker = Picker(listing.sessions, show_cwd=args.all, title=_title(args))
    sys.stdout.write(ansi_frame(picker, size.columns, size.lines))
    sys.stdout.flush()
    listing.painted = True


async def pick_rollout(args: TuiArgs, config: Any, listing: Listing | None = None) -> Path | None:
    """The rollout to resume or fork, or `None` to start a new session; raises `Stop` to quit."""
    home = Path(config.codex_home)
    if args.session_id:
        from pycodex_core import find_rollout

        found = find_rollout(home, args.session_id)
        if found is None:
            raise Stop(f"No saved session found with ID {args.session_id}.")
        return found
    if args.last:
        from pycodex_core import find_latest_rollout

        found = find_latest_rollout(home, None if args.all else Path(config.cwd))
        if found is None:
            raise Stop("No saved session found to resume." if args.command == "resume" else "No session to fork.")
        return found
    from ._picker import NEW_SESSION, run_picker
    from ._sessions import SessionInfo

    if listing is None:
        listing = list_sessions(args, config)
    try:
        chosen = await run_picker(listing.sessions, show_cwd=args.all, title=_title(args), refresh=listing.refresh)
    except BaseException:
        if listing.painted:
            sys.stdout.write(_LEAVE_ALTERNATE_SCREEN)
            sys.stdout.flush()
        raise
    if chosen is None:
        raise Stop("", 0)
    if chosen == NEW_SESSION:
        return None
    assert isinstance(chosen, SessionInfo)
    return chosen.path

"""`TuiApp`: the interactive session — core's events in, the user's keys out as ops."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
from prompt_toolkit.application import Application
from prompt_toolkit.application.current import set_app
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.input import Input
from prompt_toolkit.output import Output
from prompt_toolkit.utils import get_cwidth

from pycodex_file_search import BackgroundIndex

from ._approval import ApprovalModal
from ._cells import DIM, error_cell, info_cell, user_cell
from ._chat import ChatState
from ._focus import FocusTracker, register_focus_reports
from ._history import PromptHistory
from ._json import as_map
from ._layout import build_layout, build_style
from ._live import header_cell, status_indicator, status_line
from ._notify import AGENT_TURN_COMPLETE, APPROVAL_REQUESTED, Notifier, approval_text, turn_complete_text
from ._overlay import TranscriptOverlay
from ._popups import Choice, Popups
from ._scrollback import Scrollback
from ._text import Line, truncate
from ._vim import set_vim, vim_indicator

logger = logging.getLogger(__name__)

__all__ = ["Choice", "StartSpec", "TuiApp"]


@dataclass(frozen=True)
class StartSpec:
    """How to start (or restart) the core session."""

    resume_from: Path | None = None
    fork_from: Path | None = None
    overrides: Mapping[str, Any] = field(default_factory=lambda: {})
    """Turn-context overrides to re-apply after a restart (model, approvals)."""


StartCodex = Callable[[StartSpec], AbstractAsyncContextManager[Any]]


class TuiApp(Popups):
    """The interactive front end over one core session at a time (restarted by /new, /resume, /fork)."""

    def __init__(
        self,
        config: Any,
        start_codex: StartCodex,
        *,
        version: str,
        initial_prompt: str | None = None,
        images: tuple[str, ...] = (),
        spec: StartSpec | None = None,
        inline: bool = True,
        input: Input | None = None,
        output: Output | None = None,
    ) -> None:
        self.config = config
        self.version = version
        self._start_codex = start_codex
        self._spec = spec or StartSpec()
        self._restart = False
        self._session_scope: anyio.CancelScope | None = None
        self.codex: Any = None
        self.session_id = ""
        self.rollout_path: str | None = None
        self.style = build_style(getattr(config.tui, "theme", None))
        self.scrollback = Scrollback(self.style, inline=inline)
        self.chat = ChatState(self.scrollback.write, show_reasoning=not getattr(config, "hide_agent_reasoning", False))
        self.chat.on_turn_end = self._turn_ended
        history = config.history
        self.history = PromptHistory(
            Path(config.codex_home), persist=history.persistence != "none", max_bytes=history.max_bytes
        )
        self.files = BackgroundIndex(Path(config.cwd))
        self.buffer = Buffer(multiline=True, on_text_changed=lambda _: self._text_changed())
        self.modal: ApprovalModal | None = None
        self.overlay: TranscriptOverlay | None = None
        self.choice: Choice | None = None
        self.popup_selected = 0
        self.queued: list[str] = []
        self.images: list[str] = list(images)
        self.pastes: dict[str, str] = {}
        """Placeholders of large pastes in the composer, and the text they stand for."""
        self.hint: str | None = None
        self._hint_until = 0.0
        self.last_esc = 0.0
        """When Esc was last pressed on an empty, idle composer (for Esc-Esc)."""
        self._early: list[dict[str, Any]] = []
        self._initial = initial_prompt
        self.exit_code = 0
        self._overrides: dict[str, Any] = dict(self._spec.overrides)
        self._file_cache: tuple[str, list[str]] | None = None
        self._header_shown = False
        self._drawn = anyio.Event()
        self.focus = FocusTracker()
        self.notifier = Notifier(config.tui, self.focus)
        register_focus_reports()
        from ._keys import build_keys

        self.app: Application[int] = Application(
            layout=build_layout(self),
            key_bindings=build_keys(self),
            style=self.style,
            full_screen=not inline,
            input=input,
            output=output,
            erase_when_done=True,
            include_default_pygments_style=False,
        )
        self.app.after_render += self._on_drawn
        self.app.ttimeoutlen = 0.05
        self.app.timeoutlen = 0.3

    def _pre_run(self) -> None:
        # After the application's own reset (which puts the vi state back in insert mode).
        if getattr(self.config.tui, "vim_mode_default", False):
            set_vim(self.app, True)

    def _on_drawn(self, _app: object) -> None:
        self._drawn.set()

    # -- running ---------------------------------------------------------------------------

    async def run(self) -> int:
        """Run until the user quits; returns the exit status."""
        if self.scrollback.inline:
            # The header goes out before the application draws, so the live area starts below it.
            config = self.config
            early = {"model": config.model, "reasoning_effort": config.model_reasoning_effort, "cwd": str(config.cwd)}
            self.scrollback.print_now(self.app, [*header_cell(early, self.version), []])
            self._header_shown = True
        async with anyio.create_task_group() as tg:
            tg.start_soon(self.scrollback.run, self.app)
            tg.start_soon(self._session_loop)
            tg.start_soon(self._ticker)
            self.focus.enable(self.app.output)
            try:
                await self.app.run_async(pre_run=self._pre_run)
            finally:
                self.focus.disable(self.app.output)
                self.overlay = None  # the application left the alternate screen on its way out
                self.scrollback.paused = False
                tg.cancel_scope.cancel()
        self.chat.flush_streams()
        if not self.scrollback.inline:
            # Leaving the alternate screen loses what it showed: put the transcript in the scrollback.
            self.scrollback.print_now(self.app, self.scrollback.lines)
        else:
            await self.scrollback.flush(self.app)
        return self.exit_code

    async def _session_loop(self) -> None:
        # Core (and the model client it imports) starts once the prompt is on screen.
        with anyio.move_on_after(2):
            await self._drawn.wait()
        await anyio.sleep(0.01)
        from pycodex_core import CodexCoreError

        with set_app(self.app):
            while True:
                self._restart = False
                try:
                    async with self._start_codex(self._spec) as codex:
                        with anyio.CancelScope() as scope:
                            self._session_scope = scope
                            await self._pump(codex)
                except CodexCoreError as exc:
                    self.scrollback.write(error_cell(f"Error: {exc}"))
                    self.exit_code = 1
                finally:
                    self.codex = None
                if not self._restart:
                    break
            await self.scrollback.flush(self.app)
            if self.app.is_running and not self.app.is_done:
                self.app.exit(result=self.exit_code)

    async def _pump(self, codex: Any) -> None:
        from pycodex_core import SessionClosed

        while True:
            try:
                event = await codex.next_event()
            except SessionClosed:
                return
            msg = as_map(as_map(event).get("msg"))
            logger.debug("event %s", msg.get("type"))
            if msg.get("type") == "session_configured":
                await self._configured(codex, msg)
            waiting = len(self.chat.approvals)
            self.chat.handle(msg)
            if len(self.chat.approvals) > waiting:  # each request notifies, also one queued behind the modal
                pending = self.chat.approvals[-1]
                self.notify(APPROVAL_REQUESTED, approval_text(pending.kind, pending.msg, self.chat.cwd))
            if self.modal is None and self.chat.approvals:
                self.modal = ApprovalModal(self.chat.approvals[0], self.chat.cwd)
            self.app.invalidate()

    async def _configured(self, codex: Any, msg: Mapping[str, Any]) -> None:
        self.codex = codex
        self.files.start()  # list the files now, so the first `@` finds them ready
        self.session_id = str(msg.get("session_id", ""))
        self.rollout_path = msg.get("rollout_path")
        if not self._header_shown:
            self.scrollback.write([*header_cell(msg, self.version), []])
        self._header_shown = False
        if self._overrides:
            await codex.submit({"type": "override_turn_context", **self._overrides})
        early, self._early = self._early, []
        for op in early:
            await codex.submit(op)
        if self._initial:
            text, self._initial = self._initial, None
            await self.submit_text(text)

    async def _ticker(self) -> None:
        while True:
            await anyio.sleep(0.2 if self.chat.running else 1.0)
            if self.hint and time.monotonic() > self._hint_until:
                self.hint = None
                self.app.invalidate()
            if self.chat.running or self._file_query() is not None:
                self.app.invalidate()

    def restart(self, spec: StartSpec) -> None:
        """Stop the current core session and start another (new, resumed or forked)."""
        self._spec = StartSpec(spec.resume_from, spec.fork_from, dict(self._overrides))
        self._restart = True
        self.codex = None  # ops from now on wait for the new session
        self.chat.flush_streams()
        self.chat.running = False
        self.chat.approvals.clear()
        self.chat.execs.clear()
        self.modal = None
        if self._session_scope is not None:
            self._session_scope.cancel()

    def quit(self) -> None:
        """Leave the application (the session is shut down on the way out)."""
        if self.app.is_running and not self.app.is_done:
            self.app.exit(result=self.exit_code)

    # -- ops -------------------------------------------------------------------------------

    async def submit_op(self, op: dict[str, Any]) -> None:
        """Send `op` to core (kept until the session is up)."""
        if self.codex is None:
            self._early.append(op)
            return
        await self.codex.submit(op)

    def override(self, **values: Any) -> None:
        """Change the session's defaults (`override_turn_context`), kept across restarts."""
        self._overrides.update(values)
        self.app.create_background_task(self.submit_op({"type": "override_turn_context", **values}))

    async def submit_text(self, text: str) -> None:
        """What Enter does with the composer's text: a slash command, `!cmd`, or a message."""
        from ._commands import run_shell_command, run_slash

        for placeholder, pasted in self.pastes.items():
            text = text.replace(placeholder, pasted)
        self.pastes.clear()
        stripped = text.strip()
        if not stripped and not self.images:
            return
        if stripped.startswith("/") and "\n" not in stripped and "/" not in stripped.split()[0][1:]:
            await run_slash(self, stripped)
            return
        self.history.append(text, self.session_id)
        if stripped.startswith("!") and len(stripped) > 1:
            await run_shell_command(self, stripped[1:].strip())
            return
        items: list[dict[str, Any]] = [{"type": "local_image", "path": p} for p in self.images]
        items.append({"type": "text", "text": text, "text_elements": []})
        self.images.clear()
        self.scrollback.write([*user_cell(text), []])
        await self.submit_op({"type": "user_input", "items": items})

    def _turn_ended(self, how: str, last: str | None) -> None:
        self.modal = None
        if how == "completed":
            self.notify(AGENT_TURN_COMPLETE, turn_complete_text(last))
        if self.queued:
            text = self.queued.pop(0)
            self.app.create_background_task(self.submit_text(text))

    def answer_modal(self, decision: str) -> None:
        """Answer the approval in the modal and show the next one, if any."""
        modal = self.modal
        if modal is None:
            return
        if self.chat.approvals and self.chat.approvals[0] is modal.pending:
            self.chat.approvals.popleft()
        self.modal = ApprovalModal(self.chat.approvals[0], self.chat.cwd) if self.chat.approvals else None
        self.app.create_background_task(self.submit_op(modal.op(decision)))
        if decision == "abort":
            self.app.create_background_task(self.submit_op({"type": "interrupt"}))
        self.app.invalidate()

    def interrupt(self) -> None:
        """Esc / Ctrl-C while a turn runs."""
        self.app.create_background_task(self.submit_op({"type": "interrupt"}))

    # -- notifications and hints -----------------------------------------------------------

    def notify(self, kind: str, text: str) -> None:
        """Send a desktop notification of `kind` if `[tui]` asks for it now (type enabled, focus condition)."""
        sequence = self.notifier.sequence(kind, text)
        if sequence is None:
            return
        self.app.output.write_raw(sequence)
        self.app.output.flush()

    def show_hint(self, text: str, seconds: float = 1.5) -> None:
        """A short message in the footer."""
        self.hint = text
        self._hint_until = time.monotonic() + seconds
        self.app.invalidate()

    # -- composer --------------------------------------------------------------------------

    def _text_changed(self) -> None:
        self.popup_selected = 0
        self.history.cursor = None if not self.buffer.text else self.history.cursor

    # -- drawing ---------------------------------------------------------------------------

    def _width(self) -> int:
        try:
            return self.app.output.get_size().columns
        except OSError:
            return 80

    def live_lines(self) -> list[Line]:
        """Everything above the composer that is not committed yet."""
        out: list[Line] = []
        pending = self.chat.pending_line()
        if pending is not None:
            out.append(pending)
        width = self._width()
        for cell in self.chat.execs.values():
            out += cell.lines(width)
        if self.chat.running:
            if out:
                out.append([])
            out.append(status_indicator(self.chat, animate=bool(self.config.tui.animations)))
        for text in self.queued:
            out.append([(DIM, "  ↳ queued: "), ("", truncate(text.replace("\n", " "), width - 14))])
        if out:
            out.append([])
        return out

    def modal_lines(self) -> list[Line]:
        """The approval modal, when one is open."""
        return self.modal.lines() if self.modal is not None else []

    def footer_line(self) -> Line:
        """The hint of the moment, or the status line."""
        line = (
            [(DIM, f"  {self.hint}")]
            if self.hint
            else status_line(self.config.tui.status_line, self.chat, self.version)
        )
        indicator = vim_indicator(self.app)
        if indicator:
            used = sum(get_cwidth(text) for _, text in line) + sum(get_cwidth(text) for _, text in indicator)
            line = [*line, ("", " " * max(self._width() - used - 2, 2)), *indicator]
        return line

    def info(self, text: str) -> None:
        """Commit a dim note to the transcript."""
        self.scrollback.write([*info_cell(text), []])

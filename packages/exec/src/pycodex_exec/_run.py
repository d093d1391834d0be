"""Drive one `codex exec` session: start core, send the prompt, print events, pick the exit code."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, cast

import anyio

from ._human import HumanRenderer
from ._jsonl import JsonlMapper
from ._setup import Plan

if TYPE_CHECKING:
    from pycodex_protocol import UserInput, UserInputOp

logger = logging.getLogger(__name__)

__all__ = ["Outcome", "run_session", "use_color"]

VERSION_LINE = "pycodex exec v{version} (Codex 0.169 compatible)"


def use_color(mode: str, stream: IO[str], environ: Mapping[str, str]) -> bool:
    """`--color` decision: `always`, `never`, or `auto` (a terminal, no `NO_COLOR`, not `TERM=dumb`)."""
    if mode == "always":
        return True
    if mode == "never" or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


class Outcome:
    """What happened to the turn, decided from the events."""

    def __init__(self) -> None:
        self.status = "running"
        """`running`, `completed`, `failed` or `interrupted`."""
        self.error: str | None = None
        self.last_message: str | None = None

    def observe(self, msg: Mapping[str, Any]) -> None:
        """Update from one event payload."""
        kind = msg.get("type")
        if kind == "agent_message":
            self.last_message = str(msg.get("message", ""))
        elif kind == "error":
            self.error = str(msg.get("message", ""))
        elif kind == "task_complete":
            self.status = "failed" if self.error is not None else "completed"
            last = msg.get("last_agent_message")
            if isinstance(last, str):
                self.last_message = last
        elif kind == "turn_aborted":
            self.status = "interrupted"

    @property
    def done(self) -> bool:
        """Whether the turn has ended."""
        return self.status != "running"

    @property
    def exit_code(self) -> int:
        """0 for a completed turn, 1 otherwise."""
        return 0 if self.status == "completed" else 1


class _Output:
    """Sends each event to the JSONL mapper or the human renderer."""

    def __init__(self, plan: Plan, stdout: IO[str], stderr: IO[str], environ: Mapping[str, str]) -> None:
        from . import __version__

        self.plan = plan
        self.stdout = stdout
        self.stderr = stderr
        self.json = plan.args.json
        self.echo_prompt = True
        self.mapper = JsonlMapper() if self.json else None
        self.human = (
            None
            if self.json
            else HumanRenderer(
                stderr,
                color=use_color(plan.args.color, stderr, environ),
                version_line=VERSION_LINE.format(version=__version__),
                show_reasoning=not plan.config.hide_agent_reasoning,
            )
        )

    def emit_json(self, events: list[Any]) -> None:
        if events:
            from pycodex_protocol.exec_events import dumps_event

            self.stdout.write("".join(dumps_event(e) + "\n" for e in events))
            self.stdout.flush()

    def event(self, event: Mapping[str, Any]) -> None:
        msg: Mapping[str, Any] = event["msg"]
        if self.mapper is not None:
            self.emit_json(self.mapper.map(event))
        elif self.human is not None:
            if msg.get("type") == "session_configured":
                self._header(msg)
            else:
                self.human.render(event)
        if msg.get("type") == "session_configured":
            self._after_configured()

    def _header(self, msg: Mapping[str, Any]) -> None:
        assert self.human is not None
        config = self.plan.config
        self.human.header(
            msg,
            provider=str(config.model_provider_id),
            effort=config.model_reasoning_effort,
            summary=config.model_reasoning_summary,
        )

    def _after_configured(self) -> None:
        for note in self.plan.notes:
            self.stderr.write(note + "\n")
        if self.plan.args.show_instructions:
            self._show_instructions()
        if self.human is not None and self.echo_prompt:
            self.human.user_prompt(self.plan.prompt)
        self.stderr.flush()

    def _show_instructions(self) -> None:
        from pycodex_core import DEFAULT_PROFILE, discover_agents_files

        profile = self.plan.prompt_profile or DEFAULT_PROFILE
        self.stderr.write(f"{profile.describe()}\n")
        files = discover_agents_files(self.plan.config)
        if not files:
            self.stderr.write("instructions: no AGENTS.md files loaded\n")
        for path in files:
            self.stderr.write(f"instructions: {path}\n")

    def finish(self) -> None:
        if self.mapper is not None:
            self.emit_json(self.mapper.finish())


MAX_INPUT_CHARS = 1 << 20
"""The longest user input (characters of text, all items together) a turn accepts, as in Codex."""
INPUT_TOO_LARGE = (
    "Error: turn/start: turn/start failed: Input exceeds the maximum length of {max} characters. (code -32602), "
    'data: {{"input_error_code":"input_too_large","max_chars":{max},"actual_chars":{actual}}}'
)


def _write_last_message(path: str, message: str | None, stderr: IO[str]) -> bool:
    """Write the `-o` file; on failure report it as Codex does and return `False` (exit code 1)."""
    try:
        Path(path).write_text(message or "", encoding="utf-8")
    except OSError as exc:
        reason = f"{exc.strerror} (os error {exc.errno})" if exc.errno else str(exc)
        stderr.write(f'Error: Failed to write last message file "{path}"\nCaused by:\n    {reason}\n')
        return False
    if message is None:
        stderr.write(f"Warning: no last agent message; wrote empty content to {path}\n")
    return True


async def _interrupt_on_sigint(codex: Any, outcome: Outcome, cancel: anyio.CancelScope) -> None:
    with anyio.open_signal_receiver(signal.SIGINT, signal.SIGTERM) as signals:
        count = 0
        async for _ in signals:
            count += 1
            if count == 1 and not outcome.done:
                await codex.submit({"type": "interrupt"})
            else:
                cancel.cancel()
                return


async def run_session(plan: Plan, *, stdout: IO[str], stderr: IO[str], environ: Mapping[str, str]) -> int:
    """Run the turn of `plan` to its end and return the exit status."""
    from pycodex_core import Codex, CodexCoreError, SessionClosed

    out = _Output(plan, stdout, stderr, environ)
    outcome = Outcome()
    chars = sum(len(str(item.get("text", ""))) for item in plan.items if item.get("type") == "text")
    too_large = chars > MAX_INPUT_CHARS
    out.echo_prompt = not too_large
    op: UserInputOp = {"type": "user_input", "items": cast("list[UserInput]", plan.items)}
    if plan.output_schema is not None:
        op["final_output_json_schema"] = plan.output_schema
    try:
        async with (
            Codex.start(
                plan.config,
                originator="codex_exec",
                ephemeral=plan.args.ephemeral,
                resume_from=plan.resume_from,
                fork_from=plan.fork_from,
                prompt_profile=plan.prompt_profile,
                wrap_transport=plan.wrap_transport,
            ) as codex,
            anyio.create_task_group() as tg,
        ):
            tg.start_soon(_interrupt_on_sigint, codex, outcome, tg.cancel_scope)
            submitted = False
            while not outcome.done:
                try:
                    event = await codex.next_event()
                except SessionClosed:
                    break
                outcome.observe(event["msg"])
                out.event(event)
                if not submitted and event["msg"].get("type") == "session_configured":
                    if too_large:
                        break
                    await codex.submit(op)
                    submitted = True
            tg.cancel_scope.cancel()
    except CodexCoreError as exc:
        stderr.write(f"Error: {exc}\n")
        return 1
    if too_large:
        stderr.write(INPUT_TOO_LARGE.format(max=MAX_INPUT_CHARS, actual=chars) + "\n")
        return 1
    out.finish()
    if plan.args.output_last_message and outcome.status != "completed":
        _write_last_message(plan.args.output_last_message, "", stderr)  # Codex leaves an empty file
    if outcome.status == "completed":
        written = True
        if plan.args.output_last_message:
            written = _write_last_message(plan.args.output_last_message, outcome.last_message, stderr)
        if not plan.args.json and outcome.last_message is not None and not (stdout.isatty() and stderr.isatty()):
            stdout.write(outcome.last_message + "\n")
            stdout.flush()
        if not written:
            return 1
    return outcome.exit_code


def run(plan: Plan, *, stdout: IO[str] | None = None, stderr: IO[str] | None = None) -> int:
    """Run the session of `plan` on a fresh event loop; stop the `--oss` server at the end."""
    try:
        return anyio.run(
            lambda: run_session(plan, stdout=stdout or sys.stdout, stderr=stderr or sys.stderr, environ=os.environ)
        )
    finally:
        if plan.oss is not None:
            plan.oss.close()

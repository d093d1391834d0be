"""Human-readable output of `codex exec` (no `--json`): everything on stderr, like Codex 0.169.

The header names the effective settings, then each event gets a short section (`exec`,
`apply patch`, `codex`, …). The final message itself goes to stdout; `run` prints it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import IO, Any, ClassVar

from ._jsonl import command_string
from ._shape import elements, mapping

logger = logging.getLogger(__name__)

__all__ = ["HumanRenderer", "Style", "format_tokens", "sandbox_summary"]

_RESET = "\x1b[0m"


class Style:
    """ANSI styling that collapses to plain text when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def _wrap(self, code: str, text: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.enabled else text

    def bold(self, text: str) -> str:
        """Bold text."""
        return self._wrap("1", text)

    def dim(self, text: str) -> str:
        """Dimmed text."""
        return self._wrap("2", text)

    def red(self, text: str) -> str:
        """Red text."""
        return self._wrap("31", text)

    def green(self, text: str) -> str:
        """Green text."""
        return self._wrap("32", text)

    def yellow(self, text: str) -> str:
        """Yellow text."""
        return self._wrap("33", text)

    def cyan(self, text: str) -> str:
        """Cyan text."""
        return self._wrap("36", text)

    def heading(self, text: str) -> str:
        """Magenta italic, as Codex prints `exec` and `codex`."""
        return self._wrap("35", self._wrap("3", text)) if self.enabled else text


def format_tokens(n: int) -> str:
    """Thousands-separated count (`12,345`)."""
    return f"{n:,}"


def sandbox_summary(policy: object) -> str:
    """One-line sandbox description, e.g. `read-only` or `workspace-write [workdir, /tmp, $TMPDIR]`."""
    fields = mapping(policy)
    if fields is None:
        return str(policy)
    kind = str(fields.get("type", ""))
    if kind != "workspace-write":
        suffix = " (network access enabled)" if fields.get("network_access") is True else ""
        return kind + suffix
    roots = ["workdir"]
    if not fields.get("exclude_slash_tmp"):
        roots.append("/tmp")
    if not fields.get("exclude_tmpdir_env_var"):
        roots.append("$TMPDIR")
    roots.extend(str(r) for r in elements(fields.get("writable_roots")))
    text = f"workspace-write [{', '.join(roots)}]"
    return text + (" (network access enabled)" if fields.get("network_access") else "")


def _duration_ms(duration: object) -> int:
    if (duration := mapping(duration)) is not None:
        return int(duration.get("secs", 0)) * 1000 + int(duration.get("nanos", 0)) // 1_000_000
    return 0


class HumanRenderer:
    """Writes Codex's human transcript of a run to `out` (stderr).

    Args:
        out: Where to write (normally `sys.stderr`).
        color: Whether to emit ANSI styles.
        version_line: First line of the header.
        show_reasoning: Print reasoning summaries (off with `hide_agent_reasoning`).
    """

    def __init__(self, out: IO[str], *, color: bool, version_line: str, show_reasoning: bool = True) -> None:
        self._out = out
        self.s = Style(color)
        self._version_line = version_line
        self._show_reasoning = show_reasoning
        self._usage: Mapping[str, Any] | None = None
        self._commands: dict[str, str] = {}

    def _w(self, text: str) -> None:
        self._out.write(text + "\n")

    def header(self, configured: Mapping[str, Any], *, provider: str, effort: str | None, summary: str | None) -> None:
        """Print the settings block that opens a run."""
        s = self.s
        rows = [
            ("workdir", str(configured.get("cwd", ""))),
            ("model", str(configured.get("model", ""))),
            ("provider", provider),
            ("approval", str(configured.get("approval_policy", "never"))),
            ("sandbox", sandbox_summary(configured.get("sandbox_policy"))),
            ("reasoning effort", effort or "none"),
            ("reasoning summaries", summary or "none"),
            ("session id", str(configured.get("session_id", ""))),
        ]
        self._w(self._version_line)
        self._w("--------")
        for key, value in rows:
            self._w(f"{s.bold(key + ':')} {value}")
        self._w("--------")

    def user_prompt(self, prompt: str) -> None:
        """Echo the prompt being sent."""
        self._w(self.s.cyan("user"))
        self._w(prompt)

    def render(self, event: Mapping[str, Any]) -> None:
        """Print one protocol event (events without a human form are skipped)."""
        msg: Mapping[str, Any] = event["msg"]
        handler = self._HANDLERS.get(str(msg.get("type")))
        if handler is not None:
            handler(self, msg)
        self._out.flush()

    def notice(self, text: str) -> None:
        """Print a plain line (used for `turn interrupted` and the like)."""
        self._w(text)
        self._out.flush()

    # ---------------------------------------------------------------- handlers

    def _reasoning(self, msg: Mapping[str, Any]) -> None:
        text = str(msg.get("text", ""))
        if self._show_reasoning and text.strip():
            self._w(self.s.dim(text))

    def _agent_message(self, msg: Mapping[str, Any]) -> None:
        self._w(self.s.heading("codex"))
        self._w(str(msg.get("message", "")))

    def _exec_begin(self, msg: Mapping[str, Any]) -> None:
        command = command_string(msg.get("command"))
        self._commands[str(msg.get("call_id"))] = command
        self._w(self.s.heading("exec"))
        self._w(f"{self.s.bold(command)} in {msg.get('cwd', '')}")

    def _exec_end(self, msg: Mapping[str, Any]) -> None:
        s = self.s
        ms = _duration_ms(msg.get("duration"))
        code = msg.get("exit_code")
        if msg.get("status") == "declined":
            self._w(s.yellow(f" declined in {ms}ms:"))
        elif code == 0:
            self._w(s.green(f" succeeded in {ms}ms:"))
        else:
            self._w(s.red(f" exited {code} in {ms}ms:"))
        output = str(msg.get("aggregated_output", ""))
        if output:  # Codex prints nothing, not even a blank line, for a command with no output
            self._w(output)

    def _patch_begin(self, msg: Mapping[str, Any]) -> None:
        self._w(self.s.bold("apply patch"))

    def _patch_end(self, msg: Mapping[str, Any]) -> None:
        s = self.s
        ok = bool(msg.get("success"))
        self._w(f"{s.bold('patch:')} {'completed' if ok else s.red('failed')}")
        for path in mapping(msg.get("changes")) or {}:
            self._w(s.dim(str(path)))
        if not ok and msg.get("stderr"):
            self._w(str(msg.get("stderr")))

    def _turn_diff(self, msg: Mapping[str, Any]) -> None:
        self._w(str(msg.get("unified_diff", "")))

    def _plan_update(self, msg: Mapping[str, Any]) -> None:
        if msg.get("explanation"):
            self._w(str(msg["explanation"]))
        marks = {"completed": "✓", "in_progress": "→"}
        for step in filter(None, map(mapping, elements(msg.get("plan")))):
            self._w(f"  {marks.get(str(step.get('status')), '•')} {step.get('step', '')}")

    def _mcp_begin(self, msg: Mapping[str, Any]) -> None:
        inv: Mapping[str, Any] = msg.get("invocation") or {}
        self._w(f"{self.s.bold('mcp:')} {inv.get('server')}/{inv.get('tool')} started")

    def _mcp_end(self, msg: Mapping[str, Any]) -> None:
        inv: Mapping[str, Any] = msg.get("invocation") or {}
        ok = "Ok" in (msg.get("result") or {})
        self._w(f"{self.s.bold('mcp:')} {inv.get('server')}/{inv.get('tool')} {'completed' if ok else 'failed'}")

    def _web_search(self, msg: Mapping[str, Any]) -> None:
        self._w(f"{self.s.bold('web search:')} {msg.get('query', '')}")

    def _token_count(self, msg: Mapping[str, Any]) -> None:
        info = mapping(msg.get("info"))
        total = mapping(info.get("total_token_usage")) if info is not None else None
        if total is not None:
            self._usage = total

    def _task_complete(self, msg: Mapping[str, Any]) -> None:
        if self._usage is None:
            return
        u = self._usage
        blended = max(int(u.get("input_tokens", 0)) - int(u.get("cached_input_tokens", 0)), 0)
        blended += int(u.get("output_tokens", 0))
        self._w(self.s.dim("tokens used"))
        self._w(format_tokens(blended))

    def _error(self, msg: Mapping[str, Any]) -> None:
        self._w(f"{self.s.red('ERROR:')} {msg.get('message', '')}")

    def _stream_error(self, msg: Mapping[str, Any]) -> None:
        text = str(msg.get("message", ""))
        details = msg.get("additional_details")
        if isinstance(details, str) and details.strip():
            text = f"{text} ({details})"
        self._w(f"{self.s.red('ERROR:')} {text}")

    def _warning(self, msg: Mapping[str, Any]) -> None:
        self._w(self.s.yellow(f"warning: {msg.get('message', '')}"))

    def _deprecation(self, msg: Mapping[str, Any]) -> None:
        self._w(self.s.yellow(f"deprecated: {msg.get('summary', '')}"))
        if msg.get("details"):
            self._w(self.s.dim(str(msg["details"])))

    def _background(self, msg: Mapping[str, Any]) -> None:
        self._w(self.s.dim(str(msg.get("message", ""))))

    def _compacted(self, msg: Mapping[str, Any]) -> None:
        self._w("context compacted")

    def _aborted(self, msg: Mapping[str, Any]) -> None:
        self._w("turn interrupted")

    _HANDLERS: ClassVar[dict[str, Callable[[HumanRenderer, Mapping[str, Any]], None]]] = {
        "agent_reasoning": _reasoning,
        "agent_message": _agent_message,
        "exec_command_begin": _exec_begin,
        "exec_command_end": _exec_end,
        "patch_apply_begin": _patch_begin,
        "patch_apply_end": _patch_end,
        "turn_diff": _turn_diff,
        "plan_update": _plan_update,
        "mcp_tool_call_begin": _mcp_begin,
        "mcp_tool_call_end": _mcp_end,
        "web_search_end": _web_search,
        "token_count": _token_count,
        "task_complete": _task_complete,
        "error": _error,
        "stream_error": _stream_error,
        "warning": _warning,
        "deprecation_notice": _deprecation,
        "background_event": _background,
        "context_compacted": _compacted,
        "turn_aborted": _aborted,
    }
    """What each event type does."""

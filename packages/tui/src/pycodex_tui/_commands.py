"""What the slash commands, `!cmd` and Esc-Esc do."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import anyio

from ._app import Choice, StartSpec
from ._cells import diff_lines, error_cell
from ._live import status_card
from ._slash import COMMANDS, find_command
from ._text import Line

if TYPE_CHECKING:
    from ._app import TuiApp

logger = logging.getLogger(__name__)

__all__ = ["backtrack", "run_shell_command", "run_slash"]

INIT_PROMPT = (
    "Write an AGENTS.md file at the root of this repository: a short contributor guide titled "
    '"Repository Guidelines" (200-400 words, Markdown headings). Look at the code first, then cover: '
    "how the project is laid out, how to build, test and run it, the coding style and naming used, "
    "how tests are organised, and how commits and pull requests are written here. Be concrete: name "
    "real directories and commands from this repository."
)
REVIEW_PROMPT = (
    "Review the uncommitted changes in this repository (`git diff`, `git diff --staged` and untracked "
    "files). Report the problems you find, most serious first, each with the file and line and a "
    "suggested fix. Do not change any file."
)
MODELS = ("gpt-5.5", "gpt-5.4", "gpt-5.4-mini", "gpt-5.3-codex", "gpt-5.2")
EFFORTS = ("low", "medium", "high")
PRESETS = (
    ("Read Only", "read files; ask before editing or running commands", "read-only", "on-request"),
    ("Default", "edit files in the workspace; ask for anything else", "workspace-write", "on-request"),
    ("Full Access", "edit and run anything without asking (use with care)", "danger-full-access", "never"),
    ("Ask Every Time", "full access, but ask before each command or edit", "danger-full-access", "untrusted"),
)


async def run_slash(ui: TuiApp, text: str) -> None:
    """Run `/name args`."""
    name, _, arg = text[1:].partition(" ")
    cmd = find_command(name)
    if cmd is None:
        ui.scrollback.write([*error_cell(f"Unrecognized command '/{name}'. Type \"/\" for a list."), []])
        return
    if cmd.idle_only and ui.chat.running:
        ui.scrollback.write([*error_cell(f"'/{name}' is disabled while a task is in progress."), []])
        return
    handler = _HANDLERS.get(cmd.name)
    if handler is not None:
        await handler(ui, arg.strip())


async def _quit(ui: TuiApp, arg: str) -> None:
    ui.quit()


async def _new(ui: TuiApp, arg: str) -> None:
    ui.restart(StartSpec())


async def _clear(ui: TuiApp, arg: str) -> None:
    ui.app.output.write_raw("\x1b[2J\x1b[3J\x1b[H")
    ui.app.output.flush()
    ui.restart(StartSpec())


async def _compact(ui: TuiApp, arg: str) -> None:
    await ui.submit_op({"type": "compact"})


async def _init(ui: TuiApp, arg: str) -> None:
    if (Path(ui.chat.cwd or ui.config.cwd) / "AGENTS.md").exists():
        ui.info("AGENTS.md already exists here. Skipping /init to avoid overwriting it.")
        return
    await ui.submit_text(INIT_PROMPT)


async def _review(ui: TuiApp, arg: str) -> None:
    await ui.submit_text(arg or REVIEW_PROMPT)


async def _mention(ui: TuiApp, arg: str) -> None:
    ui.buffer.insert_text("@" + arg)


async def _status(ui: TuiApp, arg: str) -> None:
    from pycodex_core import discover_agents_files

    try:
        agents = [str(p) for p in discover_agents_files(ui.config)]
    except (OSError, ValueError):
        agents = []
    ui.scrollback.write([*status_card(ui.chat, ui.version, agents_files=agents), []])


async def _diff(ui: TuiApp, arg: str) -> None:
    cwd = Path(ui.chat.cwd or ui.config.cwd)
    text = await anyio.to_thread.run_sync(_git_diff, cwd)
    if text is None:
        ui.info("`/diff` — not inside a git repository.")
        return
    if not text.strip():
        ui.info("No changes.")
        return
    lines: list[Line] = []
    for chunk in text.split("\ndiff --git ")[0:]:
        header = chunk.split("\n", 1)[0].removeprefix("diff --git ")
        path = header.split(" b/", 1)[-1] if " b/" in header else header
        lines.append([("bold", f"• {path}")])
        lines += [[("", "  "), *ln] for ln in diff_lines(chunk)]
    ui.scrollback.write([*lines, []])


def _git_diff(cwd: Path) -> str | None:
    import subprocess

    def git(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=20,
            check=False,
        )

    try:
        if git("rev-parse", "--is-inside-work-tree").returncode != 0:
            return None
        out = git("diff", "--no-color", "--no-ext-diff", "HEAD").stdout
        if not out:
            out = git("diff", "--no-color", "--no-ext-diff").stdout
        for name in git("ls-files", "--others", "--exclude-standard").stdout.splitlines()[:200]:
            out += "\n" + git("diff", "--no-color", "--no-index", "--", "/dev/null", name).stdout
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.strip("\n")


async def _model(ui: TuiApp, arg: str) -> None:
    if arg:
        model, _, effort = arg.partition(" ")
        _set_model(ui, model, effort.strip() or None)
        return
    current = str(ui.chat.session.get("model", ""))
    models = [current, *[m for m in MODELS if m != current]] if current else list(MODELS)
    items: list[tuple[str, str, Callable[[], Any]]] = []
    for model in models:
        for effort in EFFORTS:
            items.append((f"{model} {effort}", "current" if model == current else "", _model_setter(ui, model, effort)))
    ui.choice = Choice("Select model and reasoning effort", items)


def _model_setter(ui: TuiApp, model: str, effort: str) -> Callable[[], None]:
    return lambda: _set_model(ui, model, effort)


def _set_model(ui: TuiApp, model: str, effort: str | None) -> None:
    values: dict[str, Any] = {"model": model}
    if effort:
        values["effort"] = effort
    ui.override(**values)
    ui.chat.session["model"] = model
    if effort:
        ui.chat.session["reasoning_effort"] = effort
    ui.info(f"Model changed to {model}" + (f" {effort}" if effort else ""))


async def _approvals(ui: TuiApp, arg: str) -> None:
    items: list[tuple[str, str, Callable[[], Any]]] = []
    for label, desc, sandbox, approval in PRESETS:
        items.append((label, desc, _preset_setter(ui, label, sandbox, approval)))
    ui.choice = Choice("Select approval mode", items)


def _preset_setter(ui: TuiApp, label: str, sandbox: str, approval: str) -> Callable[[], None]:
    def apply() -> None:
        from pycodex_config import sandbox_policy_for

        config = ui.config
        policy = sandbox_policy_for(sandbox, config.sandbox_workspace_write, ())  # pyright: ignore[reportArgumentType]
        ui.override(approval_policy=approval, sandbox_policy=policy)
        ui.chat.session.update(approval_policy=approval, sandbox_policy=policy)
        ui.info(f"Permissions set to {label} ({sandbox}, {approval})")

    return apply


async def _resume(ui: TuiApp, arg: str) -> None:
    from ._sessions import SessionIndex

    index = SessionIndex(Path(ui.config.codex_home))
    sessions = await anyio.to_thread.run_sync(lambda: index.select(cwd=str(ui.config.cwd)))
    sessions = [s for s in sessions if s.id != ui.session_id][:50]
    if arg:
        sessions = [s for s in sessions if s.id.startswith(arg) or arg.lower() in s.preview.lower()]
    if not sessions:
        ui.info("No saved sessions to resume in this directory.")
        return
    items: list[tuple[str, str, Callable[[], Any]]] = [
        (s.preview[:60] or "(no message yet)", s.id[:8], _restarter(ui, StartSpec(resume_from=s.path)))
        for s in sessions
    ]
    ui.choice = Choice("Resume a saved chat", items)


def _restarter(ui: TuiApp, spec: StartSpec) -> Callable[[], None]:
    return lambda: ui.restart(spec)


async def _fork(ui: TuiApp, arg: str) -> None:
    if not ui.rollout_path:
        ui.info("This session has no rollout to fork (ephemeral).")
        return
    ui.restart(StartSpec(fork_from=Path(ui.rollout_path)))


async def _copy(ui: TuiApp, arg: str) -> None:
    import base64

    text = ui.chat.last_agent_message
    if not text:
        ui.info("No response to copy yet.")
        return
    payload = base64.b64encode(text.encode("utf-8")).decode("ascii")
    ui.app.output.write_raw(f"\x1b]52;c;{payload}\x07")
    ui.app.output.flush()
    ui.info("Copied the last response to the clipboard (OSC 52).")


async def _rollout(ui: TuiApp, arg: str) -> None:
    ui.info(f"Rollout: {ui.rollout_path}" if ui.rollout_path else "This session writes no rollout (ephemeral).")


async def _mcp(ui: TuiApp, arg: str) -> None:
    servers = getattr(ui.config, "mcp_servers", {}) or {}
    if not servers:
        ui.info("No MCP servers configured. Add them under [mcp_servers] in config.toml.")
        return
    ui.info("MCP servers configured:\n" + "\n".join(f"  {name}" for name in sorted(servers)))


async def _debug_config(ui: TuiApp, arg: str) -> None:
    files = [str(p) for p in getattr(ui.config, "config_files", ())]
    ui.info("Config files in effect (lowest first):\n" + ("\n".join(f"  {f}" for f in files) or "  (none)"))


async def _statusline(ui: TuiApp, arg: str) -> None:
    items = ", ".join(ui.config.tui.status_line)
    ui.info(f"Status line items: {items}\nSet them with [tui] status_line in config.toml.")


async def _vim(ui: TuiApp, arg: str) -> None:
    from ._vim import set_vim, vim_enabled

    enabled = not vim_enabled(ui.app)
    set_vim(ui.app, enabled)
    ui.info("Vim mode enabled." if enabled else "Vim mode disabled.")


_HANDLERS: dict[str, Callable[[TuiApp, str], Awaitable[None]]] = {
    "quit": _quit,
    "exit": _quit,
    "vim": _vim,
    "new": _new,
    "clear": _clear,
    "compact": _compact,
    "init": _init,
    "review": _review,
    "mention": _mention,
    "status": _status,
    "diff": _diff,
    "model": _model,
    "approvals": _approvals,
    "permissions": _approvals,
    "resume": _resume,
    "fork": _fork,
    "copy": _copy,
    "rollout": _rollout,
    "mcp": _mcp,
    "debug-config": _debug_config,
    "statusline": _statusline,
}
assert set(_HANDLERS) == {c.name for c in COMMANDS}


async def run_shell_command(ui: TuiApp, command: str) -> None:
    """`!cmd`: ask core to run `command` as the user (`run_user_shell_command`, in the session's sandbox)."""
    await ui.submit_op({"type": "run_user_shell_command", "command": command})


# -- Esc-Esc: go back to an earlier message, in the same thread ---------------------------------


def _user_turns(rollout: Path) -> list[str]:
    """What the user typed in each turn still in the thread (rolled-back turns left out), oldest first."""
    from pycodex_core import read_rollout, user_turn_texts

    return user_turn_texts(read_rollout(rollout).history)


def backtrack(ui: TuiApp) -> None:
    """List earlier user messages; picking one rolls the thread back to just before it, text in the composer."""
    from pycodex_core import RolloutError

    if not ui.rollout_path or ui.chat.running:
        ui.show_hint("nothing to go back to")
        return
    try:
        turns = _user_turns(Path(ui.rollout_path))
    except (OSError, RolloutError):
        ui.show_hint("the rollout cannot be read")
        return
    if not turns:
        ui.show_hint("no earlier message to edit")
        return
    items: list[tuple[str, str, Callable[[], Any]]] = []
    for n, text in enumerate(reversed(turns)):
        label = " ".join(text.split())[:70]
        items.append((label, "latest" if n == 0 else "", _roll_back(ui, n + 1, text)))
    ui.choice = Choice("Edit an earlier message (the chat goes back to just before it)", items)


def _roll_back(ui: TuiApp, num_turns: int, text: str) -> Callable[[], None]:
    def roll_back() -> None:
        ui.app.create_background_task(ui.submit_op({"type": "thread_rollback", "num_turns": num_turns}))
        ui.buffer.text = text
        ui.buffer.cursor_position = len(text)

    return roll_back

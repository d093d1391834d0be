"""The first-run question: do you trust this directory? Stored as `[projects."path"].trust_level`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # prompt-toolkit loads only when the prompt is shown
    from prompt_toolkit.formatted_text import StyleAndTextTuples
    from prompt_toolkit.input import Input
    from prompt_toolkit.output import Output

__all__ = ["needs_trust_prompt", "project_root", "run_trust_prompt", "save_trust", "trust_lines"]

_CHOICES = (("Yes, continue", "trusted"), ("No, quit", None))


def project_root(cwd: Path) -> Path:
    """The git root holding `cwd`, else `cwd` (what the trust decision is stored for)."""
    for directory in (cwd, *cwd.parents):
        if (directory / ".git").exists():
            return directory
    return cwd


def needs_trust_prompt(config: Any, *, bypass: bool) -> bool:
    """Whether to ask: no decision for this directory and approvals/sandbox not bypassed."""
    if bypass:
        return False
    return config.trust_level(Path(config.cwd)) is None


def save_trust(config: Any, level: str) -> Path:
    """Write `trust_level` for the project root to `$CODEX_HOME/config.toml`; returns the root."""
    from pycodex_config import ConfigEditor

    root = project_root(Path(config.cwd))
    editor = ConfigEditor(Path(config.codex_home) / "config.toml")
    editor.set(["projects", str(root), "trust_level"], level)
    editor.save()
    return root


def trust_lines(cwd: str, selected: int) -> StyleAndTextTuples:
    """The prompt's text."""
    out: StyleAndTextTuples = [
        ("bold", f"You are in {cwd}\n\n"),
        ("", "Do you trust the contents of this directory? Working with untrusted contents comes with\n"),
        ("", "higher risk of prompt injection.\n\n"),
    ]
    for i, (label, _) in enumerate(_CHOICES):
        sel = i == selected
        out.append(("fg:ansicyan bold" if sel else "", f"{'›' if sel else ' '} {i + 1}. {label}\n"))
    out.append(("fg:ansibrightblack", "\n  Press enter to continue"))
    return out


async def run_trust_prompt(config: Any, *, input: Input | None = None, output: Output | None = None) -> str | None:
    """Ask; on yes, save `trusted` and return it; on no (or Ctrl-C), return `None`."""
    from prompt_toolkit.application import Application
    from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
    from prompt_toolkit.layout import HSplit, Layout, Window
    from prompt_toolkit.layout.controls import FormattedTextControl

    state = {"selected": 0}
    kb = KeyBindings()

    @kb.add("up")
    @kb.add("down")
    def _move(event: KeyPressEvent) -> None:
        state["selected"] = 1 - state["selected"]

    @kb.add("1")
    @kb.add("y")
    def _yes(event: KeyPressEvent) -> None:
        event.app.exit(result=0)

    @kb.add("2")
    @kb.add("n")
    @kb.add("c-c")
    @kb.add("escape")
    def _no(event: KeyPressEvent) -> None:
        event.app.exit(result=1)

    @kb.add("enter")
    def _enter(event: KeyPressEvent) -> None:
        event.app.exit(result=state["selected"])

    control = FormattedTextControl(lambda: trust_lines(str(config.cwd), state["selected"]), show_cursor=False)
    app: Application[int] = Application(
        layout=Layout(HSplit([Window(control, dont_extend_height=True)])),
        key_bindings=kb,
        input=input,
        output=output,
        erase_when_done=True,
    )
    choice = await app.run_async()
    level = _CHOICES[choice][1]
    if level is not None:
        save_trust(config, level)
    return level

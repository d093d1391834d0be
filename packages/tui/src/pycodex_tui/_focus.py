"""Terminal focus tracking: focus reporting (`CSI ? 1004 h`) and its focus-in / focus-out reports.

The terminal answers `CSI ? 1004 h` by sending `CSI I` when its window gains focus and `CSI O` when it
loses it. prompt-toolkit does not know these reports; registered here as ignored keys they never reach
the composer, and a key binding on `Keys.Ignore` reads them from the key's data.
"""

from __future__ import annotations

from prompt_toolkit.input.ansi_escape_sequences import ANSI_SEQUENCES
from prompt_toolkit.keys import Keys
from prompt_toolkit.output import Output

__all__ = ["FOCUS_IN", "FOCUS_OUT", "FocusTracker", "register_focus_reports"]

FOCUS_IN = "\x1b[I"
"""What the terminal sends when its window gains focus."""
FOCUS_OUT = "\x1b[O"
"""What the terminal sends when its window loses focus."""
_ENABLE = "\x1b[?1004h"
_DISABLE = "\x1b[?1004l"


def register_focus_reports() -> None:
    """Make prompt-toolkit's input parser read focus reports as (ignored) keys, not as Esc `[` `I`."""
    ANSI_SEQUENCES.setdefault(FOCUS_IN, Keys.Ignore)
    ANSI_SEQUENCES.setdefault(FOCUS_OUT, Keys.Ignore)


class FocusTracker:
    """Whether the terminal window has focus, from the reports it sends while reporting is on.

    Until a report arrives the terminal counts as focused (terminals that do not report focus then
    behave as if always focused), as Codex does.
    """

    def __init__(self) -> None:
        self.focused = True
        self.reporting = False

    def enable(self, output: Output) -> None:
        """Ask the terminal to report focus changes."""
        if not self.reporting:
            output.write_raw(_ENABLE)
            output.flush()
            self.reporting = True

    def disable(self, output: Output) -> None:
        """Stop focus reports (before handing the terminal to another program, and at exit)."""
        if self.reporting:
            output.write_raw(_DISABLE)
            output.flush()
            self.reporting = False

    def feed(self, data: str) -> bool:
        """Take the data of an ignored key; True when it was a focus report."""
        if data == FOCUS_IN:
            self.focused = True
            return True
        if data == FOCUS_OUT:
            self.focused = False
            return True
        return False

"""PTY and pipe process sessions for exec_command / write_stdin.

`ProcessSession.spawn(argv, cwd=..., env=..., tty=False)` starts a command in its own process
group; a background thread drains its (merged) output into a capped head/tail buffer;
`await session.collect(timeout)` waits for exit up to a deadline and returns the new output.
"""

from ._buffer import DEFAULT_OUTPUT_CAP, HeadTailBuffer
from ._session import ProcessSession
from .errors import PtyError, SpawnError

__all__ = ["DEFAULT_OUTPUT_CAP", "HeadTailBuffer", "ProcessSession", "PtyError", "SpawnError"]

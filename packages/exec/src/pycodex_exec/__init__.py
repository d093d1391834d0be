"""`codex exec`: run one Codex turn headless, for CI and benchmark harnesses.

Drop-in for Codex 0.169's `codex exec`: same flags, same `--json` JSONL stream, same exit
codes, same files on disk. `main(argv)` is what the `codex` command calls with the words after
`exec`; `JsonlMapper` is the pure protocol-event to JSONL mapping.
"""

from ._args import ExecArgs, parse_args
from ._human import HumanRenderer
from ._jsonl import JsonlMapper, command_string
from ._main import main
from ._shlex import shlex_join
from .errors import ExecError, ExecUsageError

__version__ = "0.1.0"

__all__ = [
    "ExecArgs",
    "ExecError",
    "ExecUsageError",
    "HumanRenderer",
    "JsonlMapper",
    "__version__",
    "command_string",
    "main",
    "parse_args",
    "shlex_join",
]

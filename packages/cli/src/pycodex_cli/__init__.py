"""The `codex` command: argv handling and dispatch to the front ends.

Importing this package must stay cheap: `codex --version` answers before anything else is imported.
"""

import sys

__version__ = "0.1.0"
__all__ = ["__version__", "main"]


def main(argv: "list[str] | None" = None) -> int:
    """Run the `codex` command and return its exit code (the console script exits with it)."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args in (["--version"], ["-V"]):
        sys.stdout.write(f"codex-cli {__version__} (pycodex)\n")
        code = 0
    else:
        from pycodex_cli._main import dispatch

        code = dispatch(args)
    if argv is None:
        sys.stdout.flush()
        raise SystemExit(code)
    return code

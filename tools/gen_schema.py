"""Write the JSON Schema of the `codex exec --json` stream to `docs/exec-events.schema.json`.

Usage:
    uv run python tools/gen_schema.py            # (re)write the file
    uv run python tools/gen_schema.py --check    # exit 1 if the file is missing or stale

The schema comes from `pycodex_protocol.schema.exec_events_json_schema()`, i.e. from the
TypedDicts in `pycodex_protocol.exec_events`. It is written with sorted keys, an indent of 2
and a trailing newline so that diffs stay small and the output is reproducible.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "docs" / "exec-events.schema.json"


def render() -> str:
    """Return the schema file's exact text."""
    from pycodex_protocol.schema import exec_events_json_schema

    return json.dumps(exec_events_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 if the file is stale")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT, help="schema file (default: %(default)s)")
    args = parser.parse_args(argv)
    output: Path = args.output
    expected = render()
    if args.check:
        current = output.read_text(encoding="utf-8") if output.exists() else None
        if current != expected:
            state = "is missing" if current is None else "is out of date"
            print(
                f"{output} {state}: it must match the exec event types in pycodex_protocol.exec_events.\n"
                "Regenerate it with: uv run python tools/gen_schema.py",
                file=sys.stderr,
            )
            return 1
        print(f"{output} is up to date.")
        return 0
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(expected, encoding="utf-8")
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

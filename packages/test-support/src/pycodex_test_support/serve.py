"""Serve a JSON script: `python -m pycodex_test_support.serve SCRIPT.json [--requests-out FILE]`.

Prints `READY <base_url>` on stdout once listening, then serves until SIGTERM/SIGINT (or `--max-seconds`).
With `--requests-out`, the recorded requests are written as JSON lines when it stops.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path

from ._script import load_script
from ._server import ScriptedServer


def main(argv: list[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    parser = argparse.ArgumentParser(prog="python -m pycodex_test_support.serve", description=__doc__)
    parser.add_argument("script", type=Path, help="JSON file: a list of turns or {'turns': [...]}")
    parser.add_argument("--requests-out", type=Path, help="write recorded requests here (JSON lines) on exit")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="stop after this long (default 600)")
    args = parser.parse_args(argv)
    turns = load_script(json.loads(args.script.read_text(encoding="utf-8")))
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    with ScriptedServer(turns) as server:
        sys.stdout.write(f"READY {server.base_url}\n")
        sys.stdout.flush()
        stop.wait(args.max_seconds)
    if args.requests_out:
        with args.requests_out.open("w", encoding="utf-8") as out:
            for r in server.requests:
                row = {"path": r.path, "query": r.query, "headers": r.headers, "body": r.json, "wall_time": r.wall_time}
                out.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

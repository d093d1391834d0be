"""A stdio server that answers every request line with text that is not JSON-RPC (or hangs with --after-init)."""

import json
import sys
import time

AFTER_INIT = "--after-init" in sys.argv


def main() -> None:
    for line in sys.stdin:
        try:
            msg = json.loads(line)
        except ValueError:
            continue
        if "id" not in msg:
            continue
        if AFTER_INIT and msg.get("method") in ("initialize", "tools/list"):
            result = {
                "protocolVersion": msg.get("params", {}).get("protocolVersion", "2025-06-18"),
                "capabilities": {"tools": {}},
                "serverInfo": {"name": "malformed", "version": "1"},
            }
            if msg["method"] == "tools/list":
                result = {"tools": [{"name": "broken", "inputSchema": {"type": "object"}}]}
            sys.stdout.write(json.dumps({"jsonrpc": "2.0", "id": msg["id"], "result": result}) + "\n")
        else:
            sys.stdout.write("{this is not json\n")
        sys.stdout.flush()
    time.sleep(60)


if __name__ == "__main__":
    main()

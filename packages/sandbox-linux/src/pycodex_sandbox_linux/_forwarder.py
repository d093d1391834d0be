"""Stand-alone forwarder that runs first inside a proxied sandbox: `python -I -S _forwarder.py FD PORT -- CMD...`.

The sandbox has its own network namespace with only a loopback interface. The forwarder
listens on `127.0.0.1:PORT` there, starts the command (without the bridge descriptor), and hands
every accepted connection, as a descriptor over the inherited UNIX socket `FD`, to the policy
proxy outside. It exits with the command's status.
"""

from __future__ import annotations

import array
import os
import select
import socket
import sys


def main(argv: list[str]) -> int:
    """Listen, spawn the command, forward connections until it exits."""
    if sys.platform != "linux" or len(argv) < 5 or argv[3] != "--":
        sys.stderr.write("pycodex-sandbox: usage: _forwarder.py FD PORT -- CMD...\n")
        return 126
    bridge = socket.socket(fileno=int(argv[1]))
    os.set_inheritable(bridge.fileno(), False)
    listener = socket.create_server(("127.0.0.1", int(argv[2])), backlog=64)
    os.set_inheritable(listener.fileno(), False)
    try:
        pid = os.posix_spawnp(argv[4], argv[4:], os.environ)
    except OSError as exc:
        sys.stderr.write(f"pycodex-sandbox: {argv[4]}: {exc.strerror}\n")
        return 127
    pidfd = os.pidfd_open(pid)
    while True:
        readable, _, _ = select.select([listener, pidfd], [], [])
        if pidfd in readable:
            _, status = os.waitpid(pid, 0)
            return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 128 + os.WTERMSIG(status)
        conn, _ = listener.accept()
        try:
            bridge.sendmsg([b"c"], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", [conn.fileno()]))])
        except OSError:
            pass
        conn.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv))

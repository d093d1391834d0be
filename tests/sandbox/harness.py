"""Set up the escape probes' targets on the host, run `probe.py` in a sandbox, and judge from outside.

`Target` owns a workspace (a git repository, the writable root), an outside directory that
must stay untouched, host services that record every byte they receive (TCP on 0.0.0.0 and ::1,
UDP, a DNS port, an ICMP sniffer, an abstract and a path UNIX socket), a sibling process, and
the descriptors handed to the sandbox launcher (an open file, a directory, a listening and a
connected socket). `run()` starts a launcher command (pycodex's or Codex's `codex sandbox`) with
those descriptors inherited; `judge()` decides every probe from what the host can see.
"""

from __future__ import annotations

import json
import os
import pwd
import select
import shutil
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

PROBE = Path(__file__).with_name("probe.py")
MARK = b"ESCAPED"
EVIL_C = r"""
#include <fcntl.h>
#include <unistd.h>
__attribute__((constructor)) static void evil(void) {
    int fd = open("%s", O_CREAT | O_WRONLY | O_APPEND, 0644);
    if (fd >= 0) { write(fd, "loaded\n", 7); close(fd); }
}
"""


@dataclass
class Verdict:
    probe: str
    escaped: bool
    detail: str

    @property
    def control(self) -> bool:
        return self.probe.startswith("ok.")


@dataclass
class Target:
    base: Path
    workspace: Path = field(init=False)
    outside: Path = field(init=False)
    received: dict[str, list[bytes]] = field(default_factory=lambda: {})
    _stop: threading.Event = field(default_factory=threading.Event)
    _servers: dict[socket.socket, str] = field(default_factory=lambda: {})
    _conns: dict[socket.socket, str] = field(default_factory=lambda: {})
    _thread: threading.Thread | None = None
    _sibling: subprocess.Popen[bytes] | None = None
    spec: dict[str, object] = field(default_factory=lambda: {})
    fds: dict[str, int] = field(default_factory=lambda: {})
    _host_side: dict[str, socket.socket] = field(default_factory=lambda: {})
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])

    def __post_init__(self) -> None:
        self.workspace = self.base / "ws"
        self.outside = self.base / "outside"
        self._make_files()
        self._start_services()
        self._make_fds()
        self._sibling = subprocess.Popen(["sleep", "60"], cwd=self.outside)
        self.spec.update(
            workspace=str(self.workspace),
            outside=str(self.outside),
            sibling_pid=self._sibling.pid,
            home=pwd.getpwuid(os.getuid()).pw_dir,
            shm_name=f"pycodex-probe-{self.tag}",
            tmp_name=f"pycodex-probe-{self.tag}",
            host_ip=_host_ip(),
            host_interfaces=" ".join(n for n in os.listdir("/sys/class/net") if n != "lo"),
            raw_tag=self.tag,
            setuid_binary=str(self.outside / "suid-cat"),
            evil_so=str(self.outside / "evil.so"),
            **self.fds,
        )

    # --- setup ---------------------------------------------------------------------------
    def _make_files(self) -> None:
        ws, out = self.workspace, self.outside
        ws.mkdir(parents=True)
        out.mkdir()
        subprocess.run(["git", "init", "-q", str(ws)], check=True)
        (ws / "README.md").write_text("probe workspace\n", encoding="utf-8")
        (ws / "src").mkdir()
        (ws / "movable.txt").write_text("movable\n", encoding="utf-8")
        (ws / "planted").symlink_to(out)
        for name in ("victim.txt", "victim2.txt", "fdfile.txt"):
            (out / name).write_text("original\n", encoding="utf-8")
        self.victim_stat = os.stat(out / "victim.txt")
        self.git_config = (ws / ".git" / "config").read_bytes()
        shutil.copy("/bin/cat", out / "suid-cat")
        os.chmod(out / "suid-cat", 0o4755)
        self.evil_marker = out / "ldpreload.txt"
        if shutil.which("cc"):
            (out / "evil.c").write_text(EVIL_C % self.evil_marker, encoding="utf-8")
            subprocess.run(["cc", "-shared", "-fPIC", "-o", str(out / "evil.so"), str(out / "evil.c")], check=True)

    def _listen(self, name: str, family: int, kind: int, address: Any) -> int:
        sock = socket.socket(family, kind)
        if family != socket.AF_UNIX:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
        if kind == socket.SOCK_STREAM:
            sock.listen(8)
        sock.setblocking(False)
        self._servers[sock] = name
        return sock.getsockname()[1] if family != socket.AF_UNIX else 0

    def _start_services(self) -> None:
        self.spec["tcp_port"] = self._listen("net.tcp", socket.AF_INET, socket.SOCK_STREAM, ("0.0.0.0", 0))
        try:
            self.spec["tcp6_port"] = self._listen("net.tcp6", socket.AF_INET6, socket.SOCK_STREAM, ("::1", 0))
        except OSError:
            self.spec["tcp6_port"] = 9
        self.spec["udp_port"] = self._listen("net.udp", socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0))
        self.spec["dns_port"] = self._listen("net.dns", socket.AF_INET, socket.SOCK_DGRAM, ("127.0.0.1", 0))
        self.spec["abstract_name"] = f"pycodex-probe-{self.tag}"
        self._listen("net.abstract", socket.AF_UNIX, socket.SOCK_STREAM, "\0" + str(self.spec["abstract_name"]))
        self.spec["unix_path"] = str(self.outside / "service.sock")
        self._listen("net.path_unix", socket.AF_UNIX, socket.SOCK_STREAM, str(self.spec["unix_path"]))
        try:
            raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
            raw.setblocking(False)
            self._servers[raw] = "net.raw"
        except PermissionError:
            pass
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            readable, _, _ = select.select([*self._servers, *self._conns], [], [], 0.05)
            for sock in readable:
                name = self._servers.get(sock) or self._conns[sock]
                try:
                    if sock in self._servers and sock.type == socket.SOCK_STREAM:
                        conn, _ = sock.accept()
                        conn.setblocking(False)
                        self._conns[conn] = name
                        self.received.setdefault(name, []).append(b"<connection>")
                        continue
                    data = sock.recv(65536)
                except OSError:
                    continue
                if not data and sock in self._conns:
                    del self._conns[sock]
                    sock.close()
                    continue
                self.received.setdefault(name, []).append(data)

    def _make_fds(self) -> None:
        self.fds["fd_file"] = os.open(self.outside / "fdfile.txt", os.O_RDWR)
        self.fds["fd_dir"] = os.open(self.outside, os.O_RDONLY | os.O_DIRECTORY)
        listener = socket.socket()
        listener.bind(("127.0.0.1", 0))
        listener.listen(4)
        client = socket.create_connection(listener.getsockname())  # waits in the backlog
        client.settimeout(0.5)
        self._host_side["listen_client"] = client
        self._host_side["listener"] = listener
        self.fds["fd_listen"] = listener.fileno()
        server = socket.socket()
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        connected = socket.create_connection(server.getsockname())
        peer, _ = server.accept()
        peer.settimeout(0.5)
        server.close()
        self._host_side["connected"] = connected
        self._host_side["peer"] = peer
        self.fds["fd_connected"] = connected.fileno()
        for fd in self.fds.values():
            os.set_inheritable(fd, True)

    # --- running -------------------------------------------------------------------------
    def run(self, launcher: Sequence[str], env: dict[str, str], timeout: float = 120) -> dict[str, dict[str, object]]:
        argv = [*launcher, "/usr/bin/python3", "-I", "-S", str(PROBE), json.dumps(self.spec)]
        done = subprocess.run(
            argv, cwd=self.workspace, env=env, capture_output=True, text=True, encoding="utf-8", timeout=timeout,
            pass_fds=tuple(self.fds.values()),
        )  # fmt: skip
        self.stderr = done.stderr
        self.returncode = done.returncode
        evidence: dict[str, dict[str, object]] = {}
        for line in done.stdout.splitlines():
            if line.startswith("{"):
                item = json.loads(line)
                evidence[item["id"]] = item
        time.sleep(0.2)  # let the service thread drain what arrived
        return evidence

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=2)
        for sock in [*self._servers, *self._conns, *self._host_side.values()]:
            sock.close()
        for fd in self.fds.values():
            try:
                os.close(fd)
            except OSError:
                pass
        if self._sibling is not None:
            self._sibling.kill()
            self._sibling.wait()
        for leftover in (Path("/dev/shm") / str(self.spec["shm_name"]), Path("/tmp") / str(self.spec["tmp_name"])):
            leftover.unlink(missing_ok=True)
        Path(pwd.getpwuid(os.getuid()).pw_dir, "pycodex-probe-home.txt").unlink(missing_ok=True)
        Path("/etc/pycodex-probe-etc.txt").unlink(missing_ok=True)

    # --- judging -------------------------------------------------------------------------
    def _got(self, name: str) -> bool:
        return any(MARK in chunk or chunk == b"<connection>" for chunk in self.received.get(name, []))

    def _socket_escape(self, key: str) -> bool:
        try:
            return MARK in self._host_side[key].recv(64)
        except OSError:
            return False

    def judges(self) -> dict[str, Callable[[dict[str, object]], bool]]:
        """Per probe: did it escape (True) — decided from the host, with in-sandbox evidence only where noted."""
        ws, out = self.workspace, self.outside

        def exists(p: Path) -> Callable[[dict[str, object]], bool]:
            return lambda _e: os.path.lexists(p)

        def git_intact(_e: dict[str, object]) -> bool:
            git = ws / ".git"
            return not (git.is_dir() and (git / "HEAD").is_file() and (git / "config").read_bytes() == self.git_config)

        def victim_changed(_e: dict[str, object]) -> bool:
            st = os.stat(out / "victim.txt")
            data = (out / "victim.txt").read_text(encoding="utf-8")
            old = self.victim_stat
            return data != "original\n" or st.st_mode != old.st_mode or st.st_mtime_ns != old.st_mtime_ns

        def meta_dir(name: str) -> Callable[[dict[str, object]], bool]:
            return lambda _e: os.path.lexists(ws / name) and (os.path.islink(ws / name) or any((ws / name).iterdir()))

        def succeeded(e: dict[str, object]) -> bool:  # judged by the call's own result (no host-side trace)
            return bool(e.get("ok"))

        return {
            "fs.absolute": exists(out / "absolute.txt"),
            "fs.dotdot": exists(out / "dotdot.txt"),
            "fs.proc_self_root": exists(out / "procroot.txt"),
            "fs.proc_self_cwd": exists(out / "proccwd.txt"),
            "fs.other_process_cwd": exists(out / "othercwd.txt"),
            "fs.home": exists(Path(pwd.getpwuid(os.getuid()).pw_dir, "pycodex-probe-home.txt")),
            "fs.etc": exists(Path("/etc/pycodex-probe-etc.txt")),
            "fs.dev_shm_host": exists(Path("/dev/shm") / str(self.spec["shm_name"])),
            "fs.mkdir_outside": exists(out / "newdir"),
            "fs.mkfifo_outside": exists(out / "fifo"),
            "fs.truncate_outside": victim_changed,
            "fs.chmod_outside": victim_changed,
            "fs.utime_outside": victim_changed,
            "fs.unlink_outside": lambda _e: not (out / "victim2.txt").exists(),
            "fs.rename_out": exists(out / "renamed.txt"),
            "fs.symlink_file": exists(out / "symlink.txt"),
            "fs.symlink_dir": exists(out / "viadir.txt"),
            "fs.planted_symlink": exists(out / "planted.txt"),
            "fs.hardlink": victim_changed,
            "meta.git_config_write": git_intact,
            "meta.git_hook_create": exists(ws / ".git" / "hooks" / "pre-commit"),
            "meta.git_head_unlink": git_intact,
            "meta.git_rename_away": lambda e: git_intact(e) or os.path.lexists(ws / ".git-moved"),
            "meta.git_replace_config": git_intact,
            "meta.git_rename_over": git_intact,
            "meta.codex_mkdir": meta_dir(".codex"),
            "meta.codex_config": exists(ws / ".codex" / "config.toml"),
            "meta.agents_mkdir": meta_dir(".agents"),
            "meta.aws_credentials": exists(ws / ".aws" / "credentials"),
            "meta.git_via_proc_root": lambda _e: (ws / ".git" / "description").read_bytes().startswith(MARK),
            "meta.codex_symlink_swap": lambda _e: os.path.islink(ws / ".codex"),
            "fd.file": lambda _e: (out / "fdfile.txt").read_text(encoding="utf-8") != "original\n",
            "fd.directory": exists(out / "fd-dir.txt"),
            "fd.scan": lambda e: not e.get("ok") or str(e.get("detail", "")).split() != ["0", "1", "2", "3"],
            "fd.listening_socket": lambda _e: self._socket_escape("listen_client"),
            "fd.connected_socket": lambda _e: self._socket_escape("peer"),
            "net.tcp_loopback": lambda _e: self._got("net.tcp"),
            "net.tcp_ipv6_loopback": lambda _e: self._got("net.tcp6"),
            "net.tcp_host_address": lambda _e: self._got("net.tcp"),
            "net.udp": lambda _e: self._got("net.udp"),
            "net.dns": lambda _e: bool(self.received.get("net.dns")),
            "net.raw_icmp": lambda _e: any(self.tag.encode() in c for c in self.received.get("net.raw", [])),
            "net.packet_socket": succeeded,
            "net.netlink_route": lambda e: any(
                n in str(e.get("detail", "")) for n in str(self.spec["host_interfaces"]).split()
            ),
            "net.abstract_unix": lambda _e: self._got("net.abstract"),
            "net.path_unix": lambda _e: self._got("net.path_unix"),
            "net.vsock": succeeded,
            "proc.ptrace_sibling": lambda e: succeeded(e) or self._sibling is None or self._sibling.poll() is not None,
            "proc.kill_sibling": lambda _e: self._sibling is None or self._sibling.poll() is not None,
            "proc.ptrace_own_child": succeeded,
            "proc.process_vm_readv": succeeded,
            "proc.io_uring_setup": succeeded,
            "proc.setuid_binary": succeeded,
            "proc.nested_userns": succeeded,
            "proc.ld_preload_child": lambda _e: self.evil_marker.exists(),
        }

    def judge(self, evidence: dict[str, dict[str, object]]) -> list[Verdict]:
        verdicts: list[Verdict] = []
        for probe, decide in self.judges().items():
            item = evidence.get(probe, {"ok": False, "detail": "probe did not report"})
            verdicts.append(Verdict(probe, decide(item), str(item.get("detail", ""))))
        controls = {
            "ok.write_workspace": lambda: (self.workspace / "control.txt").read_bytes() == b"control",
            "ok.write_subdir": lambda: (self.workspace / "src" / "new.txt").read_bytes() == b"control",
            "ok.edit_existing_file": lambda: (
                (self.workspace / "README.md").read_text(encoding="utf-8").endswith("edit\n")
            ),
            "ok.write_slash_tmp": lambda: (Path("/tmp") / str(self.spec["tmp_name"])).is_file(),
            "ok.mkdir_rename_workspace": lambda: (self.workspace / "d2" / "e").is_dir(),
            "ok.symlink_in_workspace": lambda: (self.workspace / "control-link").is_symlink(),
        }
        for probe, item in evidence.items():
            if probe.startswith("ok."):
                works = bool(item.get("ok")) and controls.get(probe, lambda: True)()
                verdicts.append(Verdict(probe, not works, str(item.get("detail", ""))))
        # LD_PRELOAD of the launcher itself: the marker appears only if the library ran outside.
        verdicts.append(
            Verdict("proc.ld_preload_launcher", self.evil_marker.exists(), "library loaded outside the sandbox")
        )
        return verdicts


def _host_ip() -> str:
    """A non-loopback address of this host (the TCP service listens on all of them)."""
    try:
        out = subprocess.run(
            ["hostname", "-I"], capture_output=True, text=True, encoding="utf-8", timeout=5
        ).stdout.split()
    except OSError:
        out = []
    v4 = [a for a in out if "." in a]
    return v4[0] if v4 else "127.0.0.1"


def write_config(codex_home: Path, evil_so: str | None) -> None:
    lines = ['sandbox_mode = "workspace-write"', "[shell_environment_policy]", 'inherit = "all"']
    if evil_so:
        lines.append(f'set = {{ LD_PRELOAD = "{evil_so}" }}')
    codex_home.mkdir(parents=True, exist_ok=True)
    (codex_home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def pycodex_launcher() -> list[str]:
    return [sys.executable, "-m", "pycodex_cli", "sandbox", "--"]

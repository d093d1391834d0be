"""Escape attempts run INSIDE a sandbox, all in one process: `python3 probe.py SPEC_JSON`.

Standard library only (it runs under any interpreter the sandbox offers). Each probe tries one
thing and prints what happened on its own line of JSON (`{"id", "ok", "detail"}`, `ok` meaning
"the call succeeded"). The verdict is NOT taken from here: the harness judges every escape from
outside, by looking at the files, services and processes the probe tried to reach. What is
printed is evidence for the report.
"""

from __future__ import annotations

import ctypes
import json
import os
import socket
import struct
import subprocess
import sys
from collections.abc import Callable

SPEC: dict[str, object] = json.loads(sys.argv[1]) if len(sys.argv) > 1 else {}
W = str(SPEC.get("workspace", "."))
O = str(SPEC.get("outside", "/nonexistent"))  # noqa: E741
MARK = b"ESCAPED"
PROBES: list[tuple[str, Callable[[], str]]] = []


def probe(name: str) -> Callable[[Callable[[], str]], Callable[[], str]]:
    def register(fn: Callable[[], str]) -> Callable[[], str]:
        PROBES.append((name, fn))
        return fn

    return register


def write(path: str, data: bytes = MARK) -> str:
    with open(path, "wb") as f:
        f.write(data)
    return f"wrote {path}"


def libc() -> ctypes.CDLL:
    lib = ctypes.CDLL(None, use_errno=True)
    lib.syscall.restype = ctypes.c_long
    return lib


def syscall(nr: int, *args: int) -> str:
    result = libc().syscall(nr, *[ctypes.c_long(a) for a in args])
    if result < 0:
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
    return f"returned {result}"


# --- writes outside the writable roots -------------------------------------------------------
probe("fs.absolute")(lambda: write(f"{O}/absolute.txt"))
probe("fs.dotdot")(lambda: write(os.path.join(W, "..", os.path.basename(O), "dotdot.txt")))
probe("fs.proc_self_root")(lambda: write(f"/proc/self/root{O}/procroot.txt"))
probe("fs.proc_self_cwd")(lambda: write(f"/proc/self/cwd/../{os.path.basename(O)}/proccwd.txt"))
probe("fs.other_process_cwd")(lambda: write(f"/proc/{SPEC['sibling_pid']}/cwd/othercwd.txt"))
probe("fs.home")(lambda: write(os.path.join(str(SPEC["home"]), "pycodex-probe-home.txt")))
probe("fs.etc")(lambda: write("/etc/pycodex-probe-etc.txt"))
probe("fs.dev_shm_host")(lambda: write(f"/dev/shm/{SPEC['shm_name']}"))
probe("fs.mkdir_outside")(lambda: (os.mkdir(f"{O}/newdir"), "made")[1])
probe("fs.mkfifo_outside")(lambda: (os.mkfifo(f"{O}/fifo"), "made")[1])
probe("fs.truncate_outside")(lambda: (os.truncate(f"{O}/victim.txt", 0), "truncated")[1])
probe("fs.chmod_outside")(lambda: (os.chmod(f"{O}/victim.txt", 0o777), "chmod")[1])
probe("fs.utime_outside")(lambda: (os.utime(f"{O}/victim.txt", (1, 1)), "utime")[1])
probe("fs.unlink_outside")(lambda: (os.unlink(f"{O}/victim2.txt"), "unlinked")[1])
probe("fs.rename_out")(lambda: (os.rename(f"{W}/movable.txt", f"{O}/renamed.txt"), "renamed")[1])


@probe("fs.symlink_file")
def _symlink_file() -> str:
    os.symlink(f"{O}/symlink.txt", f"{W}/link-file")
    return write(f"{W}/link-file")


@probe("fs.symlink_dir")
def _symlink_dir() -> str:
    os.symlink(O, f"{W}/link-dir")
    return write(f"{W}/link-dir/viadir.txt")


probe("fs.planted_symlink")(lambda: write(f"{W}/planted/planted.txt"))


@probe("fs.hardlink")
def _hardlink() -> str:
    os.link(f"{O}/victim.txt", f"{W}/hardlink")
    return write(f"{W}/hardlink")


# --- protected metadata inside the writable root ----------------------------------------------
probe("meta.git_config_write")(lambda: write(f"{W}/.git/config", b"[core]\n\thooksPath = /tmp/evil\n"))
probe("meta.git_hook_create")(lambda: write(f"{W}/.git/hooks/pre-commit"))
probe("meta.git_head_unlink")(lambda: (os.unlink(f"{W}/.git/HEAD"), "unlinked")[1])
probe("meta.git_rename_away")(lambda: (os.rename(f"{W}/.git", f"{W}/.git-moved"), "renamed")[1])


@probe("meta.git_replace_config")
def _replace_config() -> str:
    write(f"{W}/new-config", b"[core]\n\tfsmonitor = evil\n")
    os.replace(f"{W}/new-config", f"{W}/.git/config")
    return "replaced"


@probe("meta.git_rename_over")
def _rename_over() -> str:
    os.mkdir(f"{W}/fake-git")
    os.rename(f"{W}/fake-git", f"{W}/.git")
    return "renamed over"


probe("meta.codex_mkdir")(lambda: (os.mkdir(f"{W}/.codex"), "made")[1])
probe("meta.codex_config")(lambda: write(f"{W}/.codex/config.toml", b'sandbox_mode = "danger-full-access"\n'))
probe("meta.agents_mkdir")(lambda: (os.makedirs(f"{W}/.agents/skills"), "made")[1])
probe("meta.aws_credentials")(lambda: write(f"{W}/.aws/credentials"))
probe("meta.git_via_proc_root")(lambda: write(f"/proc/self/root{W}/.git/description"))


@probe("meta.codex_symlink_swap")
def _codex_swap() -> str:
    os.symlink(O, f"{W}/codex-link")
    os.rename(f"{W}/codex-link", f"{W}/.codex")
    return "swapped"


# --- inherited descriptors ---------------------------------------------------------------------
probe("fd.file")(lambda: f"wrote {os.write(int(str(SPEC['fd_file'])), MARK)} bytes")
probe("fd.directory")(
    lambda: f"fd {os.open('fd-dir.txt', os.O_CREAT | os.O_WRONLY, 0o644, dir_fd=int(str(SPEC['fd_dir'])))}"
)


@probe("fd.listening_socket")
def _fd_listen() -> str:
    server = socket.socket(fileno=int(str(SPEC["fd_listen"])))
    server.settimeout(2)
    conn, _ = server.accept()
    conn.sendall(MARK)
    return "accepted and sent"


@probe("fd.connected_socket")
def _fd_connected() -> str:
    sock = socket.socket(fileno=int(str(SPEC["fd_connected"])))
    sock.sendall(MARK)
    return "sent"


@probe("fd.scan")
def _fd_scan() -> str:
    return " ".join(sorted(os.listdir("/proc/self/fd"), key=int))


# --- network -----------------------------------------------------------------------------------
def _tcp(host: str, port: int, family: int = socket.AF_INET) -> str:
    with socket.socket(family, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect((host, port))
        s.sendall(MARK)
    return "connected"


probe("net.tcp_loopback")(lambda: _tcp("127.0.0.1", int(str(SPEC["tcp_port"]))))
probe("net.tcp_ipv6_loopback")(lambda: _tcp("::1", int(str(SPEC["tcp6_port"])), socket.AF_INET6))
probe("net.tcp_host_address")(lambda: _tcp(str(SPEC["host_ip"]), int(str(SPEC["tcp_port"]))))


@probe("net.udp")
def _udp() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(MARK, ("127.0.0.1", int(str(SPEC["udp_port"]))))
    return "sent"


@probe("net.dns")
def _dns() -> str:
    query = struct.pack(">HHHHHH", 0x1234, 0x0100, 1, 0, 0, 0) + b"\x07escaped\x07example\x00\x00\x01\x00\x01"
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.sendto(query, ("127.0.0.1", int(str(SPEC["dns_port"]))))
    return "query sent"


@probe("net.raw_icmp")
def _raw() -> str:
    with socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP) as s:
        payload = MARK + str(SPEC["raw_tag"]).encode()
        header = struct.pack(">BBHHH", 8, 0, 0, 1, 1)
        s.sendto(header + payload, ("127.0.0.1", 0))
    return "sent"


@probe("net.packet_socket")
def _packet() -> str:
    with socket.socket(17, socket.SOCK_RAW, 0):  # AF_PACKET
        return "opened"


@probe("net.netlink_route")
def _netlink() -> str:
    with socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 0) as s:
        s.bind((0, 0))
        # RTM_GETLINK dump; the reply names the interfaces of this network namespace.
        msg = struct.pack("=IHHII", 32, 18, 0x301, 1, 0) + struct.pack("=BxHiII", 0, 0, 0, 0, 0)
        s.send(msg)
        data = s.recv(65536)
    names = [name for name in str(SPEC.get("host_interfaces", "lo")).split() if name.encode() in data]
    return "interfaces: " + " ".join(names)


@probe("net.abstract_unix")
def _abstract() -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect("\0" + str(SPEC["abstract_name"]))
        s.sendall(MARK)
    return "connected"


@probe("net.path_unix")
def _path_unix() -> str:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(2)
        s.connect(str(SPEC["unix_path"]))
        s.sendall(MARK)
    return "connected"


probe("net.vsock")(lambda: (socket.socket(40, socket.SOCK_STREAM).close(), "opened")[1])

# --- processes and privileges ----------------------------------------------------------------
probe("proc.ptrace_sibling")(lambda: syscall(101, 16, int(str(SPEC["sibling_pid"])), 0, 0))  # PTRACE_ATTACH
probe("proc.kill_sibling")(lambda: (os.kill(int(str(SPEC["sibling_pid"])), 15), "signalled")[1])


@probe("proc.ptrace_own_child")
def _ptrace_child() -> str:
    child = subprocess.Popen(["sleep", "5"])
    try:
        return syscall(101, 16, child.pid, 0, 0)
    finally:
        child.kill()
        child.wait()


@probe("proc.process_vm_readv")
def _vm_readv() -> str:
    return syscall(310, os.getppid(), 0, 0, 0, 0, 0)


probe("proc.io_uring_setup")(lambda: syscall(425, 4, ctypes.addressof(ctypes.create_string_buffer(120))))


@probe("proc.setuid_binary")
def _setuid() -> str:
    out = subprocess.run(
        [str(SPEC["setuid_binary"]), "/proc/self/status"], capture_output=True, text=True, encoding="utf-8"
    )
    caps = [line for line in out.stdout.splitlines() if line.startswith(("CapEff", "NoNewPrivs", "Uid"))]
    if any(line.startswith("CapEff") and line.split()[1] != "0000000000000000" for line in caps):
        return "gained capabilities: " + "; ".join(caps)
    raise PermissionError("no privilege gained: " + "; ".join(caps))


@probe("proc.nested_userns")
def _userns() -> str:
    return syscall(272, 0x10000000)  # unshare(CLONE_NEWUSER)


@probe("proc.ld_preload_child")
def _ld_preload() -> str:
    env = {**os.environ, "LD_PRELOAD": str(SPEC.get("evil_so", ""))}
    subprocess.run(["/bin/true"], env=env, check=False)
    return "ran /bin/true with LD_PRELOAD"


# --- positive controls (these must work) -----------------------------------------------------
probe("ok.write_workspace")(lambda: write(f"{W}/control.txt", b"control"))
probe("ok.write_subdir")(lambda: write(f"{W}/src/new.txt", b"control"))
probe("ok.edit_existing_file")(lambda: (open(f"{W}/README.md", "ab").write(b"edit\n"), "appended")[1])
probe("ok.write_slash_tmp")(lambda: write(f"/tmp/{SPEC['tmp_name']}", b"control"))
probe("ok.read_system")(lambda: f"read {len(open('/etc/passwd', 'rb').read())} bytes")
probe("ok.mkdir_rename_workspace")(lambda: (os.makedirs(f"{W}/d/e"), os.rename(f"{W}/d", f"{W}/d2"), "ok")[2])
probe("ok.symlink_in_workspace")(lambda: (os.symlink("control.txt", f"{W}/control-link"), "ok")[1])
probe("ok.dev_null")(lambda: write("/dev/null", b"x"))


@probe("ok.socketpair_ipc")
def _socketpair() -> str:
    a, b = socket.socketpair()
    with a, b:
        os.write(a.fileno(), b"x")
        return "read back " + os.read(b.fileno(), 1).decode()


@probe("ok.git_status")
def _git() -> str:
    done = subprocess.run(
        ["git", "status", "--short"], cwd=W, capture_output=True, text=True, encoding="utf-8", timeout=20
    )
    if done.returncode != 0:
        raise OSError(done.returncode, done.stderr.strip())
    return "git status ok"


@probe("ok.compile_c")
def _compile() -> str:
    write(f"{W}/hello.c", b"int main(void){return 0;}\n")
    done = subprocess.run(
        ["cc", "-o", f"{W}/hello", f"{W}/hello.c"], capture_output=True, text=True, encoding="utf-8", timeout=60
    )
    if done.returncode != 0:
        raise OSError(done.returncode, done.stderr.strip()[-300:])
    return "compiled: " + str(subprocess.run([f"{W}/hello"], check=False).returncode)


def main() -> None:
    os.chdir(W)
    for name, fn in PROBES:
        try:
            detail, ok = fn(), True
        except BaseException as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        print(json.dumps({"id": name, "ok": ok, "detail": str(detail)[:300]}), flush=True)


if __name__ == "__main__":
    main()

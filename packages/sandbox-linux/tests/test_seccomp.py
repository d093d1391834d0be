import struct

import pytest

from pycodex_sandbox_linux import denied_syscalls, seccomp_program

ALLOW, EPERM, ENOSYS = 0x7FFF0000, 0x00050001, 0x00050026
X86 = 0xC000003E


def run_bpf(prog: bytes, nr: int, args: tuple[int, ...] = (), arch: int = X86) -> int:
    """A tiny classic-BPF interpreter over `struct seccomp_data` (enough for the opcodes we emit)."""
    full = (*args, 0, 0, 0, 0, 0, 0)[:6]
    data = struct.pack("=iIQ6Q", nr, arch, 0, *full)
    insns = [struct.unpack("=HBBI", prog[i : i + 8]) for i in range(0, len(prog), 8)]
    pc, acc = 0, 0
    for _ in range(1000):
        code, jt, jf, k = insns[pc]
        if code == 0x20:
            acc = struct.unpack_from("=I", data, k)[0]
            pc += 1
        elif code == 0x06:
            return k
        elif code in (0x15, 0x35, 0x45):
            hit = acc == k if code == 0x15 else acc >= k if code == 0x35 else bool(acc & k)
            pc += 1 + (jt if hit else jf)
        else:
            raise AssertionError(f"unexpected opcode {code:#x}")
    raise AssertionError("no return")


@pytest.mark.parametrize("mode", ["off", "proxied", "on"])
def test_program_is_well_formed(mode: str) -> None:
    prog = seccomp_program(mode, "x86_64")  # type: ignore[arg-type]
    assert len(prog) % 8 == 0 and len(prog) // 8 < 4096


def test_network_off_matches_codex_restricted_mode() -> None:
    prog = seccomp_program("off", "x86_64")
    assert run_bpf(prog, 41, (1,)) == ALLOW  # socket(AF_UNIX)
    for family in (2, 10, 16, 17, 40):  # INET, INET6, NETLINK, PACKET, VSOCK
        assert run_bpf(prog, 41, (family,)) == EPERM
    assert run_bpf(prog, 53, (1,)) == ALLOW  # socketpair(AF_UNIX)
    for name_nr in (42, 43, 288, 49, 50, 44, 101, 425, 426, 427, 310, 311, 438):
        assert run_bpf(prog, name_nr) == EPERM
    assert run_bpf(prog, 45) == ALLOW  # recvfrom stays allowed (Codex: cargo clippy IPC)
    assert run_bpf(prog, 0) == ALLOW and run_bpf(prog, 59) == ALLOW  # read, execve


def test_proxied_and_on_modes() -> None:
    proxied = seccomp_program("proxied", "x86_64")
    assert run_bpf(proxied, 41, (2,)) == ALLOW and run_bpf(proxied, 41, (10,)) == ALLOW
    assert run_bpf(proxied, 41, (1,)) == EPERM and run_bpf(proxied, 41, (16,)) == EPERM
    assert run_bpf(proxied, 42) == ALLOW and run_bpf(proxied, 101) == EPERM
    on = seccomp_program("on", "x86_64")
    assert run_bpf(on, 41, (2,)) == ALLOW and run_bpf(on, 41, (40,)) == EPERM
    assert run_bpf(on, 425) == EPERM and run_bpf(on, 42) == ALLOW


def test_foreign_architecture_and_x32_are_refused() -> None:
    prog = seccomp_program("on", "x86_64")
    assert run_bpf(prog, 0, arch=0x40000003) == EPERM  # i386
    assert run_bpf(prog, 0x40000000 + 41) == EPERM  # x32 ABI


def test_fallback_refuses_user_namespaces_and_metadata() -> None:
    prog = seccomp_program("off", "x86_64", fallback=True)
    assert run_bpf(prog, 435) == ENOSYS  # clone3
    assert run_bpf(prog, 272, (0x10000000,)) == EPERM  # unshare(CLONE_NEWUSER)
    assert run_bpf(prog, 272, (0x00020000,)) == ALLOW  # unshare(CLONE_NEWNS) is left to the kernel
    assert run_bpf(prog, 56, (0x10000000 | 17,)) == EPERM and run_bpf(prog, 56, (17,)) == ALLOW
    assert run_bpf(prog, 90) == EPERM and run_bpf(prog, 91) == EPERM  # chmod, fchmod
    assert run_bpf(prog, 280, (0, 0x1000)) == EPERM  # utimensat with a path
    assert run_bpf(prog, 280, (3, 0)) == ALLOW  # futimens
    assert run_bpf(seccomp_program("off", "x86_64"), 90) == ALLOW


def test_aarch64_program_and_unknown_arch() -> None:
    prog = seccomp_program("off", "aarch64")
    assert run_bpf(prog, 198, (2,), arch=0xC00000B7) == EPERM
    assert run_bpf(prog, 198, (1,), arch=0xC00000B7) == ALLOW
    with pytest.raises(ValueError, match="riscv"):
        seccomp_program("off", "riscv64")
    assert "connect" in denied_syscalls("off") and "connect" not in denied_syscalls("on")

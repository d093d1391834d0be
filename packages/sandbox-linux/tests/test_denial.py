from pycodex_sandbox_linux import Denial, classify_denial


def test_success_and_ordinary_failures_are_not_denials() -> None:
    assert classify_denial(0, "permission denied", "") is None
    assert classify_denial(1, "", "grep: no match") is None
    assert classify_denial(127, "", "bash: foo: command not found") is None


def test_filesystem_denial() -> None:
    d = classify_denial(1, "", "touch: cannot touch '/etc/x': Read-only file system")
    assert d == Denial("filesystem", "touch: cannot touch '/etc/x': Read-only file system")


def test_network_denials() -> None:
    assert classify_denial(7, "", "curl: (7) Couldn't connect to server: Operation not permitted").kind == "network"  # type: ignore[union-attr]
    assert classify_denial(6, "", "curl: (6) Could not resolve host: example.com").kind == "network"  # type: ignore[union-attr]
    assert classify_denial(1, "", "PermissionError: [Errno 1] Operation not permitted", network_restricted=False) == (
        Denial("filesystem", "PermissionError: [Errno 1] Operation not permitted")
    )


def test_seccomp_kill() -> None:
    assert classify_denial(159, "", "").kind == "unknown"  # type: ignore[union-attr]
    assert classify_denial(2, "", "") is None

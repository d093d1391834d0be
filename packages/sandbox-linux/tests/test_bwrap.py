from pathlib import Path

import pytest

from pycodex_protocol import ResolvedSandboxPolicy
from pycodex_sandbox_linux import SandboxSetupError, build_bwrap_args


def policy(tmp: Path, network: str = "off", **extra: object) -> ResolvedSandboxPolicy:
    base: dict[str, object] = {
        "kind": "restricted",
        "full_read": True,
        "readable_roots": ["/"],
        "writable_roots": [{"root": str(tmp), "read_only_subpaths": [str(tmp / ".git"), str(tmp / ".codex")]}],
        "denied_paths": [],
        "network": network,
    }
    base.update(extra)
    return base  # type: ignore[return-value]


def test_layout_and_order(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    args = build_bwrap_args(policy(tmp_path), tmp_path).args
    joined = " ".join(args)
    assert joined.startswith("--new-session --die-with-parent --unshare-user --unshare-pid --unshare-ipc")
    assert "--unshare-net" in args and "--disable-userns" in args
    assert f"--ro-bind / / --dev /dev --proc /proc --bind {tmp_path} {tmp_path}" in joined
    assert f"--ro-bind {tmp_path}/.git {tmp_path}/.git" in joined  # exists: read-only bind
    assert f"--perms 555 --tmpfs {tmp_path}/.codex --remount-ro {tmp_path}/.codex" in joined  # missing: ro tmpfs
    assert joined.index(f"--bind {tmp_path}") < joined.index(f"{tmp_path}/.git")
    assert args[-4:] == ["--cap-drop", "ALL", "--chdir", str(tmp_path)]


def test_network_on_keeps_the_namespace(tmp_path: Path) -> None:
    assert "--unshare-net" not in build_bwrap_args(policy(tmp_path, "on"), tmp_path).args
    assert "--unshare-net" in build_bwrap_args(policy(tmp_path, "proxied"), tmp_path).args


def test_missing_protected_paths_are_reported_as_synthetic(tmp_path: Path) -> None:
    command = build_bwrap_args(policy(tmp_path), tmp_path)
    assert command.synthetic == [str(tmp_path / ".codex"), str(tmp_path / ".git")]


def test_symlinked_protected_path_fails_closed(tmp_path: Path) -> None:
    (tmp_path / ".codex").symlink_to("/etc")
    with pytest.raises(SandboxSetupError, match="symbolic link"):
        build_bwrap_args(policy(tmp_path), tmp_path)


def test_restricted_reads_and_denied_paths(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    p = policy(tmp_path, full_read=False, readable_roots=["/usr", str(tmp_path)], denied_paths=[str(secret)])
    joined = " ".join(build_bwrap_args(p, tmp_path).args)
    assert "--tmpfs / --ro-bind /usr /usr" in joined
    assert f"--perms 000 --tmpfs {secret} --remount-ro {secret}" in joined


def test_deeper_writable_root_wins_over_read_only_parent(tmp_path: Path) -> None:
    inner = tmp_path / "ro" / "rw"
    inner.mkdir(parents=True)
    p = policy(tmp_path)
    p["writable_roots"] = [
        {"root": str(tmp_path), "read_only_subpaths": [str(tmp_path / "ro")]},
        {"root": str(inner), "read_only_subpaths": []},
    ]
    joined = " ".join(build_bwrap_args(p, tmp_path).args)
    assert joined.index(f"--ro-bind {tmp_path}/ro ") < joined.index(f"--bind {inner} {inner}")

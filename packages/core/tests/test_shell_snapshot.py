from __future__ import annotations

import os
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config, ShellEnvironmentPolicy
from pycodex_core import Codex
from pycodex_core._shell_snapshot import ShellSnapshot, render_snapshot, restorable, shell_kind
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]

PROFILE = """\
echo run >> "$HOME/profile_runs"
export SNAP_VAR='hello world'
export MY_API_KEY=sk-profile-secret-123
export SNAP_MULTI='line one
line "two" $HOME'
snapfn() { echo "fn:$1"; }
alias snapalias='echo aliased'
shopt -s expand_aliases
sleep 0.5
"""


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "userhome"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in ("MY_API_KEY", "SNAP_VAR", "SNAP_MULTI", "BASH_ENV", "ENV"):
        monkeypatch.delenv(name, raising=False)
    return home


def profile_runs(home: Path) -> int:
    path = home / "profile_runs"
    return len(path.read_text(encoding="utf-8").splitlines()) if path.exists() else 0


def outputs(transport: ScriptedTransport) -> list[str]:
    return [item["output"] for item in transport.requests[-1]["input"] if item["type"] == "function_call_output"]


def exec_turn(*cmds: str) -> list[list[Any]]:
    turns = [response(function_call("exec_command", {"cmd": cmd}, call_id=f"c{i}")) for i, cmd in enumerate(cmds)]
    return [*turns, response(assistant_message("done"))]


async def wait_for(predicate: Callable[[], bool], limit: float = 10) -> None:
    with anyio.fail_after(limit):
        while True:
            if predicate():
                return
            await anyio.sleep(0.02)


def run_argv(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        argv,
        env=env,
        capture_output=True,
        text=True,
        timeout=20,
        stdin=subprocess.DEVNULL,
        check=False,
        encoding="utf-8",
    )


# -- through a session ---------------------------------------------------------------------------


async def test_snapshot_replaces_login_shell(make_config: ConfigFactory, home: Path, codex_home: Path) -> None:
    (home / ".bash_profile").write_text(PROFILE, encoding="utf-8")
    config = make_config()
    first = "echo first $SNAP_VAR"
    later = [
        'echo "var=$SNAP_VAR"; snapfn x; snapalias',
        'echo "multi=$SNAP_MULTI"',
        'echo "key=${MY_API_KEY-unset}"',
        "echo out; exit 3",
    ]
    transport = ScriptedTransport(exec_turn(first))
    async with Codex.start(config, transport=transport) as codex:
        snapshot = codex_home / "shell_snapshots" / f"{codex.thread_id}.sh"
        msgs = await collect_turn(codex, "one")
        await wait_for(snapshot.is_file)
        assert stat.S_IMODE(snapshot.stat().st_mode) == 0o600
        assert stat.S_IMODE(snapshot.parent.stat().st_mode) == 0o700
        text = snapshot.read_text(encoding="utf-8")
        assert "sk-profile-secret-123" not in text and "MY_API_KEY" not in text
        assert "export SNAP_VAR='hello world'" in text
        transport.add(*exec_turn(*later)[:-1])
        transport.add(
            response(function_call("shell", {"command": ["bash", "-lc", "snapfn legacy"]}, call_id="s1")),
            response(function_call("shell_command", {"command": "snapfn cmd; exit 2"}, call_id="s2")),
            response(assistant_message("done")),
        )
        msgs += await collect_turn(codex, "two", limit_s=30)
    assert not snapshot.exists()
    assert profile_runs(home) <= 2
    results = outputs(transport)
    assert results[0].endswith("first hello world\n")
    assert results[1].endswith("var=hello world\nfn:x\naliased\n")
    assert results[2].endswith('multi=line one\nline "two" $HOME\n')
    assert results[3].endswith("key=unset\n")
    assert "Process exited with code 3" in results[4] and results[4].endswith("out\n")
    assert '"output": "fn:legacy\\n"' in results[5] and '"exit_code": 0' in results[5]
    assert results[6].startswith("Exit code: 2\n") and results[6].endswith("Output:\nfn:cmd\n")
    begins = [m for m in msgs if m["type"] == "exec_command_begin"]
    assert [b["command"] for b in begins] == [
        *(["/bin/bash", "-lc", cmd] for cmd in [first, *later]),
        ["bash", "-lc", "snapfn legacy"],
        ["/bin/bash", "-lc", "snapfn cmd; exit 2"],
    ]
    ends = [m for m in msgs if m["type"] == "exec_command_end"]
    assert [e["exit_code"] for e in ends] == [0, 0, 0, 0, 3, 0, 2]
    for end in ends[1:]:
        assert end["duration"]["secs"] == 0 and end["duration"]["nanos"] < 450_000_000, end


async def test_failed_snapshot_falls_back_to_login_shell(
    make_config: ConfigFactory, home: Path, codex_home: Path
) -> None:
    # The first login shell (the snapshot's) exits 1 before doing anything; later ones work.
    (home / ".bash_profile").write_text(
        'if mkdir "$HOME/lock" 2>/dev/null; then exit 1; fi\necho run >> "$HOME/profile_runs"\nexport SNAP_VAR=x\n',
        encoding="utf-8",
    )
    transport = ScriptedTransport(exec_turn("echo v=$SNAP_VAR", "echo v=$SNAP_VAR; exit 3"))
    async with Codex.start(make_config(), transport=transport) as codex:
        await wait_for((home / "lock").is_dir)
        await collect_turn(codex, "go")
        assert not (codex_home / "shell_snapshots" / f"{codex.thread_id}.sh").exists()
    results = outputs(transport)
    assert results[0].endswith("v=x\n")
    assert "Process exited with code 3" in results[1] and results[1].endswith("v=x\n")
    assert profile_runs(home) == 2


async def test_snapshot_disabled_by_feature(make_config: ConfigFactory, home: Path, codex_home: Path) -> None:
    (home / ".bash_profile").write_text('echo run >> "$HOME/profile_runs"\n', encoding="utf-8")
    transport = ScriptedTransport(exec_turn("echo a"))
    async with Codex.start(make_config(overrides=("features.shell_snapshot=false",)), transport=transport) as codex:
        await collect_turn(codex, "go")
        await anyio.sleep(0.2)
    assert not (codex_home / "shell_snapshots").exists()
    assert profile_runs(home) == 1


# -- ShellSnapshot directly ----------------------------------------------------------------------


async def build(tmp_path: Path, env: dict[str, str], policy: Any = None, shell: str = "/bin/bash", **kw: Any):
    snapshot = ShellSnapshot(shell, tmp_path / "snaps" / "t.sh", policy=policy, **kw)
    with anyio.fail_after(20):
        await snapshot.build(env)
    assert snapshot.done.is_set()
    return snapshot


async def test_policy_filters_snapshot(tmp_path: Path, home: Path) -> None:
    (home / ".bash_profile").write_text(
        "export SNAP_VAR=profile SNAP_DROP=1 KEEP_ME=yes OTHER=o FOO_TOKEN=t1 DB_SECRET=s1\n"
        "export INHERITED=changed\nunset GONE\n",
        encoding="utf-8",
    )
    policy = ShellEnvironmentPolicy(exclude=("snap_drop",), set={"SNAP_VAR": "policy"})
    env = dict(os.environ, SNAP_VAR="policy", INHERITED="orig", GONE="g", PARENT_ONLY="parent-value")
    snapshot = await build(tmp_path, env, policy)
    assert snapshot.ready
    text = snapshot.path.read_text(encoding="utf-8")
    for absent in ("SNAP_DROP", "FOO_TOKEN", "t1", "DB_SECRET", "s1", "PARENT_ONLY", "parent-value", "SNAP_VAR"):
        assert absent not in text
    assert "export KEEP_ME=yes" in text and "export INHERITED=changed" in text and "unset GONE" in text
    result = run_argv(
        snapshot.wrap(["/bin/bash", "-lc", 'echo "$SNAP_VAR ${SNAP_DROP-none} $KEEP_ME ${GONE-gone}"']), env
    )
    assert result.stdout == "policy none yes gone\n"

    only = ShellEnvironmentPolicy(include_only=("KEEP_*", "PATH", "HOME"))
    snapshot = await build(tmp_path, {"PATH": os.environ["PATH"], "HOME": str(home)}, only)
    text = snapshot.path.read_text(encoding="utf-8")
    assert "KEEP_ME" in text and "OTHER" not in text


def test_restorable_rules() -> None:
    default = ShellEnvironmentPolicy()
    assert restorable("SNAP_VAR", default)
    for name in ("PWD", "OLDPWD", "SHLVL", "_", "BASH_ENV", "BASHOPTS", "MY_API_KEY", "gh_token", "x-y", "1A"):
        assert not restorable(name, default), name
    assert not restorable("CODEX_THREAD_ID", default)


def test_render_never_writes_secrets_even_with_ignore_default_excludes() -> None:
    sections = {"env": b"MY_API_KEY=sk-1\0SAFE=1\0PWD=/x\0SHLVL=2\0"}
    text = render_snapshot("bash", sections, {}, ShellEnvironmentPolicy(ignore_default_excludes=True))
    assert "sk-1" not in text and "PWD" not in text and "SHLVL" not in text
    assert "export SAFE=1" in text


async def test_exit_codes_and_exit_statements(tmp_path: Path, home: Path) -> None:
    (home / ".bash_profile").write_text("export SNAP_VAR=v\nset -o pipefail\n", encoding="utf-8")
    env = dict(os.environ)
    snapshot = await build(tmp_path, env)
    assert snapshot.ready
    cases = {"exit 3": 3, "false": 1, "true; (exit 7)": 7, "echo $SNAP_VAR; exit 0": 0, "false | true": 1}
    for cmd, code in cases.items():
        argv = snapshot.wrap(["/bin/bash", "-lc", cmd])
        assert argv[:2] == ["/bin/bash", "-c"]
        assert run_argv(argv, env).returncode == code, cmd
    assert run_argv(snapshot.wrap(["bash", "-lc", "echo \"$0 '$SNAP_VAR'\""]), env).stdout == "bash 'v'\n"
    # Not a login invocation, or another shell: left alone.
    assert snapshot.wrap(["/bin/bash", "-c", "echo"]) == ["/bin/bash", "-c", "echo"]
    assert snapshot.wrap(["/bin/zsh", "-lc", "echo"]) == ["/bin/zsh", "-lc", "echo"]
    snapshot.remove()
    assert not snapshot.path.exists()
    assert snapshot.wrap(["/bin/bash", "-lc", "echo"]) == ["/bin/bash", "-lc", "echo"]


async def test_failing_and_hanging_profiles(tmp_path: Path, home: Path) -> None:
    (home / ".bash_profile").write_text("exit 1\n", encoding="utf-8")
    snapshot = await build(tmp_path, dict(os.environ))
    assert not snapshot.ready and not snapshot.path.exists()
    assert snapshot.wrap(["/bin/bash", "-lc", "echo"]) == ["/bin/bash", "-lc", "echo"]

    (home / ".bash_profile").write_text('echo $$ > "$HOME/pid"\nsleep 30\n', encoding="utf-8")
    started = time.monotonic()
    snapshot = await build(tmp_path, dict(os.environ), timeout=0.5)
    assert time.monotonic() - started < 5
    assert not snapshot.ready and not snapshot.path.exists()
    pid = int((home / "pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_cancelled_build_kills_login_shell(tmp_path: Path, home: Path) -> None:
    (home / ".bash_profile").write_text('echo $$ > "$HOME/pid"\nsleep 30\n', encoding="utf-8")
    snapshot = ShellSnapshot("/bin/bash", tmp_path / "t.sh")
    with anyio.fail_after(10):
        async with anyio.create_task_group() as tg:
            tg.start_soon(snapshot.build, dict(os.environ))
            await wait_for((home / "pid").is_file)
            await anyio.sleep(0.05)
            tg.cancel_scope.cancel()
    assert not snapshot.ready
    pid = int((home / "pid").read_text(encoding="utf-8"))
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


async def test_posix_sh_snapshot(tmp_path: Path, home: Path) -> None:
    (home / ".profile").write_text("export SNAP_VAR='from sh'\nalias shalias='echo via-alias'\n", encoding="utf-8")
    env = dict(os.environ)
    snapshot = await build(tmp_path, env, shell="/bin/sh")
    assert snapshot.ready
    result = run_argv(snapshot.wrap(["/bin/sh", "-lc", 'echo "$SNAP_VAR"; shalias; exit 4']), env)
    assert (result.stdout, result.returncode) == ("from sh\nvia-alias\n", 4)


def test_shell_kind() -> None:
    assert [shell_kind(s) for s in ("/bin/bash", "zsh", "/bin/sh", "dash", "/usr/bin/fish")] == [
        "bash",
        "zsh",
        "sh",
        "sh",
        None,
    ]

"""Helpers for the end-to-end tests and the benchmark: run `codex exec` (ours or Codex 0.169) against scripted turns."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pycodex_test_support import (
    Turn,
    ev_completed,
    ev_custom_tool_call,
    ev_function_call,
    ev_message,
    ev_response_created,
    sse_turn,
)

REPO = Path(__file__).resolve().parents[2]
MCP_TEST_SERVERS = REPO / "packages" / "mcp-client" / "tests" / "servers"


@contextmanager
def mcp_http_server(*args: str, lifetime: int = 180) -> Iterator[str]:
    """The mcp SDK's streamable-HTTP test server on 127.0.0.1 (`--auth TOKEN` to require one); yields its URL."""
    proc = subprocess.Popen(
        [sys.executable, str(MCP_TEST_SERVERS / "http_server.py"), "--lifetime", str(lifetime), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        encoding="utf-8",
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        line = proc.stdout.readline()
        assert line.startswith("READY "), line
        yield line.split()[1]
    finally:
        proc.stdin.close()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        proc.stdout.close()


def real_codex() -> Path | None:
    """The Codex 0.169 binary: `$PYCODEX_REAL_CODEX`, else the npm install under `.codex-ref`."""
    configured = os.environ.get("PYCODEX_REAL_CODEX")
    if configured:
        return Path(configured)
    root = REPO / ".codex-ref" / "node_modules" / "@openai"
    found = sorted(root.glob("codex-linux-*/vendor/*/bin/codex")) if root.is_dir() else []
    return found[0] if found else None


def codex_command() -> list[str]:
    """`codex exec` through the cli when it is installed, else the exec package directly."""
    try:
        import pycodex_cli._main  # noqa: F401
    except ImportError:
        return [sys.executable, "-m", "pycodex_exec"]
    return [sys.executable, "-m", "pycodex_cli", "exec"]


@dataclass
class Result:
    rc: int
    stdout: str
    stderr: str
    events: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])

    @property
    def types(self) -> list[str]:
        return [e["type"] for e in self.events]

    def items(self, kind: str) -> list[dict[str, Any]]:
        return [e["item"] for e in self.events if e["type"] == "item.completed" and e["item"]["type"] == kind]


@dataclass
class Env:
    home: Path
    work: Path

    def write_config(self, base_url: str, *, provider: str = "", extra: str = "") -> None:
        (self.home / "config.toml").write_text(
            'model = "gpt-5.5"\nmodel_provider = "mock"\napproval_policy = "never"\n'
            f'sandbox_mode = "danger-full-access"\n{extra}\n'
            f'[model_providers.mock]\nname = "mock"\nbase_url = "{base_url}"\nenv_key = "MOCK_API_KEY"\n'
            f'wire_api = "responses"\n{provider}\n',
            encoding="utf-8",
        )

    def environ(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CODEX_", "OPENAI_"))}
        env.update({"CODEX_HOME": str(self.home), "MOCK_API_KEY": "test-key", "NO_COLOR": "1"})
        env.update(extra)
        return env

    def run(
        self,
        *args: str,
        stdin: str | None = "",
        timeout: float = 30,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
        command: list[str] | None = None,
    ) -> Result:
        proc = subprocess.run(
            [*(command or codex_command()), *args],
            input=stdin,
            stdin=subprocess.DEVNULL if stdin is None else None,
            capture_output=True,
            text=True,
            cwd=cwd or self.work,
            env=env or self.environ(),
            timeout=timeout,
            encoding="utf-8",
        )
        return Result(proc.returncode, proc.stdout, proc.stderr, parse_jsonl(proc.stdout))

    def popen(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [*codex_command(), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=self.work,
            env=self.environ(),
            encoding="utf-8",
        )

    def rollouts(self) -> list[Path]:
        return sorted((self.home / "sessions").rglob("rollout-*.jsonl"))


def parse_jsonl(text: str) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def wait_for(predicate: Any, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError("condition not met in time")
        time.sleep(0.02)


def interrupt(proc: subprocess.Popen[str]) -> None:
    proc.send_signal(signal.SIGINT)


def _u(resp: str) -> dict[str, Any]:
    return ev_completed(resp, 100, 20, cached_tokens=10, reasoning_tokens=5)


def message_turn(text: str, resp: str = "resp_msg") -> Turn:
    return sse_turn([ev_response_created(resp), ev_message("msg_1", text), _u(resp)])


def exec_turn(call_id: str, cmd: str, resp: str | None = None) -> Turn:
    resp = resp or f"resp_{call_id}"
    args = json.dumps({"cmd": cmd, "yield_time_ms": 10000})
    return sse_turn([ev_response_created(resp), ev_function_call(call_id, "exec_command", args), _u(resp)])


def function_turn(call_id: str, name: str, arguments: dict[str, Any]) -> Turn:
    resp = f"resp_{call_id}"
    return sse_turn([ev_response_created(resp), ev_function_call(call_id, name, json.dumps(arguments)), _u(resp)])


def patch_turn(call_id: str, patch: str) -> Turn:
    resp = f"resp_{call_id}"
    return sse_turn([ev_response_created(resp), ev_custom_tool_call(call_id, "apply_patch", patch), _u(resp)])


ADD_PATCH = "*** Begin Patch\n*** Add File: hello.txt\n+hello\n*** End Patch\n"
UPDATE_PATCH = "*** Begin Patch\n*** Update File: hello.txt\n@@\n-hello\n+hello world\n*** End Patch\n"


def scenario(name: str) -> list[Turn]:
    """The turns of one named scenario."""
    if name == "hello":
        return [message_turn("Hello world")]
    if name == "shell":
        return [exec_turn("call_1", "echo hi; echo err 1>&2"), message_turn("Done")]
    if name == "shell_fail":
        return [exec_turn("call_1", "echo out; echo err 1>&2; exit 3"), message_turn("It failed")]
    if name == "patch":
        return [patch_turn("call_1", ADD_PATCH), patch_turn("call_2", UPDATE_PATCH), message_turn("Patched")]
    if name == "plan":
        plan1 = {"plan": [{"step": "one", "status": "completed"}, {"step": "two", "status": "in_progress"}]}
        plan2 = {"plan": [{"step": "one", "status": "completed"}, {"step": "two", "status": "completed"}]}
        return [
            function_turn("call_1", "update_plan", plan1),
            function_turn("call_2", "update_plan", plan2),
            message_turn("Planned"),
        ]
    if name == "long":
        return [exec_turn(f"call_{i}", f"echo {i}") for i in range(30)] + [message_turn("Thirty")]
    raise KeyError(name)


def git_env(root: Path, name: str) -> Env:
    """`root/name/home` and `root/name/work`, the work directory a fresh git repository."""
    home, work = root / name / "home", root / name / "work"
    home.mkdir(parents=True)
    work.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    return Env(home, work)

"""Plugging in from outside core: an extra tool handler, a sandbox step, an approval requirement, an observer."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import (
    Codex,
    ExecRequest,
    Forbidden,
    NeedsApproval,
    Refusal,
    SandboxDenial,
    SessionObserver,
    Skip,
    SpawnPlan,
    ToolCall,
    ToolInvocation,
    ToolOutput,
    ToolSpec,
    TurnContext,
)
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response
from pycodex_model_client import ModelInfo
from pycodex_protocol import Event, SandboxPolicy
from pycodex_test_support import (
    ScriptedServer,
    ev_completed,
    ev_function_call,
    ev_message,
    ev_response_created,
    sse_turn,
)

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]
MockProvider = Callable[[str], tuple[str, ...]]


class WordCount:
    """A tool that counts words and reports what it saw."""

    name = "word_count"
    mutates = False

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        return {
            "type": "function",
            "name": self.name,
            "description": "Counts the words of a text.",
            "strict": False,
            "parameters": {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]},
        }

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        self.seen.append((invocation.call.call_id, invocation.ctx.turn_id))
        invocation.services.emit(invocation.ctx.sub_id, {"type": "background_event", "message": "counting"})
        return str(len(str(invocation.arguments.get("text", "")).split()))


def _outputs(request: dict[str, Any]) -> dict[str, Any]:
    return {i["call_id"]: i["output"] for i in request["input"] if i["type"] == "function_call_output"}


async def test_an_extra_tool_is_offered_and_called(make_config: ConfigFactory) -> None:
    tool = WordCount()
    transport = ScriptedTransport(
        [
            response(function_call("word_count", {"text": "one two three"}, call_id="w1")),
            response(assistant_message("three words")),
        ]
    )
    with anyio.fail_after(10):
        async with Codex.start(make_config(), transport=transport, extra_tools=[tool]) as codex:
            msgs = await collect_turn(codex, "count")
    names = [t.get("name") for t in transport.requests[0]["tools"]]
    assert "word_count" in names and names.index("word_count") > names.index("view_image")
    assert _outputs(transport.requests[1]) == {"w1": "3"}
    assert [call_id for call_id, _ in tool.seen] == ["w1"]
    assert tool.seen[0][1] == next(m["turn_id"] for m in msgs if m["type"] == "task_started")
    assert {"type": "background_event", "message": "counting"} in msgs
    assert msgs[-1]["last_agent_message"] == "three words"


async def test_an_extra_tool_cannot_take_a_builtin_name(make_config: ConfigFactory) -> None:
    tool = WordCount()
    tool.name = "exec_command"
    with pytest.raises(ValueError, match="exec_command"):
        async with Codex.start(make_config(), transport=ScriptedTransport(), extra_tools=[tool]):
            pass


async def test_an_unknown_tool_stays_unsupported(make_config: ConfigFactory) -> None:
    transport = ScriptedTransport([response(function_call("nope", {}, call_id="n")), response(assistant_message("k"))])
    async with Codex.start(make_config(), transport=transport) as codex:
        await collect_turn(codex, "go")
    assert _outputs(transport.requests[1]) == {"n": "unsupported call: nope"}


class MarkingSandbox:
    """Runs commands under read-only through `env`, marking them; reports exit 99 as a sandbox denial."""

    def __init__(self) -> None:
        self.policies: list[str] = []

    def prepare(self, request: ExecRequest, policy: SandboxPolicy) -> SpawnPlan | Refusal:
        self.policies.append(policy["type"])
        if policy["type"] == "danger-full-access":
            return SpawnPlan(argv=request.argv, env=request.env, cwd=request.cwd)
        argv = ("env", "MARKED_SANDBOX=1", *request.argv)
        return SpawnPlan(argv=argv, env=request.env, cwd=request.cwd, sandbox_label="marking")

    def classify_denial(self, exit_code: int, output: bytes) -> SandboxDenial | None:
        return SandboxDenial("blocked") if exit_code == 99 else None


class AskForEverything:
    def assess(self, request: ExecRequest, ctx: TurnContext) -> Skip | NeedsApproval | Forbidden:
        if "forbidden" in request.argv[-1]:
            return Forbidden("`forbidden` rejected: blocked by policy")
        return NeedsApproval(reason="please", proposed_amendment=("echo",)) if request.escalated else Skip()

    def wants_retry_approval(self, ctx: TurnContext) -> bool:
        return True

    def assess_patch(self, paths: Any, ctx: TurnContext) -> Skip | NeedsApproval | Forbidden:
        return Skip()


class Recorder(SessionObserver):
    def __init__(self) -> None:
        self.events: list[str] = []
        self.decisions: list[tuple[str, str, str]] = []
        self.results: list[tuple[str, bool]] = []
        self.closed = False

    def on_event(self, event: Event) -> None:
        self.events.append(event["msg"]["type"])

    def on_tool_decision(self, ctx: TurnContext, call_id: str, tool_name: str, decision: str, source: str) -> None:
        self.decisions.append((call_id, decision, source))

    def on_tool_result(
        self, ctx: TurnContext, call: ToolCall, output: ToolOutput, success: bool, seconds: float
    ) -> None:
        self.results.append((call.call_id, success))

    async def aclose(self) -> None:
        self.closed = True


async def _session(config: Config, calls: list[dict[str, Any]], **kwargs: Any) -> tuple[list[Any], ScriptedTransport]:
    turns: list[Any] = [response(call) for call in calls] + [response(assistant_message("done"))]
    transport = ScriptedTransport(turns)
    msgs: list[Any] = []
    with anyio.fail_after(15):
        async with Codex.start(config, transport=transport, **kwargs) as codex:
            await codex.submit({"type": "user_input", "items": [{"type": "text", "text": "go", "text_elements": []}]})
            while True:
                msg: dict[str, Any] = dict((await codex.next_event())["msg"])
                msgs.append(msg)
                if msg["type"] == "exec_approval_request":
                    await codex.submit({"type": "exec_approval", "id": msg["call_id"], "decision": "approved"})
                if msg["type"] == "task_complete":
                    break
    return msgs, transport


async def test_a_sandbox_step_wraps_commands_and_a_denial_is_retried(
    make_config: ConfigFactory, workspace: Path
) -> None:
    sandbox = MarkingSandbox()
    observer = Recorder()
    script = 'if [ -n "$MARKED_SANDBOX" ]; then exit 99; fi; echo outside'
    calls = [function_call("shell", {"command": ["bash", "-c", script]}, call_id="s1")]
    msgs, transport = await _session(
        make_config(sandbox="read-only"),
        calls,
        sandbox=sandbox,
        approval_requirement=AskForEverything(),
        observers=[observer],
    )
    assert sandbox.policies == ["read-only", "danger-full-access"]
    [request] = [m for m in msgs if m["type"] == "exec_approval_request"]
    assert request["reason"].startswith("command failed; retry without sandbox?")
    ends = [m for m in msgs if m["type"] == "exec_command_end"]
    assert [e["exit_code"] for e in ends] == [99, 0]
    assert json.loads(_outputs(transport.requests[1])["s1"])["output"] == "outside\n"
    assert observer.decisions == [("s1", "approved", "config"), ("s1", "approved", "user")]
    assert observer.results == [("s1", True)]
    assert "exec_command_end" in observer.events and observer.closed


async def test_forbidden_and_escalated_requests(make_config: ConfigFactory) -> None:
    calls = [
        function_call("shell", {"command": ["echo", "forbidden"]}, call_id="f1"),
        function_call(
            "shell",
            {"command": ["echo", "up"], "sandbox_permissions": "require_escalated", "justification": "need it"},
            call_id="e1",
        ),
    ]
    sandbox = MarkingSandbox()
    msgs, transport = await _session(
        make_config(sandbox="read-only"), calls, sandbox=sandbox, approval_requirement=AskForEverything()
    )
    assert _outputs(transport.requests[1]) == {"f1": "`forbidden` rejected: blocked by policy"}
    [request] = [m for m in msgs if m["type"] == "exec_approval_request"]
    assert request["call_id"] == "e1" and request["reason"] == "please"
    assert request["proposed_execpolicy_amendment"] == ["echo"]
    assert sandbox.policies == ["danger-full-access"]
    assert json.loads(_outputs(transport.requests[2])["e1"])["output"] == "up\n"


async def test_an_extra_tool_over_real_http(make_config: ConfigFactory, mock_provider: MockProvider) -> None:
    tool = WordCount()
    server = ScriptedServer(
        [
            sse_turn(
                [ev_response_created("r1"), ev_function_call("w1", "word_count", '{"text":"a b"}'), ev_completed("r1")]
            ),
            sse_turn([ev_response_created("r2"), ev_message("m1", "two"), ev_completed("r2")]),
        ]
    )
    with server:
        config = make_config(overrides=mock_provider(server.base_url))
        async with Codex.start(config, extra_tools=[tool]) as codex:
            msgs = await collect_turn(codex, "count")
        requests = server.requests
    assert "word_count" in [t.get("name") for t in requests[0].json["tools"]]
    output = next(i for i in requests[1].json["input"] if i["type"] == "function_call_output")
    assert output == {"type": "function_call_output", "call_id": "w1", "output": "2"}
    assert [call_id for call_id, _ in tool.seen] == ["w1"]
    assert msgs[-1]["last_agent_message"] == "two"

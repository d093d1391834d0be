r"""A scripted model for tests: no HTTP, each request answered by the next scripted turn.

```python
from pycodex_core.testing import ScriptedTransport, assistant_message, function_call, response

transport = ScriptedTransport([
    response(function_call("exec_command", {"cmd": "echo hi"}, call_id="c1")),
    response(assistant_message("done")),
])
async with Codex.start(config, transport=transport) as codex:
    ...
assert transport.requests[1]["input"][-1]["output"].endswith("hi\\n")
```
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Generator, Iterable, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pycodex_protocol import UserInputOp

__all__ = [
    "EventProblems",
    "ScriptedTransport",
    "assistant_message",
    "collect_turn",
    "custom_tool_call",
    "function_call",
    "reasoning",
    "response",
    "usage",
    "user_input_op",
    "validated_events",
]


def usage(input_tokens: int = 10, output_tokens: int = 5, cached: int = 0, reasoning_tokens: int = 0) -> dict[str, int]:
    """A `TokenUsage` dict."""
    return {
        "input_tokens": input_tokens,
        "cached_input_tokens": cached,
        "output_tokens": output_tokens,
        "reasoning_output_tokens": reasoning_tokens,
        "total_tokens": input_tokens + output_tokens,
    }


def assistant_message(text: str, *, item_id: str = "msg_1") -> dict[str, Any]:
    """An assistant `message` output item."""
    return {
        "type": "message",
        "id": item_id,
        "role": "assistant",
        "status": "completed",
        "content": [{"type": "output_text", "text": text, "annotations": []}],
    }


def function_call(name: str, arguments: Any, *, call_id: str = "call_1", item_id: str | None = None) -> dict[str, Any]:
    """A `function_call` output item; `arguments` may be a dict (JSON-encoded here) or a string."""
    args = arguments if isinstance(arguments, str) else json.dumps(arguments)
    return {
        "type": "function_call",
        "id": item_id or f"fc_{call_id}",
        "name": name,
        "arguments": args,
        "call_id": call_id,
    }


def custom_tool_call(name: str, tool_input: str, *, call_id: str = "call_1") -> dict[str, Any]:
    """A `custom_tool_call` output item (freeform tools such as `apply_patch`)."""
    return {
        "type": "custom_tool_call",
        "id": f"ctc_{call_id}",
        "status": "completed",
        "call_id": call_id,
        "name": name,
        "input": tool_input,
    }


def reasoning(text: str, *, item_id: str = "rs_1") -> dict[str, Any]:
    """A `reasoning` output item with one summary part."""
    return {
        "type": "reasoning",
        "id": item_id,
        "summary": [{"type": "summary_text", "text": text}],
        "content": None,
        "encrypted_content": "enc",
    }


def response(*items: dict[str, Any], usage_: dict[str, int] | None = None, response_id: str = "resp_1") -> list[Any]:
    """One model response: `Created`, an `OutputItemDone` per item, then `Completed` with usage."""
    from pycodex_model_client import Completed, Created, OutputItemDone

    events: list[Any] = [Created(response_id)]
    events += [OutputItemDone(item) for item in items]
    events.append(Completed(response_id, usage_ if usage_ is not None else usage()))  # pyright: ignore[reportArgumentType]
    return events


class ScriptedTransport:
    """Answers each `stream(request)` with the next scripted turn and records the requests.

    A turn is a sequence of `ResponseEvent`s; an exception instance inside it is raised at that point
    (so a stream can fail part-way), and an exception given as the whole turn is raised at once.

    Args:
        turns: The scripted responses, in request order.
    """

    def __init__(self, turns: Iterable[Sequence[Any] | BaseException] = ()) -> None:
        self.turns: list[Sequence[Any] | BaseException] = list(turns)
        """Turns not yet served."""
        self.requests: list[dict[str, Any]] = []
        self.headers: list[dict[str, str]] = []
        """The extra headers sent with each request."""
        """Snapshots (JSON round-tripped) of every request body received."""
        self.closed = False
        """Whether `aclose` was called."""

    def add(self, *turns: Sequence[Any] | BaseException) -> None:
        """Append more turns."""
        self.turns.extend(turns)

    async def stream(self, request: dict[str, Any], *, headers: dict[str, str] | None = None) -> AsyncIterator[Any]:
        """Yield the next turn's events (raising any scripted exception)."""
        from pycodex_model_client import StreamError

        self.requests.append(json.loads(json.dumps(request)))
        self.headers.append(dict(headers or {}))
        if not self.turns:
            raise StreamError("scripted transport: no more scripted turns", retryable=False)
        turn = self.turns.pop(0)
        if isinstance(turn, BaseException):
            raise turn
        for event in turn:
            if isinstance(event, BaseException):
                raise event
            yield event

    async def aclose(self) -> None:
        """Mark the transport closed."""
        self.closed = True


def user_input_op(text: str) -> UserInputOp:
    """A `user_input` op carrying one text item."""
    return {"type": "user_input", "items": [{"type": "text", "text": text, "text_elements": []}]}


async def collect_turn(
    codex: Any, op: dict[str, Any] | str | None = None, *, limit_s: float = 20
) -> list[dict[str, Any]]:
    """Submit `op` (a text is wrapped by `user_input_op`), then return event msgs up to `task_complete`/`turn_aborted`.

    Raises:
        TimeoutError: The turn did not end within `limit_s` seconds.
    """
    import anyio

    if op is not None:
        await codex.submit(user_input_op(op) if isinstance(op, str) else op)
    msgs: list[dict[str, Any]] = []
    with anyio.fail_after(limit_s):
        while True:
            msg = (await codex.next_event())["msg"]
            msgs.append(msg)
            if msg["type"] in ("task_complete", "turn_aborted"):
                return msgs


EventProblems = list[str]
"""What `validated_events` found: one line per event the protocol does not accept."""


@contextmanager
def validated_events() -> Generator[EventProblems]:
    """Check every event a session emits, while the block runs, against the protocol's `EventMsg` adapter.

    Yields the list of problems found (empty when every event was valid); events are still delivered.
    Nested blocks replace the outer check for their duration.
    """
    from pydantic import ValidationError

    from pycodex_protocol.schema import event_msg_adapter

    from ._services import Emitter

    adapter = event_msg_adapter()
    problems: EventProblems = []
    checked = Emitter.emit
    original = getattr(checked, "__wrapped__", checked)

    def emit(self: Emitter, sub_id: str, msg: Any) -> None:
        try:
            adapter.validate_python(msg)
        except ValidationError as exc:
            problems.append(f"{msg.get('type')!r}: {exc.errors()[0]['msg']} at {exc.errors()[0]['loc']}")
        original(self, sub_id, msg)

    emit.__wrapped__ = original  # pyright: ignore[reportFunctionMemberAccess]
    Emitter.emit = emit
    try:
        yield problems
    finally:
        Emitter.emit = checked

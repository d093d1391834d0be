"""Private test helpers: a scripted Responses / Chat Completions server on 127.0.0.1.

```python
with ScriptedServer([sse_turn(text_message_events("hi")), http_error(500, times=2)]) as server:
    ...  # point a client at server.base_url; inspect server.requests
```
"""

from ._builders import (
    assistant_message,
    chat_text_chunks,
    chat_tool_call_chunks,
    chat_usage_chunk,
    encode_chat_chunk,
    encode_responses_event,
    ev_completed,
    ev_custom_tool_call,
    ev_custom_tool_call_input_delta,
    ev_failed,
    ev_function_call,
    ev_in_progress,
    ev_incomplete,
    ev_message,
    ev_output_item_added,
    ev_output_item_done,
    ev_output_text_delta,
    ev_reasoning,
    ev_reasoning_summary_delta,
    ev_reasoning_summary_part_added,
    ev_reasoning_text_delta,
    ev_response_created,
    sse,
    text_message_events,
    usage,
)
from ._hostile import HOSTILE_MODES, hostile_turn
from ._keyrings import BrokenKeyring, file_keyring
from ._otlp import OtlpCollector, OtlpEvent
from ._script import (
    Turn,
    dropped_stream,
    http_error,
    load_script,
    rate_limited,
    raw_body,
    repeat,
    sse_turn,
    stalled_stream,
)
from ._server import RecordedRequest, ScriptedServer
from ._upstream import hello_upstream

__all__ = [
    "BrokenKeyring",
    "HOSTILE_MODES",
    "OtlpCollector",
    "OtlpEvent",
    "RecordedRequest",
    "ScriptedServer",
    "Turn",
    "assistant_message",
    "chat_text_chunks",
    "chat_tool_call_chunks",
    "chat_usage_chunk",
    "dropped_stream",
    "encode_chat_chunk",
    "encode_responses_event",
    "ev_completed",
    "ev_custom_tool_call",
    "ev_custom_tool_call_input_delta",
    "ev_failed",
    "ev_function_call",
    "ev_in_progress",
    "ev_incomplete",
    "ev_message",
    "ev_output_item_added",
    "ev_output_item_done",
    "ev_output_text_delta",
    "ev_reasoning",
    "ev_reasoning_summary_delta",
    "ev_reasoning_summary_part_added",
    "ev_reasoning_text_delta",
    "ev_response_created",
    "file_keyring",
    "hello_upstream",
    "hostile_turn",
    "http_error",
    "load_script",
    "rate_limited",
    "raw_body",
    "repeat",
    "sse",
    "sse_turn",
    "stalled_stream",
    "text_message_events",
    "usage",
]

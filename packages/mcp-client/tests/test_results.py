from __future__ import annotations

import mcp.types as types

from pycodex_mcp_client import call_result_json, model_output


def test_structured_content_is_sent_as_compact_json() -> None:
    result = types.CallToolResult(content=[types.TextContent(text='{"t": 1}')], structured_content={"t": 1, "w": "é"})
    data = call_result_json(result)
    assert data == {
        "content": [{"type": "text", "text": '{"t": 1}'}],
        "structuredContent": {"t": 1, "w": "é"},
        "isError": False,
    }
    assert model_output(data, 0.01234) == 'Wall time: 0.0123 seconds\nOutput:\n{"t":1,"w":"é"}'


def test_blocks_become_parts() -> None:
    link = types.ResourceLink(name="n", uri="demo://x", mime_type="text/plain")
    result = types.CallToolResult(
        content=[types.TextContent(text="hi"), types.ImageContent(data="AAAA", mime_type="image/png"), link],
        is_error=True,
    )
    data = call_result_json(result)
    assert data["isError"] is True
    assert model_output(data, 0.5) == [
        {"type": "input_text", "text": "Wall time: 0.5000 seconds\nOutput:"},
        {"type": "input_text", "text": "hi"},
        {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
        {"type": "input_text", "text": '{"name":"n","uri":"demo://x","mimeType":"text/plain","type":"resource_link"}'},
    ]


def test_hostile_content_never_raises() -> None:
    weird = {"content": [None, 3, {"type": "image", "data": 5}, {"type": "text"}], "structuredContent": None}
    parts = model_output(weird, 0.0)
    assert isinstance(parts, list)
    assert parts[1:] == [
        {"type": "input_text", "text": '{"type":"image","data":5}'},
        {"type": "input_text", "text": ""},
    ]

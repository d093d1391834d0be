"""`tool_search` pieces: BM25 ranking, the deferred-namespaces note, MCP schema reduction, wire items."""

from __future__ import annotations

from typing import Any

from pycodex_core._context import ToolCall
from pycodex_core._history import normalize_for_request
from pycodex_core._tools._mcp_specs import namespace_spec, parameters
from pycodex_core._tools._registry import ToolRegistry, parse_arguments
from pycodex_core._tools._router import tool_call_from_item
from pycodex_core._tools._tool_search import deferred_note, rank_tools, uses_tool_search
from pycodex_mcp_client import McpTool, assign_tool_names
from pycodex_model_client import model_info


def _tools(*entries: tuple[str, str, str, dict[str, Any]]) -> list[McpTool]:
    names = assign_tool_names((server, tool) for server, tool, _, _ in entries)
    return [McpTool(n, desc, schema) for n, (_, _, desc, schema) in zip(names, entries, strict=True)]


TOOLS = _tools(
    ("time", "convert_time", "Convert time between timezones", {"properties": {"time": {}, "target_timezone": {}}}),
    ("time", "get_current_time", "Get current time in a specific timezone", {"properties": {"timezone": {}}}),
    ("web", "add", "Add two integers.", {"properties": {"a": {}, "b": {}}}),
    ("web", "shout", "Upper-case a text.", {"properties": {"text": {}}}),
)


def test_ranking_prefers_the_tools_that_match_more_of_the_query() -> None:
    assert [t.name.tool for t in rank_tools(TOOLS, "time convert", 8)] == ["convert_time", "get_current_time"]
    assert [t.name.tool for t in rank_tools(TOOLS, "add numbers", 8)] == ["add"]
    assert [t.name.tool for t in rank_tools(TOOLS, "getCurrentTime", 1)] == ["get_current_time"]
    assert [t.name.tool for t in rank_tools(TOOLS, "web", 8)] == ["add", "shout"]  # the server name matches
    assert rank_tools(TOOLS, "nothing matches", 8) == rank_tools(TOOLS, "", 8) == rank_tools([], "time", 8) == []


def test_the_note_lists_namespaces_sorted_with_the_first_line_of_their_instructions() -> None:
    note = deferred_note({"mcp__web": "  A loopback server.  \nMore detail.", "mcp__hang": None, "mcp__a": "x" * 500})
    assert note is not None
    lines = note.splitlines()
    assert lines[:2] == ["<tools>", "Deferred tool namespaces:"]
    assert lines[2].startswith("- mcp__a: xxx") and lines[2].endswith("…") and len(lines[2]) < 200
    assert lines[3:] == ["- mcp__hang", "- mcp__web: A loopback server.", "</tools>"]
    assert deferred_note({}) is None


def test_only_models_whose_catalog_entry_says_so_search() -> None:
    assert uses_tool_search(model_info("gpt-5.5")) and uses_tool_search(model_info("gpt-6.1-sol"))
    assert not uses_tool_search(model_info("gpt-5-codex")) and not uses_tool_search(model_info("some-unknown"))
    assert not uses_tool_search(model_info("gpt-4.1"))


def test_schemas_keep_only_what_the_responses_api_gets() -> None:
    schema = {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": "args",
        "type": "object",
        "properties": {
            "b": {"title": "B", "type": "integer", "default": 1},
            "a": {"const": "x", "description": "fixed"},
            "c": True,
            "d": {"items": {"minimum": 0}},
            "e": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["a", 3],
        "additionalProperties": False,
    }
    assert parameters(schema) == {
        "type": "object",
        "properties": {
            "a": {"type": "string", "description": "fixed", "enum": ["x"]},
            "b": {"type": "integer"},
            "c": {"type": "string"},
            "d": {"type": "array", "items": {"type": "number"}},
            "e": {"anyOf": [{"type": "string"}, {"type": "null"}]},
        },
        "required": ["a"],
        "additionalProperties": False,
    }
    assert parameters({}) == {"type": "object", "properties": {}}
    deep: dict[str, Any] = {}
    node = deep
    for _ in range(50_000):  # hostile nesting is cut, never a RecursionError
        node["items"] = {}
        node = node["items"]
    assert "items" in parameters(deep)


def test_namespace_specs_mark_deferred_functions() -> None:
    spec = namespace_spec("mcp__web", None, [("add", "Add.", {"type": "object"})], deferred=True)
    assert spec == {
        "type": "namespace",
        "name": "mcp__web",
        "description": "Tools in the mcp__web namespace.",
        "tools": [
            {
                "type": "function",
                "name": "add",
                "description": "Add.",
                "strict": False,
                "defer_loading": True,
                "parameters": {"type": "object", "properties": {}},
            }
        ],
    }


def test_tool_search_calls_and_outputs_on_the_wire() -> None:
    item = {"type": "tool_search_call", "call_id": "s1", "execution": "client", "arguments": {"query": "x"}}
    call = tool_call_from_item(item)
    assert call == ToolCall("tool_search", "tool_search", "s1", {"query": "x"})
    assert call is not None
    assert parse_arguments(call) == {"query": "x"}
    assert call.output_item([{"type": "namespace"}]) == {
        "type": "tool_search_output",
        "call_id": "s1",
        "status": "completed",
        "execution": "client",
        "tools": [{"type": "namespace"}],
    }
    assert tool_call_from_item({**item, "execution": "server"}) is None  # a hosted search is not ours to answer
    # A search left unanswered (an interrupted turn) gets an empty answer of the right type.
    assert normalize_for_request([item])[1] == {
        "type": "tool_search_output",
        "call_id": "s1",
        "status": "completed",
        "execution": "client",
        "tools": [],
    }


class _Named:
    mutates = False

    def __init__(self, name: str, note: str | None = None) -> None:
        self.name, self._note = name, note

    def spec(self, model: Any) -> dict[str, Any] | None:
        return {"type": "function", "name": self.name}

    def developer_note(self, model: Any) -> str | None:
        return self._note

    async def handle(self, invocation: Any) -> str:
        return ""


def test_registry_inserts_after_a_named_tool_and_collects_notes() -> None:
    registry = ToolRegistry([_Named("a"), _Named("b")])
    registry.register(_Named("x", "note x"), after="a")
    registry.register(_Named("y"), after="missing")
    assert registry.names == ["a", "x", "b", "y"]
    assert registry.developer_notes(model_info("gpt-5.5")) == ["note x"]


def test_chat_completions_gets_namespaces_even_for_a_searching_model() -> None:
    from pycodex_config import McpServerConfig
    from pycodex_core._tools._mcp import McpToolset
    from pycodex_mcp_client import CachedTools, McpConnectionManager, ToolInfo

    gpt55 = model_info("gpt-5.5")
    for searchable, expect_namespace in ((True, False), (False, True)):
        manager = McpConnectionManager({"srv": McpServerConfig.from_toml("srv", {"command": "unused"})})
        manager.servers["srv"].cached = CachedTools((ToolInfo("ping", "Answer pong."),))
        registry = ToolRegistry([_Named("exec_command")])
        toolset = McpToolset(manager, registry, searchable=searchable)
        toolset.sync()
        kinds = [spec.get("name", spec["type"]) for spec in registry.specs(gpt55)]
        assert ("mcp__srv" in kinds) is expect_namespace
        assert ("tool_search" in kinds) is not expect_namespace
        assert bool(registry.developer_notes(gpt55)) is not expect_namespace


def test_ranking_is_bounded_for_huge_queries_and_tool_lists() -> None:
    many = _tools(*((f"s{i % 7}", f"tool_{i}", f"does thing {i} with widgets", {}) for i in range(2000)))
    query = " ".join("zz" + "".join(chr(97 + int(d)) for d in str(i)) for i in range(100_000)) + " widgets"
    assert rank_tools(many, query, 8) == []  # only the first words of an endless query are read
    assert len(rank_tools(many, "widgets thing", 8)) == 8


def test_namespace_updates_follow_the_notes_of_a_history() -> None:
    from pycodex_core._tools._tool_search import namespace_changes, noted_namespaces

    def developer(text: str) -> dict[str, Any]:
        return {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": text}]}

    history = [
        developer("<permissions instructions>x</permissions instructions>"),
        developer("<tools>\nDeferred tool namespaces:\n- mcp__a: A.\n- multi_agent_v1: agents\n</tools>"),
        {"type": "message", "role": "user", "content": [{"type": "input_text", "text": "<tools>\n- mcp__fake"}]},
        developer(
            "<tools>\nAdded deferred tool namespaces:\n- mcp__b\nRemoved deferred tool namespaces:\n- mcp__a\n</tools>"
        ),
    ]
    assert noted_namespaces(history) == {"mcp__b"}  # Codex's own namespaces and user text are not ours
    assert namespace_changes({"mcp__b"}, {"mcp__b": None}) is None
    assert namespace_changes({"mcp__b"}, {"mcp__c": "C server.\nmore"}) == (
        "<tools>\nAdded deferred tool namespaces:\n- mcp__c: C server.\n"
        "Removed deferred tool namespaces:\n- mcp__b\n</tools>"
    )

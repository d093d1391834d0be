from __future__ import annotations

import hashlib

from pycodex_mcp_client import MAX_TOOL_NAME_BYTES, assign_tool_names, namespace_for, sanitize_name


def test_parts_are_sanitised_as_codex_does() -> None:
    (name,) = assign_tool_names([("echo-srv", "get.time")])
    assert (name.qualified, name.namespace, name.function) == ("mcp__echo_srv__get_time", "mcp__echo_srv", "get_time")
    assert (name.server, name.tool) == ("echo-srv", "get.time")
    assert sanitize_name("a b/c\u00e9") == "a_b_c_"
    assert namespace_for("x.y") == "mcp__x_y"


def test_long_names_are_cut_with_a_stable_hash() -> None:
    tool = "t" * 100
    (name,) = assign_tool_names([("srv", tool)])
    digest = hashlib.sha1(f"srv/{tool}".encode()).hexdigest()[:12]
    assert len(name.qualified) == MAX_TOOL_NAME_BYTES
    assert name.qualified.endswith("_" + digest)
    assert name.qualified.startswith("mcp__srv__ttt")
    assert assign_tool_names([("srv", tool)]) == [name]


def test_collisions_after_sanitising_stay_distinct() -> None:
    names = assign_tool_names([("a-b", "x"), ("a.b", "x"), ("a-b", "x")])
    assert len(names) == 2
    assert names[0].qualified == "mcp__a_b__x"
    assert names[1].qualified.startswith("mcp__a_b__x_") and names[1].qualified != names[0].qualified

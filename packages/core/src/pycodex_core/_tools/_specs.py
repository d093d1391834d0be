"""Tool specifications as sent in the Responses API `tools` array."""

from __future__ import annotations

from typing import Any

__all__ = ["APPLY_PATCH_LARK_GRAMMAR"]

APPLY_PATCH_LARK_GRAMMAR = """start: begin_patch hunk+ end_patch
begin_patch: "*** Begin Patch" LF
end_patch: "*** End Patch" LF?

hunk: add_hunk | delete_hunk | update_hunk
add_hunk: "*** Add File: " filename LF add_line+
delete_hunk: "*** Delete File: " filename LF
update_hunk: "*** Update File: " filename LF change_move? change?

filename: /(.+)/
add_line: "+" /(.*)/ LF -> line

change_move: "*** Move to: " filename LF
change: (change_context | change_line)+ eof_line?
change_context: ("@@" | "@@ " /(.+)/) LF
change_line: ("+" | "-" | " ") /(.*)/ LF
eof_line: "*** End of File" LF

%import common.LF
"""
"""The Lark grammar of the freeform `apply_patch` tool (the patch envelope's rules)."""

_APPROVAL_PROPS: dict[str, Any] = {
    "sandbox_permissions": {
        "type": "string",
        "description": "Leave unset (or `use_default`) to run with the session's permissions; `require_escalated` "
        "asks the user to run this command outside the sandbox.",
    },
    "justification": {
        "type": "string",
        "description": "Only with `require_escalated`: one sentence telling the user why the command needs it.",
    },
    "prefix_rule": {
        "type": "array",
        "items": {"type": "string"},
        "description": "Only with `require_escalated`: a command prefix the user may approve for the rest of "
        "the session.",
    },
}


def _function(name: str, description: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "function",
        "name": name,
        "description": description,
        "strict": False,
        "parameters": {
            "type": "object",
            "properties": properties,
            "required": required,
            "additionalProperties": False,
        },
    }


EXEC_COMMAND = _function(
    "exec_command",
    "Runs a command in a PTY, returning output or a session ID for ongoing interaction.",
    {
        "cmd": {"type": "string", "description": "Shell command to execute."},
        "justification": _APPROVAL_PROPS["justification"],
        "login": {"type": "boolean", "description": "Run the shell as a login shell (`-l`). Defaults to true."},
        "max_output_tokens": {"type": "number", "description": "Maximum tokens of output to return (default 10000)."},
        "prefix_rule": _APPROVAL_PROPS["prefix_rule"],
        "sandbox_permissions": _APPROVAL_PROPS["sandbox_permissions"],
        "shell": {"type": "string", "description": "Shell binary to run the command with (default: bash)."},
        "tty": {
            "type": "boolean",
            "description": "Allocate a terminal for interactive programs. Defaults to false (plain pipes).",
        },
        "workdir": {"type": "string", "description": "Working directory; defaults to the session's cwd."},
        "yield_time_ms": {
            "type": "number",
            "description": "How long to wait for output before returning (default 10000, 250-30000). A command "
            "still running then keeps running and returns a session ID.",
        },
    },
    ["cmd"],
)

WRITE_STDIN = _function(
    "write_stdin",
    "Writes characters to a running exec_command session and returns its recent output.",
    {
        "session_id": {"type": "number", "description": "Session ID returned by exec_command."},
        "chars": {"type": "string", "description": "Characters to write; empty to just poll for output."},
        "max_output_tokens": {"type": "number", "description": "Maximum tokens of output to return."},
        "yield_time_ms": {"type": "number", "description": "How long to wait for output before returning."},
    },
    ["session_id"],
)

SHELL = _function(
    "shell",
    "Runs a command and returns its output. Most commands should be written as "
    '["bash", "-lc", "<script>"]; set `workdir` rather than using `cd`.',
    {
        "command": {"type": "array", "items": {"type": "string"}, "description": "The program and its arguments."},
        "workdir": {"type": "string", "description": "Working directory to run the command in."},
        "timeout_ms": {"type": "number", "description": "Timeout in milliseconds (default 10000)."},
        **_APPROVAL_PROPS,
    },
    ["command"],
)

SHELL_COMMAND = _function(
    "shell_command",
    "Runs a shell script with the user's shell and returns its output. Set `workdir` rather than using `cd`.",
    {
        "command": {"type": "string", "description": "The script to run."},
        "workdir": {"type": "string", "description": "Working directory to run the script in."},
        "timeout_ms": {"type": "number", "description": "Timeout in milliseconds (default 10000)."},
        "login": {"type": "boolean", "description": "Run as a login shell (default true)."},
        **_APPROVAL_PROPS,
    },
    ["command"],
)

UPDATE_PLAN = _function(
    "update_plan",
    "Updates the task plan.\nProvide an optional explanation and a list of plan items, each with a step and status.\n"
    "At most one step can be in_progress at a time.\n",
    {
        "explanation": {"type": "string"},
        "plan": {
            "type": "array",
            "description": "The list of steps",
            "items": {
                "type": "object",
                "properties": {
                    "step": {"type": "string"},
                    "status": {
                        "type": "string",
                        "description": "One of: pending, in_progress, completed",
                        "enum": ["pending", "in_progress", "completed"],
                    },
                },
                "required": ["step", "status"],
                "additionalProperties": False,
            },
        },
    },
    ["plan"],
)

REQUEST_USER_INPUT = _function(
    "request_user_input",
    "Asks the user one to three short multiple-choice questions and waits for the answers. Use only when you "
    "cannot proceed without the user's decision.",
    {
        "questions": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "description": "Identifier of the question."},
                    "header": {"type": "string", "description": "Short label, at most 12 characters."},
                    "question": {"type": "string", "description": "The question shown to the user."},
                    "options": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"label": {"type": "string"}, "description": {"type": "string"}},
                            "required": ["label", "description"],
                            "additionalProperties": False,
                        },
                    },
                },
                "required": ["id", "header", "question", "options"],
                "additionalProperties": False,
            },
        }
    },
    ["questions"],
)

APPLY_PATCH_FREEFORM: dict[str, Any] = {
    "type": "custom",
    "name": "apply_patch",
    "description": "Use the `apply_patch` tool to edit files. This is a FREEFORM tool, so do not wrap the patch "
    "in JSON.",
    "format": {"type": "grammar", "syntax": "lark", "definition": APPLY_PATCH_LARK_GRAMMAR},
}

_APPLY_PATCH_FUNCTION_DESCRIPTION = """Edit files with a patch. The `input` is the whole patch text:

*** Begin Patch
[one or more file operations]
*** End Patch

File operations (paths are relative to the working directory, never absolute):
*** Add File: <path>      then every line of the new file, each prefixed with `+`
*** Delete File: <path>   nothing follows
*** Update File: <path>   optionally `*** Move to: <new path>`, then one or more hunks

A hunk starts with `@@` (optionally followed by a line such as a class or function header that
locates it) and lists lines prefixed with ` ` (unchanged context), `-` (removed) or `+` (added).
Give about three lines of context above and below each change so it can be located. Example:

*** Begin Patch
*** Update File: src/app.py
@@ def greet():
-    print("Hi")
+    print("Hello")
*** End Patch
"""

APPLY_PATCH_FUNCTION = _function(
    "apply_patch",
    _APPLY_PATCH_FUNCTION_DESCRIPTION,
    {"input": {"type": "string", "description": "The entire contents of the apply_patch command"}},
    ["input"],
)

VIEW_IMAGE = _function(
    "view_image",
    "View a local image file (PNG, JPEG, GIF or WebP) when you need to see it. The path may be relative to the "
    "working directory.",
    {"path": {"type": "string", "description": "Path of the image file."}},
    ["path"],
)


WEB_SEARCH: dict[str, Any] = {"type": "web_search", "external_web_access": False}
"""The hosted web-search tool (run by the provider, never dispatched here)."""

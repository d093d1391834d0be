"""Texts pycodex sends to the model: base instructions, permissions, environment, compaction."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Any, cast

__all__ = [
    "BASE_INSTRUCTIONS",
    "COMPACT_PROMPT",
    "SUMMARY_PREFIX",
    "TURN_ABORTED_MARKER",
    "environment_context",
    "permissions_text",
    "sandbox_refusal_text",
]

BASE_INSTRUCTIONS = """\
You are pycodex, a coding agent working in the user's terminal. You and the user share one \
workspace: you can read and change its files and run commands in it through the tools you are \
given. Your job is to finish the user's task completely and correctly, then report briefly.

## How to work
- Start by understanding the request and the relevant code. Read before you write: look at the \
files, tests and conventions that matter, using fast tools (`rg`, `rg --files`, `sed -n`, `ls`).
- Make the smallest change that fully solves the problem. Fix root causes rather than symptoms. \
Keep the existing style, naming and structure; do not reformat or rename unrelated code.
- Edit files with the `apply_patch` tool. Never create or edit files with shell redirection, \
`cat <<EOF`, `sed -i` or editors when `apply_patch` can do it.
- After changing code, check it when you can: run the narrowest relevant tests, a build or a \
type check. If something fails, read the error and fix it; do not claim success you have not seen.
- Do not commit, create branches or rewrite git history unless the user asks. Never revert \
changes you did not make; the user may be editing files at the same time as you.
- Do not add licence headers, copyright notices or comments that only restate the code.

## Tools
- Shell commands run in the workspace directory unless you pass `workdir`. Prefer non-interactive \
commands; a command that keeps running returns a session id that you can poll or feed input \
with `write_stdin`.
- Output is truncated when it is long: ask for what you need (`head`, `rg -n`, line ranges) \
instead of dumping whole files or logs.
- If a plan tool is available, use it for multi-step work: keep exactly one step in progress \
and update the plan as steps complete. Skip it for simple, single-step tasks.
- Respect the permissions described to you. When an action is refused, do not try to work \
around the restriction; explain what you could not do and why.

## Communicating
- While you work, keep any progress notes short: one sentence on what you are about to do.
- Your final message is read in a terminal. Be concise and concrete: what you changed (with \
file paths), what you verified and how, and anything left for the user to do. Use short \
paragraphs or flat bullet lists; wrap commands, paths and identifiers in backticks.
- Do not paste large files you wrote; refer to their paths. Ask the user a question only when \
you cannot make a reasonable decision yourself.
"""
"""Our own base instructions: the first `developer` message of every thread."""

COMPACT_PROMPT = """\
Context checkpoint. The conversation is about to be shortened, and another model will take \
over this task from a summary you write now. Write that handoff summary. Include:
- the user's goal and any constraints or preferences they stated;
- what has been done so far, with the key decisions and why they were made;
- the files, commands, errors and facts the next model needs (exact paths and names);
- what remains to do, as concrete next steps.
Be brief and structured. Do not call tools; answer with the summary only.
"""
"""The request appended to history when we ask the model for a compaction summary."""

SUMMARY_PREFIX = """\
Another language model worked on this task before you and wrote the summary below as a handoff. \
Earlier messages were removed to free space. Use the summary to continue the work without \
repeating what is already done; the user's recent messages are kept above it."""
"""Precedes the summary in the user message that replaces compacted history."""

TURN_ABORTED_MARKER = """\
<turn_aborted>
The user interrupted the previous turn on purpose. Anything it was doing may be incomplete: \
commands were stopped and their output may be partial. Wait for the user's next instruction \
before resuming that work.
</turn_aborted>"""
"""The user-role marker recorded in history when a turn is interrupted."""

_SANDBOX_SENTENCES = {
    "danger-full-access": "`sandbox_mode` is `danger-full-access`: no sandbox applies. Commands run with the "
    "user's full permissions and network access is enabled.",
    "read-only": "`sandbox_mode` is `read-only`: an OS sandbox lets commands read files but not modify "
    "them, and network access is restricted.",
    "workspace-write": "`sandbox_mode` is `workspace-write`: an OS sandbox lets commands read files and edit "
    "files inside the writable roots listed below (except `.git`, `.agents`, `.codex` and `.aws` in them); "
    "editing elsewhere needs approval. Network access is restricted.",
    "external-sandbox": "`sandbox_mode` is `external-sandbox`: an outer sandbox set up by the user controls "
    "what commands may do.",
}
_NO_OS_SANDBOX = {
    "read-only": "`sandbox_mode` is `read-only`: you may read files, but not modify them, and network access "
    "is restricted. On this build, shell commands are not run at all in this mode and file edits are refused.",
    "workspace-write": "`sandbox_mode` is `workspace-write`: you may read files and edit files inside the "
    "writable roots listed below; editing elsewhere is refused. Network access is restricted. On this build "
    "the OS sandbox is not available, so shell commands are refused; edit files with `apply_patch`.",
}
_HAS_OS_SANDBOX = sys.platform in ("linux", "darwin")
"""Whether this platform has a sandbox pycodex runs commands in (else restricted commands are refused)."""

_APPROVAL_SENTENCES = {
    "never": "Approval policy is `never`: nobody will be asked to approve anything. Do not request escalated "
    "permissions (`sandbox_permissions`); a refused action stays refused, so find another way or report it.",
    "on-request": "Approval policy is `on-request`: actions run within the sandbox, and you may ask the user to "
    "approve an action that needs more, by setting `sandbox_permissions` to `require_escalated` with a short "
    "`justification`.",
    "on-failure": "Approval policy is `on-failure`: commands run in the sandbox first, and the user is asked "
    "before a failed command is retried without it.",
    "untrusted": "Approval policy is `untrusted`: the user approves each command or edit before it runs, so "
    "prefer few, well-explained actions.",
    "granular": "Approval policy is `granular`: actions run within the sandbox, and only some kinds of approval "
    "requests reach the user; the others are rejected at once, and the rejection is what you get back.",
}


AUTO_REVIEW_SENTENCE = (
    "`approvals_reviewer` is `auto_review`: an automatic reviewer, not the user, judges requests to run "
    "outside the sandbox (`sandbox_permissions` set to `require_escalated`) and approves only low-risk ones. "
    "If one is refused, carry on with a safer way or with the work it does not block, and tell the user what "
    "stayed blocked and why."
)


def permissions_text(
    sandbox_policy: Mapping[str, object],
    approval_policy: str,
    writable_roots: Sequence[Path],
    *,
    auto_review: bool = False,
) -> str:
    """The `<permissions instructions>` developer text for a sandbox policy and approval policy."""
    mode = str(sandbox_policy.get("type", "read-only"))
    sentences = _SANDBOX_SENTENCES if _HAS_OS_SANDBOX else {**_SANDBOX_SENTENCES, **_NO_OS_SANDBOX}
    lines = [sentences.get(mode, f"`sandbox_mode` is `{mode}`.")]
    if auto_review and approval_policy != "never":
        lines.append(AUTO_REVIEW_SENTENCE)
    else:
        lines.append(_APPROVAL_SENTENCES.get(approval_policy, f"Approval policy is `{approval_policy}`."))
    text = "\n".join(lines)
    if mode == "workspace-write" and writable_roots:
        text += " The writable roots are " + ", ".join(f"`{root}`" for root in writable_roots) + "."
    return f"<permissions instructions>\n{text}\n</permissions instructions>"


def sandbox_refusal_text(mode: str) -> str:
    """What the model (and user) see when a command is refused because no sandbox exists on this build."""
    return (
        f"Command not run: this session uses the `{mode}` sandbox, but no OS sandbox is available on this build "
        "of pycodex, so commands are refused rather than run unsandboxed. Nothing was executed. Read files "
        "with the tools you have, edit them with `apply_patch` where permitted, or ask the user to restart "
        "with `--sandbox danger-full-access` if commands must run."
    )


def _timezone_name() -> str:
    tz = os.environ.get("TZ", "").lstrip(":")
    if tz and "/" in tz:
        return tz
    try:
        target = os.readlink("/etc/localtime")
    except OSError:
        target = ""
    if "zoneinfo/" in target:
        return target.split("zoneinfo/", 1)[1]
    name = time.tzname[0] if time.tzname else ""
    return "Etc/UTC" if name in ("", "UTC", "GMT") else name


def environment_context(cwd: Path, shell: str, filesystem: str | None = None) -> str:
    """The `<environment_context>` block: cwd, shell, current date, timezone and the filesystem policy."""
    return (
        "<environment_context>\n"
        f"  <cwd>{cwd}</cwd>\n"
        f"  <shell>{Path(shell).name}</shell>\n"
        f"  <current_date>{datetime.now().astimezone().date().isoformat()}</current_date>\n"
        f"  <timezone>{_timezone_name()}</timezone>\n"
        + (f"  {filesystem}\n" if filesystem else "")
        + "</environment_context>"
    )


_SPECIAL_TOKENS = {
    "root": ":root", "minimal": ":minimal", "current_working_directory": ":cwd", "project_roots": ":workspace_roots",
    "tmpdir": ":tmpdir", "slash_tmp": ":slash_tmp",
}  # fmt: skip


def filesystem_context(profile: Mapping[str, Any], workspace_roots: Sequence[Path]) -> str:
    """The `<filesystem>` element of `<environment_context>`: workspace roots and the permission profile."""
    roots = "".join(f"<root>{escape(str(r))}</root>" for r in workspace_roots)
    kind = escape(str(profile.get("type", "managed")))
    fs = profile.get("file_system") or ({"type": "unrestricted"} if kind == "disabled" else None)
    body = ""
    if isinstance(fs, Mapping):
        fs_map = cast("Mapping[str, Any]", fs)
        entries = "".join(_entry_xml(cast("Mapping[str, Any]", e)) for e in fs_map.get("entries") or [])
        fs_kind = escape(str(fs_map.get("type", "restricted")))
        body = (
            f'<file_system type="{fs_kind}">{entries}</file_system>' if entries else f'<file_system type="{fs_kind}" />'
        )
    profile_xml = f'<permission_profile type="{kind}">{body}</permission_profile>'
    return f"<filesystem><workspace_roots>{roots}</workspace_roots>{profile_xml}</filesystem>"


def _entry_xml(entry: Mapping[str, Any]) -> str:
    path = cast("Mapping[str, Any]", entry.get("path") or {})
    access = escape(str(entry.get("access", "read")), quote=True)
    if path.get("type") == "special":
        value = cast("Mapping[str, Any]", path.get("value") or {})
        token = _SPECIAL_TOKENS.get(str(value.get("kind")), str(value.get("path", value.get("kind"))))
        sub = value.get("subpath")
        where = f"<special>{escape(token + ('/' + str(sub) if sub else ''))}</special>"
    else:
        where = f"<path>{escape(str(path.get('path', '')))}</path>"
    return f'<entry access="{access}">{where}</entry>'

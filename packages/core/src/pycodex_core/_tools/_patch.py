"""The `apply_patch` tool: verify the whole patch, report the changes, apply, and track the turn's diff."""

from __future__ import annotations

import difflib
import hashlib
import logging
import os
import stat
import time
from pathlib import Path
from typing import TYPE_CHECKING, Literal, cast

if TYPE_CHECKING:
    from pycodex_model_client import ModelInfo
    from pycodex_protocol import FileChange, PatchApplyEndEvent

    from .._context import ToolCall, TurnContext
    from ._registry import ToolInvocation, ToolOutput, ToolSpec

__all__ = ["ApplyPatchTool", "TurnDiffTracker", "apply_patch_for_model"]

logger = logging.getLogger(__name__)

PatchStatus = Literal["completed", "failed", "declined"]
PATCH_REJECTED = "patch rejected by user"
OUTSIDE_REFUSAL = "patch rejected: writing outside of the project; rejected by user approval settings"


def _output(exit_code: int, wall: float, text: str) -> str:
    return f"Exit code: {exit_code}\nWall time: {wall:.1f} seconds\nOutput:\n{text}"


_DIFF_READ_LIMIT = 16 << 20
"""Files larger than this (16 MiB) are left out of the turn diff rather than read into memory."""
_UNTRACKED = "untracked"
"""Baseline of an entry the diff does not show: a FIFO, device or socket, or a file over the limit."""
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)


def _read(path: Path) -> bytes | str | None:
    """Bytes of a regular file, a symlink's target (as git stores it), None when absent, else `_UNTRACKED`.

    Never follows a final symlink and never blocks on a FIFO or reads a device without end.
    """
    try:
        info = os.lstat(path)
    except OSError:
        return None
    if stat.S_ISLNK(info.st_mode):
        try:
            return os.fsencode(os.readlink(path))
        except OSError:
            return _UNTRACKED
    if not stat.S_ISREG(info.st_mode) or info.st_size > _DIFF_READ_LIMIT:
        return _UNTRACKED
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return _UNTRACKED
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return _UNTRACKED
        chunks: list[bytes] = []
        total = 0
        while total <= _DIFF_READ_LIMIT and (data := os.read(fd, _DIFF_READ_LIMIT + 1 - total)):
            chunks.append(data)
            total += len(data)
    except OSError:
        return _UNTRACKED
    finally:
        os.close(fd)
    body = b"".join(chunks)
    return _UNTRACKED if len(body) > _DIFF_READ_LIMIT else body


_NO_BLOB = "0" * 40


def _blob_id(data: bytes | None) -> str:
    """The git blob id of `data` (all zeros for a file that does not exist)."""
    if data is None:
        return _NO_BLOB
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _mode(path: Path) -> str:
    try:
        info = os.lstat(path)
    except OSError:
        return "100644"
    if stat.S_ISLNK(info.st_mode):
        return "120000"
    return "100755" if info.st_mode & 0o111 else "100644"


class TurnDiffTracker:
    """Remembers each touched file's content before the turn's first edit, to diff against it later."""

    def __init__(self, cwd: Path) -> None:
        self._cwd = cwd
        self._baseline: dict[Path, tuple[bytes | str | None, str]] = {}

    def snapshot(self, paths: list[Path]) -> None:
        """Record the current content (None = did not exist) and mode of `paths` not seen before."""
        for path in paths:
            if path not in self._baseline:
                self._baseline[path] = (_read(path), _mode(path))

    def _name(self, path: Path) -> str:
        try:
            return str(path.relative_to(self._cwd))
        except ValueError:
            return str(path)

    def unified_diff(self) -> str:
        """A git-style unified diff (with blob ids, as `git diff` prints) from the baselines to now."""
        parts: list[str] = []
        for path in sorted(self._baseline):
            (before, old_mode), after = self._baseline[path], _read(path)
            if before == after or isinstance(before, str) or isinstance(after, str):
                continue
            name = self._name(path)
            header = [f"diff --git a/{name} b/{name}\n"]
            if before is None:
                header.append(f"new file mode {_mode(path)}\n")
            elif after is None:
                header.append(f"deleted file mode {old_mode}\n")
            header.append(f"index {_blob_id(before)}..{_blob_id(after)}\n")
            body = difflib.unified_diff(
                (before or b"").decode("utf-8", errors="replace").splitlines(keepends=True),
                (after or b"").decode("utf-8", errors="replace").splitlines(keepends=True),
                fromfile="/dev/null" if before is None else f"a/{name}",
                tofile="/dev/null" if after is None else f"b/{name}",
            )
            lines = [line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in body]
            parts.append("".join(header + lines))
        return "".join(parts)


async def _approved(inv: ToolInvocation, changes: dict[str, FileChange], paths: list[Path]) -> str | None:
    """`None` when the patch may be applied, else the refusal text."""
    from .._approvals import patch_approval_keys
    from .._exec_types import Forbidden, NeedsApproval

    ctx, services = inv.ctx, inv.services
    assessment = services.exec.requirement.assess_patch(paths, ctx)
    if isinstance(assessment, Forbidden):
        return assessment.reason
    if not isinstance(assessment, NeedsApproval):
        return None
    keys = patch_approval_keys(str(path) for path in paths)
    if services.approvals.store.covers(keys):
        return None
    decision = await services.approvals.request_patch(ctx, inv.call.call_id, changes, assessment.reason)
    if decision == "approved_for_session":
        services.approvals.store.remember(keys)
    return None if decision in ("approved", "approved_for_session") else PATCH_REJECTED


async def apply_patch_for_model(inv: ToolInvocation, patch_text: str, workdir: str | None = None) -> str:
    """Apply `patch_text` for the model, emitting `patch_apply_begin`/`patch_apply_end` and `turn_diff`."""
    from pycodex_apply_patch import (
        ApplyPatchError,
        PathNotAllowedError,
        WritableRoot,
        apply_plan,
        parse_patch,
        plan_patch,
        recover_journals,
    )

    ctx, call, emit = inv.ctx, inv.call, inv.services.emit
    started = time.monotonic()
    # workspace-write confines writes to its writable roots, minus `.git`, `.codex`, `.agents` and `.aws`
    # inside each; full access (or an outside sandbox) writes anywhere, as Codex auto-approves;
    # read-only is refused by the approval step.
    roots = (
        [WritableRoot.protected(r) for r in ctx.writable_roots] if ctx.sandbox_mode == "workspace-write" else [os.sep]
    )
    recover_journals()  # a patch cut short by a crash is finished or undone before this one reads files
    try:
        cwd = ctx.cwd / workdir if workdir else ctx.cwd
        plan = plan_patch(parse_patch(patch_text), cwd=cwd, writable_roots=roots)
    except PathNotAllowedError:
        return OUTSIDE_REFUSAL  # as Codex: no patch events, the bare refusal
    except ApplyPatchError as exc:
        return _output(1, time.monotonic() - started, f"{exc}\n")
    changes = {str(path): cast("FileChange", spec.to_wire()) for path, spec in plan.changes.items()}
    touched = [Path(p) for p in plan.changes]
    touched += [Path(str(move)) for c in changes.values() if (move := c.get("move_path"))]
    refusal = await _approved(inv, changes, touched)
    if refusal is not None:
        emit(ctx.sub_id, _end(ctx, call, changes, "", refusal, "declined"))
        return _output(1, time.monotonic() - started, f"{refusal}\n")
    emit(
        ctx.sub_id,
        {
            "type": "patch_apply_begin",
            "call_id": call.call_id,
            "turn_id": ctx.turn_id,
            "auto_approved": True,
            "changes": changes,
        },
    )
    tracker = inv.turn.diff_tracker
    tracker.snapshot(touched)
    try:
        result = apply_plan(plan)
    except (ApplyPatchError, OSError) as exc:
        message = f"{exc}\n"
        emit(ctx.sub_id, _end(ctx, call, changes, "", message, "failed"))
        return _output(1, time.monotonic() - started, message)
    summary = result.summary()
    emit(ctx.sub_id, _end(ctx, call, changes, summary, "", "completed"))
    diff = tracker.unified_diff()
    if diff:
        emit(ctx.sub_id, {"type": "turn_diff", "unified_diff": diff})
    return _output(0, time.monotonic() - started, summary)


class ApplyPatchTool:
    """`apply_patch`: freeform (Lark grammar) or JSON function, as the model's `apply_patch_tool_type` says."""

    name = "apply_patch"
    mutates = True

    def spec(self, model: ModelInfo) -> ToolSpec | None:
        """The freeform or the function form, or `None`."""
        from ._specs import APPLY_PATCH_FREEFORM, APPLY_PATCH_FUNCTION

        if model.apply_patch_tool_type == "freeform":
            return APPLY_PATCH_FREEFORM
        if model.apply_patch_tool_type == "function":
            return APPLY_PATCH_FUNCTION
        return None

    async def handle(self, invocation: ToolInvocation) -> ToolOutput:
        """Apply the patch in `input`."""
        return await apply_patch_for_model(invocation, str(invocation.arguments.get("input", "")))


def _end(
    ctx: TurnContext, call: ToolCall, changes: dict[str, FileChange], stdout: str, stderr: str, status: PatchStatus
) -> PatchApplyEndEvent:
    return {
        "type": "patch_apply_end",
        "call_id": call.call_id,
        "turn_id": ctx.turn_id,
        "stdout": stdout,
        "stderr": stderr,
        "success": status == "completed",
        "changes": changes,
        "status": status,
    }

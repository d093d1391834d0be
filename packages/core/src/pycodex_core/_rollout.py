"""Rollout files: `$CODEX_HOME/sessions/YYYY/MM/DD/rollout-<time>-<thread id>.jsonl`, one JSON line per record."""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, cast

from ._history import drop_last_user_turns
from ._json import as_object, objects
from .errors import RolloutError

__all__ = ["RolloutRecorder", "RolloutState", "find_latest_rollout", "find_rollout", "read_rollout"]

logger = logging.getLogger(__name__)

_UUID_RE = re.compile(r"([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$")

PERSISTED_EVENTS = frozenset(
    {
        "user_message",
        "agent_message",
        "agent_reasoning",
        "agent_reasoning_raw_content",
        "token_count",
        "thread_name_updated",
        "context_compacted",
        "entered_review_mode",
        "exited_review_mode",
        "thread_rolled_back",
        "undo_completed",
        "turn_aborted",
        "task_started",
        "task_complete",
        "error",
        "exec_command_end",
        "patch_apply_end",
        "guardian_assessment",
        "view_image_tool_call",
        "web_search_end",
        "mcp_tool_call_end",
    }
)
"""Event types written to the rollout (Codex's limited set plus the tool-end events)."""


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class RolloutRecorder:
    """Appends rollout lines to a file, flushing each one as it is written.

    Args:
        path: The rollout file (created with its parent directories if missing).
        next_ordinal: The `ordinal` of the next line (continue a resumed file's numbering).
    """

    def __init__(self, path: Path, next_ordinal: int = 0) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        """The file being written."""
        self._ordinal = next_ordinal
        self._file: IO[bytes] | None = path.open("ab", buffering=0)
        self._line_open = _ends_mid_line(path)
        """The file does not end with a newline (a crash or a failed write cut a line short)."""

    @staticmethod
    def new_path(codex_home: Path, thread_id: str, now: datetime | None = None) -> Path:
        """The path of a new rollout for `thread_id`, dated by local time."""
        now = now or datetime.now()
        day = codex_home / "sessions" / f"{now:%Y}" / f"{now:%m}" / f"{now:%d}"
        return day / f"rollout-{now:%Y-%m-%dT%H-%M-%S}-{thread_id}.jsonl"

    def record(self, kind: str, payload: Any) -> None:
        """Write one line `{"timestamp", "ordinal", "type": kind, "payload"}` and flush it."""
        if self._file is None:
            return
        line = {"timestamp": _now_iso(), "ordinal": self._ordinal, "type": kind, "payload": payload}
        self._ordinal += 1
        try:
            try:
                encoded = (json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate: escaped, the line stays valid UTF-8
                encoded = (json.dumps(line, separators=(",", ":")) + "\n").encode("ascii")
        except (TypeError, ValueError, RecursionError):
            logger.exception("cannot serialize a %s rollout line", kind)
            return
        # Whole lines only, and never glued onto a line a crash or a failed write cut short.
        data = memoryview((b"\n" if self._line_open else b"") + encoded)
        try:
            while data:
                written = self._file.write(data)
                self._line_open = True
                data = data[written:]
            self._line_open = False
        except OSError:
            logger.exception("failed to write rollout line to %s", self.path)

    def record_item(self, item: dict[str, Any]) -> None:
        """Record a response item (a history entry)."""
        self.record("response_item", item)

    def record_event(self, msg: dict[str, Any]) -> None:
        """Record an event message if its type is one that rollouts keep."""
        if msg.get("type") in PERSISTED_EVENTS:
            self.record("event_msg", msg)

    def close(self) -> None:
        """Close the file; later records are ignored."""
        if self._file is not None:
            self._file.close()
            self._file = None


def _ends_mid_line(path: Path) -> bool:
    """Whether `path` is non-empty and its last byte is not a newline."""
    try:
        with path.open("rb") as f:
            f.seek(0, 2)
            if f.tell() == 0:
                return False
            f.seek(-1, 2)
            return f.read(1) != b"\n"
    except OSError:
        return False


@dataclass
class RolloutState:
    """What a rollout file holds, rebuilt for resume or fork."""

    path: Path
    """The file read."""
    thread_id: str | None = None
    """The thread id from `session_meta` (or the file name)."""
    meta: dict[str, Any] = field(default_factory=dict[str, Any])
    """The `session_meta` payload."""
    history: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    """Model history: response items, with `compacted` replacement histories applied."""
    events: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])
    """Persisted event messages, for replay in `session_configured.initial_messages`."""
    last_turn_context: dict[str, Any] | None = None
    """The last `turn_context` payload."""
    next_ordinal: int = 0
    """One past the highest `ordinal` seen."""
    skipped_lines: int = 0
    """Lines that were not valid JSON objects (skipped with a warning)."""
    restate_permissions: bool = False
    """A rollback dropped the last permissions message: the next turn must state the permissions again."""


def _apply_line(state: RolloutState, kind: Any, payload: Any) -> None:
    obj = as_object(payload)
    if obj is None:
        return
    if kind == "session_meta":
        if not state.meta:
            state.meta = obj
            state.thread_id = str(obj.get("id") or obj.get("session_id") or "") or state.thread_id
    elif kind == "response_item" and "type" in obj:
        state.history.append(obj)
        if obj.get("role") == "developer":
            state.restate_permissions = False
    elif kind == "event_msg":
        state.events.append(obj)
        if obj.get("type") == "thread_rolled_back" and isinstance(obj.get("num_turns"), int):
            kept = drop_last_user_turns(state.history, int(obj["num_turns"]))
            if any(item.get("role") == "developer" for item in state.history[len(kept) :]):
                state.restate_permissions = True
            state.history = kept
    elif kind == "turn_context":
        state.last_turn_context = obj
    elif kind == "compacted":
        replacement: object = obj.get("replacement_history")
        if isinstance(replacement, list):
            state.history = objects(replacement)
        else:
            message = str(obj.get("message", ""))
            state.history = [
                item
                for item in state.history
                if item.get("type") == "message" and item.get("role") in ("developer", "user")
            ]
            state.history.append(
                {"type": "message", "role": "user", "content": [{"type": "input_text", "text": message}]}
            )
    # Unknown kinds (world_state, token_usage_record, ...) are ignored.


MAX_LINE_DEPTH = 200
"""Rollout lines nested deeper than this are skipped on reading (nothing pycodex writes comes close)."""
_SURROGATE = re.compile("[\ud800-\udfff]")


def _loads_line(raw: str) -> Any:
    """One rollout line parsed, or `None` when it is not JSON or nests too deep (checked without recursion)."""
    try:
        line = json.loads(raw)
    except (ValueError, RecursionError):
        return None
    suspicious = "\\u" in raw.lower() and re.search(r"\\u[dD][89a-fA-F]", raw) is not None
    if raw.count("[") + raw.count("{") <= MAX_LINE_DEPTH and not suspicious:
        return line
    stack: list[tuple[Any, int]] = [(line, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_LINE_DEPTH:
            return None
        if isinstance(node, dict):
            children: list[tuple[Any, Any]] = list(cast("dict[Any, Any]", node).items())
        elif isinstance(node, list):
            children = list(enumerate(cast("list[Any]", node)))
        else:
            children = []
        for key, value in children:
            if isinstance(value, str) and _SURROGATE.search(value):
                node[key] = _SURROGATE.sub("\ufffd", value)
            elif isinstance(value, dict | list):
                stack.append((cast("Any", value), depth + 1))
    return line


def turn_permissions(sandbox_policy: Any, approval_policy: Any) -> tuple[str, str] | None:
    """`(sandbox mode, approval policy)` of a turn context, as written in a rollout; `None` when unknown."""
    policy = as_object(sandbox_policy)
    mode = policy.get("type") if policy is not None else sandbox_policy
    if not isinstance(mode, str) or not isinstance(approval_policy, str):
        return None
    return mode, approval_policy


def read_rollout(path: Path) -> RolloutState:
    """Read a rollout written by pycodex or by Codex 0.169.

    Unknown line types and extra fields are ignored; a line that is not valid JSON, or nests deeper
    than `MAX_LINE_DEPTH`, is skipped with a warning. Lone surrogates in strings become U+FFFD.

    Raises:
        RolloutError: The file cannot be read.
    """
    state = RolloutState(path=path)
    match = _UUID_RE.search(path.name)
    if match:
        state.thread_id = match.group(1)
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise RolloutError(f"cannot read rollout {str(path)!r}: {exc.strerror or exc}") from exc
    ordinal = -1
    # JSON lines end with "\n" only: `str.splitlines` would also split at U+2028, U+2029, U+0085, ...
    lines = text.split("\n")
    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        line = as_object(_loads_line(raw))
        if line is None:
            logger.warning("skipping corrupt line %d of rollout %s", number, path)
            state.skipped_lines += 1
            continue
        if isinstance(line.get("ordinal"), int):
            ordinal = max(ordinal, line["ordinal"])
        _apply_line(state, line.get("type"), line.get("payload"))
    state.next_ordinal = ordinal + 1 if ordinal >= 0 else sum(1 for raw in lines if raw.strip())
    return state


def _rollout_files(codex_home: Path) -> list[Path]:
    root = codex_home / "sessions"
    if not root.is_dir():
        return []
    return sorted(root.glob("*/*/*/rollout-*.jsonl"), key=lambda p: p.name, reverse=True)


def _thread_id_for_name(codex_home: Path, name: str) -> str | None:
    index = codex_home / "session_index.jsonl"
    found: str | None = None
    try:
        lines = index.read_text(encoding="utf-8").split("\n")
    except OSError:
        return None
    for raw in lines:
        if not raw.strip():
            continue
        try:
            entry = as_object(json.loads(raw))
        except (ValueError, RecursionError):
            continue
        if entry is not None and entry.get("thread_name") == name and entry.get("id"):
            found = str(entry["id"])
    return found


def find_rollout(codex_home: Path, thread_id_or_name: str) -> Path | None:
    """Find the rollout of a thread by id (UUID), thread name (from `session_index.jsonl`) or path.

    Returns:
        The newest matching rollout file, or `None`.
    """
    candidate = Path(thread_id_or_name).expanduser()
    if candidate.suffix == ".jsonl" and candidate.is_file():
        return candidate
    wanted = thread_id_or_name.strip().lower()
    for attempt in (wanted, _thread_id_for_name(codex_home, thread_id_or_name)):
        if not attempt:
            continue
        for path in _rollout_files(codex_home):
            if path.name.endswith(f"-{attempt}.jsonl"):
                return path
    return None


def _meta_cwd(path: Path) -> str | None:
    try:
        with path.open(encoding="utf-8") as f:
            first = as_object(json.loads(f.readline()))
    except (OSError, ValueError, RecursionError):
        return None
    payload = as_object(first.get("payload")) if first is not None else None
    if payload is not None and first is not None and first.get("type") == "session_meta":
        return str(payload.get("cwd", ""))
    return None


def find_latest_rollout(codex_home: Path, cwd: Path | None = None) -> Path | None:
    """The newest rollout, optionally only among sessions whose `session_meta.cwd` is `cwd`."""
    wanted = None if cwd is None else str(Path(cwd).resolve())
    for path in _rollout_files(codex_home):
        if wanted is None:
            return path
        meta_cwd = _meta_cwd(path)
        if meta_cwd is not None and str(Path(meta_cwd).resolve()) == wanted:
            return path
    return None

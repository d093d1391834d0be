"""Adding rules to a `.rules` file: one line appended, duplicates skipped, everything else kept."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path

from pycodex_execpolicy._decision import Decision
from pycodex_execpolicy._errors import AmendError

__all__ = ["append_network_rule", "append_prefix_rule", "format_network_rule", "format_prefix_rule"]


def _quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def format_prefix_rule(
    prefix: Sequence[str], decision: Decision = Decision.ALLOW, justification: str | None = None
) -> str:
    """The `prefix_rule(...)` line for commands starting with `prefix`, as Codex writes it.

    Raises:
        AmendError: when `prefix` is empty.
    """
    if not prefix:
        raise AmendError("prefix rule requires at least one token")
    pattern = "[" + ", ".join(_quote(token) for token in prefix) + "]"
    extra = "" if justification is None else f", justification={_quote(justification)}"
    return f'prefix_rule(pattern={pattern}, decision="{decision.value}"{extra})'


def format_network_rule(host: str, protocol: str, decision: str, justification: str | None = None) -> str:
    """The `network_rule(...)` line Codex writes for a remembered network decision.

    Raises:
        AmendError: on an empty host, a protocol other than http/https, or an unknown decision.
    """
    host = host.strip()
    if not host:
        raise AmendError("network rule host cannot be empty")
    if protocol not in ("http", "https"):
        raise AmendError("network rule protocol must be http or https")
    if decision not in ("allow", "deny", "ask"):
        raise AmendError("network rule decision must be allow, deny, or ask")
    extra = "" if justification is None else f", justification={_quote(justification)}"
    return f'network_rule(host={_quote(host)}, protocol="{protocol}", decision="{decision}"{extra})'


def append_prefix_rule(
    path: str | os.PathLike[str],
    prefix: Sequence[str],
    decision: Decision = Decision.ALLOW,
    justification: str | None = None,
) -> bool:
    """Append a prefix rule to the rule file at `path` (created with its folder when missing).

    Returns False when the file already holds exactly that line.

    Raises:
        AmendError: when the prefix is empty or the file cannot be written.
    """
    return append_rule_line(path, format_prefix_rule(prefix, decision, justification))


def append_network_rule(
    path: str | os.PathLike[str], host: str, protocol: str, decision: str, justification: str | None = None
) -> bool:
    """Append a network rule to the rule file at `path`; False when it is already there.

    Raises:
        AmendError: on invalid input or when the file cannot be written.
    """
    return append_rule_line(path, format_network_rule(host, protocol, decision, justification))


def append_rule_line(path: str | os.PathLike[str], line: str) -> bool:
    """Append `line` under an exclusive lock unless the file already has it; False when it did.

    Raises:
        AmendError: when the file or its folder cannot be written.
    """
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise AmendError(f"failed to create policy directory {target.parent}: {exc.strerror or exc}") from None
    try:
        fd = os.open(target, os.O_RDWR | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise AmendError(f"failed to open policy file {target}: {exc.strerror or exc}") from None
    try:
        _lock(fd)
        with os.fdopen(fd, "r+b", closefd=False) as handle:
            handle.seek(0)
            contents = handle.read().decode("utf-8", "surrogateescape")
            if line in contents.splitlines():
                return False
            prefix = "\n" if contents and not contents.endswith("\n") else ""
            handle.write((prefix + line + "\n").encode("utf-8"))
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        raise AmendError(f"failed to write to policy file {target}: {exc.strerror or exc}") from None
    finally:
        os.close(fd)
    return True


def _lock(fd: int) -> None:
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        return
    fcntl.flock(fd, fcntl.LOCK_EX)

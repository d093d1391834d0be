"""Middle truncation of tool output, by approximate tokens (4 bytes each) or by bytes."""

from __future__ import annotations

__all__ = ["EXEC_MAX_TOKENS", "approx_tokens", "format_exec_output", "truncate_middle_bytes", "truncate_middle_tokens"]

_BYTES_PER_TOKEN = 4
EXEC_MAX_TOKENS = 10_000
"""The most output tokens an `exec_command` result carries, whatever `max_output_tokens` asks (Codex clamps to
the model's truncation limit)."""


def approx_tokens(text: str) -> int:
    """Approximate token count: UTF-8 bytes / 4, rounded up."""
    return (len(text.encode("utf-8")) + _BYTES_PER_TOKEN - 1) // _BYTES_PER_TOKEN


def _cut(data: bytes, keep: int) -> tuple[str, str]:
    head = data[: keep // 2].decode("utf-8", errors="ignore")
    tail = data[len(data) - (keep - keep // 2) :].decode("utf-8", errors="ignore") if keep else ""
    return head, tail


def truncate_middle_tokens(text: str, max_tokens: int) -> str:
    """Keep about `max_tokens` tokens of `text`, replacing the middle with `…N tokens truncated…`."""
    data = text.encode("utf-8")
    total = (len(data) + _BYTES_PER_TOKEN - 1) // _BYTES_PER_TOKEN
    if total <= max_tokens:
        return text
    head, tail = _cut(data, max(max_tokens, 0) * _BYTES_PER_TOKEN)
    return f"{head}…{total - max(max_tokens, 0)} tokens truncated…{tail}"


def truncate_middle_bytes(text: str, max_bytes: int) -> str:
    """Keep about `max_bytes` bytes of `text`, replacing the middle with `…N chars truncated…`."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    head, tail = _cut(data, max(max_bytes, 0))
    removed = len(text) - len(head) - len(tail)
    return f"{head}…{removed} chars truncated…{tail}"


def _line_count(text: str) -> int:
    return text.count("\n") + (0 if not text or text.endswith("\n") else 1)


def format_exec_output(output: bytes, max_tokens: int, dropped: int = 0) -> tuple[int, str]:
    """The original token count and the text the model sees for a command's output, as Codex formats them.

    `output` is what the capture buffer kept and `dropped` the bytes it lost from the middle, so the count is
    that of everything the command printed. When the output does not fit in `max_tokens` (at most
    `EXEC_MAX_TOKENS`), the text starts with a warning giving the original count and either the number of lines
    or the bytes the buffer omitted, and its middle is replaced by `…N tokens truncated…`.

    Returns:
        `(original_token_count, text)`.
    """
    original = (len(output) + dropped + _BYTES_PER_TOKEN - 1) // _BYTES_PER_TOKEN
    text = output.decode("utf-8", errors="replace")
    budget = min(max(max_tokens, 0), EXEC_MAX_TOKENS)
    if original <= budget and not dropped:
        return original, text
    counted = f"... {dropped} bytes omitted ...\n\n" if dropped else ""
    header = f"Warning: truncated output (original token count: {original})\n"
    header += counted or f"Total output lines: {_line_count(text)}\n\n"
    data = text.encode("utf-8")
    if approx_tokens(counted + text) <= budget:
        return original, header + text
    head, tail = _cut(data, budget * _BYTES_PER_TOKEN)
    removed = (len(counted) + len(data) + _BYTES_PER_TOKEN - 1) // _BYTES_PER_TOKEN - budget
    return original, f"{header}{head}…{removed} tokens truncated…{tail}"

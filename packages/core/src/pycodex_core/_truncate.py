"""Middle truncation of tool output, by approximate tokens (4 bytes each) or by bytes."""

from __future__ import annotations

__all__ = ["approx_tokens", "truncate_middle_bytes", "truncate_middle_tokens"]

_BYTES_PER_TOKEN = 4


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

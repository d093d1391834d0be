"""Identifiers: UUID v7 thread ids and short random chunk ids."""

from __future__ import annotations

import os
import time
import uuid

__all__ = ["chunk_id", "uuid7"]


def uuid7() -> str:
    """A time-ordered UUID v7 string (48-bit Unix milliseconds, then random bits)."""
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76
    value |= ((rand >> 64) & 0xFFF) << 64
    value |= 0b10 << 62
    value |= rand & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


def chunk_id() -> str:
    """Six lower-case hex digits, as in unified exec's `Chunk ID:` line."""
    return os.urandom(3).hex()

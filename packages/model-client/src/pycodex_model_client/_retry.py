"""Back-off between retries, as Codex computes it."""

from __future__ import annotations

import random

__all__ = ["backoff_delay"]

INITIAL_DELAY_S = 0.2
"""The first retry waits about this long."""


def backoff_delay(attempt: int, base_s: float = INITIAL_DELAY_S) -> float:
    """Seconds to wait before retry number `attempt` (1-based): `base × 2^(attempt-1) × jitter[0.9, 1.1]`.

    Args:
        attempt: 1 for the first retry, 2 for the second...
        base_s: The first delay (200 ms in Codex).
    """
    exp = 2.0 ** max(0, attempt - 1)
    return base_s * exp * random.uniform(0.9, 1.1)

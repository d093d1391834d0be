from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from issuer_support import FakeIssuer, running_issuer


@pytest.fixture
def issuer() -> Iterator[FakeIssuer]:
    yield from running_issuer()

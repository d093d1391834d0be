import os
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SNAPSHOTS = Path(__file__).parent / "snapshots"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def snapshot() -> Callable[[str, str], None]:
    """`snapshot(name, text)`: compare with (or, when updating, write) `snapshots/<name>.txt`."""
    return check_snapshot


def check_snapshot(name: str, text: str) -> None:
    """Compare `text` with `snapshots/<name>.txt`; `PYCODEX_UPDATE_SNAPSHOTS=1` rewrites the file."""
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get("PYCODEX_UPDATE_SNAPSHOTS") == "1" or not path.exists():
        SNAPSHOTS.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
        if os.environ.get("PYCODEX_UPDATE_SNAPSHOTS") != "1":
            pytest.fail(f"snapshot {path.name} was missing and has been written; review it and run again")
    assert text == path.read_text(encoding="utf-8")


sys.path.insert(0, str(Path(__file__).parent))  # for `tui_harness`

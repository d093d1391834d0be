from collections.abc import Iterator

import pytest

from pycodex_core.testing import validated_events


@pytest.fixture(autouse=True)
def _events_follow_the_protocol() -> Iterator[None]:
    """Every event a session emits during a test must validate against the protocol."""
    with validated_events() as problems:
        yield
    assert not problems, "events the protocol does not define:\n" + "\n".join(problems)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"

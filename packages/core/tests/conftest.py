from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pycodex_config import CliOverrides, Config, load_config
from pycodex_core.testing import validated_events


@pytest.fixture(autouse=True)
def _events_follow_the_protocol() -> Iterator[None]:
    """Every event a test's session emits must validate against the protocol."""
    with validated_events() as problems:
        yield
    assert not problems, "events the protocol does not define:\n" + "\n".join(problems)


@pytest.fixture
def mock_provider(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], tuple[str, ...]]:
    """`-c` overrides selecting a Responses provider at `base_url` (key `sk-test` in `MOCK_API_KEY`)."""
    monkeypatch.setenv("MOCK_API_KEY", "sk-test")

    def overrides(base_url: str) -> tuple[str, ...]:
        return (
            'model_provider="mock"',
            'model_providers.mock.name="mock"',
            f'model_providers.mock.base_url="{base_url}"',
            'model_providers.mock.env_key="MOCK_API_KEY"',
            'model_providers.mock.wire_api="responses"',
        )

    return overrides


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    ws = tmp_path / "ws"
    ws.mkdir()
    return ws


@pytest.fixture
def codex_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    home.mkdir()
    return home


ConfigFactory = Callable[..., Config]


@pytest.fixture
def make_config(workspace: Path, codex_home: Path, monkeypatch: pytest.MonkeyPatch) -> ConfigFactory:
    monkeypatch.delenv("CODEX_HOME", raising=False)

    def factory(
        *, sandbox: str = "danger-full-access", model: str = "gpt-5.5", overrides: tuple[str, ...] = (), **cli: Any
    ) -> Config:
        return load_config(
            cwd=workspace,
            codex_home=codex_home,
            overrides=('approval_policy="never"', *overrides),
            cli=CliOverrides(model=model, sandbox_mode=sandbox, **cli),  # pyright: ignore[reportArgumentType]
        )

    return factory


os.environ.setdefault("PYCODEX_TEST", "1")

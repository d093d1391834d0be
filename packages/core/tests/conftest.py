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

"""A running `TuiApp` under prompt-toolkit pipe input, over a fake core that records ops."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from pycodex_config import HistoryConfig, SandboxWorkspaceWrite, TuiConfig
from pycodex_core import SessionClosed
from pycodex_tui import StartSpec, TuiApp
from pycodex_tui._text import markup

CONFIGURED = {
    "type": "session_configured",
    "session_id": "0199-bbbb",
    "model": "gpt-5.5",
    "reasoning_effort": "medium",
    "cwd": "/w",
    "approval_policy": "on-request",
    "sandbox_policy": {"type": "read-only"},
}


class FakeCodex:
    def __init__(self) -> None:
        self.ops: list[dict[str, Any]] = []
        self.send, self.recv = anyio.create_memory_object_stream[dict[str, Any]](100)

    async def submit(self, op: dict[str, Any]) -> str:
        self.ops.append(op)
        return str(len(self.ops))

    async def next_event(self) -> dict[str, Any]:
        try:
            return await self.recv.receive()
        except anyio.EndOfStream:
            raise SessionClosed("closed") from None

    async def emit(self, msg: dict[str, Any]) -> None:
        await self.send.send({"id": "1", "msg": msg})

    def kinds(self) -> list[str]:
        return [op["type"] for op in self.ops]


class RecordingOutput(DummyOutput):
    """An output that keeps what is written raw (escape sequences such as notifications)."""

    def __init__(self, rows: int = 30, columns: int = 80) -> None:
        self.raw: list[str] = []
        self._size = Size(rows=rows, columns=columns)

    def write_raw(self, data: str) -> None:
        self.raw.append(data)

    def get_size(self) -> Size:
        return self._size

    def text(self) -> str:
        return "".join(self.raw)


def make_config(tmp: Path, tui: TuiConfig | None = None) -> Any:
    return SimpleNamespace(
        codex_home=tmp / "home",
        cwd=tmp,
        tui=tui or TuiConfig(),
        history=HistoryConfig(),
        hide_agent_reasoning=False,
        mcp_servers={},
        model="gpt-5.5",
        model_reasoning_effort=None,
        config_files=(),
        sandbox_workspace_write=SandboxWorkspaceWrite(),
        project_doc_max_bytes=32 * 1024,
        project_doc_fallback_filenames=(),
        project_root_markers=(".git",),
        user_instructions=None,
    )


async def until(predicate: Callable[[], bool], seconds: float = 5) -> None:
    with anyio.fail_after(seconds):
        while not predicate():  # noqa: ASYNC110 - the state is changed by keys the app reads itself
            await anyio.sleep(0.01)


class Harness:
    def __init__(self, ui: TuiApp, fake: FakeCodex, inp: PipeInput, output: RecordingOutput) -> None:
        self.ui, self.fake, self.inp, self.output = ui, fake, inp, output

    def transcript(self) -> str:
        return markup(self.ui.scrollback.lines)

    def keys(self, text: str) -> None:
        self.inp.send_text(text)


@asynccontextmanager
async def running(tmp_path: Path, tui: TuiConfig | None = None, **kwargs: Any) -> AsyncIterator[Harness]:
    fake = FakeCodex()

    @asynccontextmanager
    async def start(spec: StartSpec) -> AsyncIterator[FakeCodex]:
        yield fake

    output = RecordingOutput()
    with create_pipe_input() as inp:
        ui = TuiApp(make_config(tmp_path, tui), start, version="0.1.0", input=inp, output=output, **kwargs)
        async with anyio.create_task_group() as tg:
            tg.start_soon(ui.run)
            await fake.emit(CONFIGURED)
            await until(lambda: ui.session_id != "")
            yield Harness(ui, fake, inp, output)
            ui.quit()
            with anyio.fail_after(5):
                while ui.app.is_running:  # noqa: ASYNC110 - prompt-toolkit offers no exit event
                    await anyio.sleep(0.01)
            tg.cancel_scope.cancel()
    fake.send.close()
    fake.recv.close()

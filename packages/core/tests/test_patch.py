"""Where `apply_patch` may write, by sandbox mode."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, custom_tool_call, response

pytestmark = pytest.mark.anyio

ConfigFactory = Callable[..., Config]


async def _patch_outside(make_config: ConfigFactory, tmp_path: Path, sandbox: str, policy: str | None = None) -> str:
    # tmp_path is under /tmp, a writable root of workspace-write unless excluded.
    config = make_config(sandbox=sandbox, overrides=("sandbox_workspace_write.exclude_slash_tmp=true",))
    target = tmp_path / "outside" / "new.txt"
    patch = f"*** Begin Patch\n*** Add File: {target}\n+hello\n*** End Patch\n"
    transport = ScriptedTransport(
        [response(custom_tool_call("apply_patch", patch, call_id="p")), response(assistant_message("done"))]
    )
    with anyio.fail_after(10):
        async with Codex.start(config, transport=transport) as codex:
            if policy is not None:
                override: Any = {"type": "override_turn_context", "sandbox_policy": {"type": policy}}
                await codex.submit(override)
            await collect_turn(codex, "write outside the workspace")
    [output] = [i["output"] for i in transport.requests[1]["input"] if i["type"] == "custom_tool_call_output"]
    return output


@pytest.mark.parametrize(("sandbox", "policy"), [("danger-full-access", None), ("read-only", "external-sandbox")])
async def test_full_access_patches_are_not_confined_to_cwd(
    make_config: ConfigFactory, tmp_path: Path, sandbox: str, policy: str | None
) -> None:
    output = await _patch_outside(make_config, tmp_path, sandbox, policy)
    assert output.startswith("Exit code: 0\n")
    assert (tmp_path / "outside" / "new.txt").read_text(encoding="utf-8") == "hello\n"


async def test_workspace_write_stays_confined(
    make_config: ConfigFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("TMPDIR", raising=False)
    output = await _patch_outside(make_config, tmp_path, "workspace-write")
    assert output.startswith("Exit code: 1\n")
    assert "outside the writable roots" in output
    assert not (tmp_path / "outside").exists()


async def test_read_only_refuses_wherever_the_patch_writes(make_config: ConfigFactory, tmp_path: Path) -> None:
    output = await _patch_outside(make_config, tmp_path, "read-only")
    assert output.startswith("Exit code: 1\n")
    assert "read-only sandbox" in output
    assert not (tmp_path / "outside").exists()

"""Where `apply_patch` may write, by sandbox mode."""

from __future__ import annotations

import os
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
    assert output == "patch rejected: writing outside of the project; rejected by user approval settings"
    assert not (tmp_path / "outside").exists()


async def test_read_only_refuses_wherever_the_patch_writes(make_config: ConfigFactory, tmp_path: Path) -> None:
    output = await _patch_outside(make_config, tmp_path, "read-only")
    assert output.startswith("Exit code: 1\n")
    assert "read-only sandbox" in output
    assert not (tmp_path / "outside").exists()


async def _run_patch(make_config: ConfigFactory, workspace: Path, patch: str) -> tuple[str, list[str]]:
    config = make_config(sandbox="workspace-write")
    transport = ScriptedTransport(
        [response(custom_tool_call("apply_patch", patch, call_id="p")), response(assistant_message("done"))]
    )
    with anyio.fail_after(10):
        async with Codex.start(config, transport=transport) as codex:
            events = await collect_turn(codex, "edit metadata")
    [output] = [i["output"] for i in transport.requests[1]["input"] if i["type"] == "custom_tool_call_output"]
    return output, [str(e["type"]) for e in events]


def _files(root: Path) -> list[tuple[str, bytes]]:
    return sorted((str(p), p.read_bytes() if p.is_file() else b"") for p in root.rglob("*"))


@pytest.mark.parametrize(
    "hunk",
    [
        '*** Update File: .git/config\n@@ [core]\n+\tfsmonitor = "touch pwned; false"',
        "*** Add File: .git/hooks/pre-commit\n+#!/bin/sh",
        "*** Delete File: .git/HEAD",
        '*** Add File: .codex/config.toml\n+sandbox_mode = "danger-full-access"',
        "*** Add File: .agents/skills/x.md\n+x",
    ],
)
async def test_workspace_write_keeps_metadata_read_only(make_config: ConfigFactory, workspace: Path, hunk: str) -> None:
    (workspace / ".git" / "hooks").mkdir(parents=True, exist_ok=True)
    (workspace / ".git" / "config").write_text("[core]\n\tbare = false\n", encoding="utf-8")
    (workspace / ".git" / "HEAD").write_text("ref: refs/heads/main\n", encoding="utf-8")
    before = _files(workspace)
    output, kinds = await _run_patch(make_config, workspace, f"*** Begin Patch\n{hunk}\n*** End Patch\n")
    assert output == "patch rejected: writing outside of the project; rejected by user approval settings"
    assert not {"patch_apply_begin", "patch_apply_end"} & set(kinds)
    assert _files(workspace) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="needs FIFOs and /dev/zero")
async def test_deleting_links_to_devices_and_fifos_never_reads_them(
    make_config: ConfigFactory, workspace: Path
) -> None:
    os.mkfifo(workspace / "pipe")
    (workspace / "cache").symlink_to("/dev/zero")
    (workspace / "rnd").symlink_to("/dev/urandom")
    (workspace / "plink").symlink_to("pipe")
    patch = "*** Begin Patch\n" + "".join(f"*** Delete File: {n}\n" for n in ("cache", "rnd", "plink", "pipe"))
    output, kinds = await _run_patch(make_config, workspace, patch + "*** End Patch\n")
    assert output.startswith("Exit code: 0\n"), output
    assert "patch_apply_end" in kinds
    assert _files(workspace) == []

"""Issue 10, item 1: `codex exec` under workspace-write refuses patches to `.git` and `.codex`, as Codex 0.169."""

from __future__ import annotations

from e2e_support import Env, message_turn, patch_turn

from pycodex_test_support import ScriptedServer

REFUSAL = "patch rejected: writing outside of the project; rejected by user approval settings"
FSMONITOR = (
    '*** Begin Patch\n*** Update File: .git/config\n@@ [core]\n+\tfsmonitor = "touch pwned; false"\n*** End Patch\n'
)
CODEX_CONFIG = (
    '*** Begin Patch\n*** Add File: .codex/config.toml\n+sandbox_mode = "danger-full-access"\n*** End Patch\n'
)


def test_exec_refuses_metadata_patches_under_workspace_write(env: Env) -> None:
    config_before = (env.work / ".git" / "config").read_bytes()
    turns = [patch_turn("call_1", FSMONITOR), patch_turn("call_2", CODEX_CONFIG), message_turn("done")]
    with ScriptedServer(turns) as server:
        env.write_config(server.base_url)
        config = env.home / "config.toml"
        config.write_text(
            config.read_text(encoding="utf-8").replace("danger-full-access", "workspace-write"), encoding="utf-8"
        )
        r = env.run("--json", "edit the repository metadata")
        bodies = server.bodies()
    assert r.rc == 0, r.stderr
    outputs = [
        item["output"]
        for item in bodies[-1]["input"]
        if isinstance(item, dict) and item.get("type") == "custom_tool_call_output"
    ]
    assert outputs == [REFUSAL, REFUSAL]
    assert r.items("file_change") == []
    assert (env.work / ".git" / "config").read_bytes() == config_before
    assert not (env.work / ".codex").exists()

from __future__ import annotations

from pathlib import Path

import pytest

from pycodex_config import (
    CliOverrides,
    ConfigError,
    McpServerConfig,
    ModelProviderInfo,
    ProjectConfig,
    ShellEnvironmentPolicy,
    find_codex_home,
    load_config,
)

# reference/codex-core.md Appendix A.1, verbatim
A1 = """\
model = "gpt-5.5"            # or any slug; unknown slugs use fallback metadata
model_provider = "mock"
check_for_update_on_startup = false
[model_providers.mock]
name = "Mock"
base_url = "http://127.0.0.1:18080/v1"
env_key = "MOCK_API_KEY"
wire_api = "responses"
[analytics]
enabled = false
"""


def write(home: Path, text: str, name: str = "config.toml") -> Path:
    path = home / name
    path.write_text(text, encoding="utf-8")
    return path


def test_reference_a1_config_loads_without_warnings(codex_home: Path, workdir: Path) -> None:
    write(codex_home, A1)
    config = load_config(cwd=workdir)
    assert config.codex_home == codex_home.resolve()
    assert config.model == "gpt-5.5"
    assert config.model_provider_id == "mock"
    assert config.model_provider == ModelProviderInfo(
        name="Mock", base_url="http://127.0.0.1:18080/v1", env_key="MOCK_API_KEY", wire_api="responses"
    )
    assert config.warnings == ()
    assert config.raw["analytics"] == {"enabled": False}
    assert config.approval_policy == "on-request"
    assert config.sandbox_mode == "read-only"
    assert config.sandbox_policy == {"type": "read-only"}
    assert config.config_files == (codex_home / "config.toml",)


def test_defaults_without_config_file(codex_home: Path, workdir: Path) -> None:
    config = load_config(cwd=workdir)
    assert config.model == "gpt-6.1-sol"
    assert config.model_provider_id == "openai"
    assert config.model_provider.requires_openai_auth
    assert config.model_provider.base_url is None
    assert config.project_doc_max_bytes == 32768
    assert config.shell_environment_policy == ShellEnvironmentPolicy()
    assert config.tools_update_plan is False  # off by default in Codex 0.169
    assert config.features["unified_exec"] is True
    assert config.features["memories"] is False
    assert config.history.persistence == "save-all"
    assert config.tui.status_line == ("model-with-reasoning", "current-dir")
    assert config.notify is None


FULL = """\
model = "o3"
model_reasoning_effort = "high"
model_reasoning_summary = "detailed"
model_verbosity = "low"
approval_policy = "on-failure"
sandbox_mode = "workspace-write"
notify = ["notify-send", "Codex"]
openai_base_url = "http://127.0.0.1:9/v1"
oss_provider = "lmstudio"
project_doc_max_bytes = 0
project_doc_fallback_filenames = ["CLAUDE.md"]
developer_instructions = "be brief"
instructions = "user rules"
model_context_window = 100000
model_auto_compact_token_limit = 90000
hide_agent_reasoning = true
show_raw_agent_reasoning = true

[sandbox_workspace_write]
writable_roots = ["/opt/extra", "rel"]
network_access = true
exclude_tmpdir_env_var = true
exclude_slash_tmp = false

[shell_environment_policy]
inherit = "core"
ignore_default_excludes = false
exclude = ["AWS_*"]
set = { CI = "1" }
include_only = ["PATH", "HOME", "CI"]

[mcp_servers.docs]
command = "npx"
args = ["-y", "docs-server"]
env = { TOKEN_FILE = "/x" }
cwd = "/srv"
startup_timeout_sec = 20
tool_timeout_sec = 5.5
enabled_tools = ["search"]

[mcp_servers.remote]
url = "http://127.0.0.1:8000/mcp"
bearer_token_env_var = "REMOTE_TOKEN"
http_headers = { "X-Team" = "core" }
enabled = false
disabled_tools = ["delete"]

[projects."/home/u/work"]
trust_level = "trusted"

[tools]
web_search = true
update_plan = { enabled = false }

[features]
memories = true

[otel]
environment = "prod"
exporter = { otlp-http = { endpoint = "http://127.0.0.1:4318", protocol = "json" } }
log_user_prompt = true

[tui]
notifications = ["agent-turn-complete"]
animations = false
alternate_screen = "never"
vim_mode_default = true
notification_method = "osc777"
notification_condition = "always"

[history]
persistence = "none"
max_bytes = 1000
"""


def test_all_documented_keys_are_read(codex_home: Path, workdir: Path) -> None:
    write(codex_home, FULL)
    config = load_config(cwd=workdir)
    assert config.warnings == ()
    assert (config.model, config.model_reasoning_effort, config.model_reasoning_summary) == ("o3", "high", "detailed")
    assert config.model_verbosity == "low"
    assert config.approval_policy == "on-failure"
    assert config.sandbox_policy == {
        "type": "workspace-write",
        "writable_roots": ["/opt/extra", str(workdir.resolve() / "rel")],
        "network_access": True,
        "exclude_tmpdir_env_var": True,
        "exclude_slash_tmp": False,
    }
    assert config.notify == ("notify-send", "Codex")
    assert config.model_providers["openai"].base_url == "http://127.0.0.1:9/v1"
    assert config.oss_provider == "lmstudio"
    assert config.project_doc_max_bytes == 0
    assert config.project_doc_fallback_filenames == ("CLAUDE.md",)
    assert (config.developer_instructions, config.user_instructions) == ("be brief", "user rules")
    assert (config.model_context_window, config.model_auto_compact_token_limit) == (100000, 90000)
    assert config.hide_agent_reasoning and config.show_raw_agent_reasoning
    assert config.shell_environment_policy == ShellEnvironmentPolicy(
        inherit="core",
        ignore_default_excludes=False,
        exclude=("AWS_*",),
        set={"CI": "1"},
        include_only=("PATH", "HOME", "CI"),
    )
    docs = config.mcp_servers["docs"]
    assert (docs.transport, docs.command, docs.args, docs.cwd) == ("stdio", "npx", ("-y", "docs-server"), "/srv")
    assert (docs.startup_timeout_sec, docs.tool_timeout_sec, docs.enabled_tools) == (20.0, 5.5, ("search",))
    remote = config.mcp_servers["remote"]
    assert isinstance(remote, McpServerConfig)
    assert (remote.transport, remote.url, remote.bearer_token_env_var) == (
        "http",
        "http://127.0.0.1:8000/mcp",
        "REMOTE_TOKEN",
    )
    assert (remote.enabled, remote.disabled_tools, dict(remote.http_headers)) == (
        False,
        ("delete",),
        {"X-Team": "core"},
    )
    assert config.projects == {"/home/u/work": ProjectConfig(trust_level="trusted")}
    assert config.tools_web_search is True and config.tools_update_plan is False
    assert config.features["memories"] is True
    assert config.otel.environment == "prod" and config.otel.log_user_prompt
    assert config.otel.exporter == {"otlp-http": {"endpoint": "http://127.0.0.1:4318", "protocol": "json"}}
    assert config.tui.notifications == ("agent-turn-complete",)
    assert config.tui.animations is False and config.tui.alternate_screen == "never"
    assert config.tui.vim_mode_default is True
    assert (config.tui.notification_method, config.tui.notification_condition) == ("osc777", "always")
    assert (config.history.persistence, config.history.max_bytes) == ("none", 1000)


def test_trust_derives_defaults_and_is_trusted(codex_home: Path, tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "sub").mkdir()
    untrusted = tmp_path / "other"
    untrusted.mkdir()
    write(
        codex_home,
        f'[projects."{repo.resolve()}"]\ntrust_level = "trusted"\n'
        f'[projects."{untrusted.resolve()}"]\ntrust_level = "untrusted"\n',
    )
    trusted_cfg = load_config(cwd=repo / "sub")
    assert trusted_cfg.is_trusted()
    assert (trusted_cfg.approval_policy, trusted_cfg.sandbox_mode) == ("on-request", "workspace-write")
    untrusted_cfg = load_config(cwd=untrusted)
    assert not untrusted_cfg.is_trusted()
    assert (untrusted_cfg.approval_policy, untrusted_cfg.sandbox_mode) == ("untrusted", "workspace-write")
    assert not untrusted_cfg.is_trusted(tmp_path)


def test_cli_flags_win_over_everything(codex_home: Path, workdir: Path) -> None:
    write(codex_home, 'model = "file"\napproval_policy = "never"\nsandbox_mode = "read-only"\n')
    extra = workdir / "extra"
    config = load_config(
        cwd=workdir,
        overrides=["model=override", "sandbox_mode=danger-full-access"],
        cli=CliOverrides(model="flag", approval_policy="on-request", sandbox_mode="workspace-write", add_dirs=[extra]),
    )
    assert config.model == "flag"
    assert config.approval_policy == "on-request"
    assert config.sandbox_policy["type"] == "workspace-write"
    assert config.sandbox_policy == {
        "type": "workspace-write",
        "writable_roots": [str(extra.resolve())],
        "network_access": False,
        "exclude_tmpdir_env_var": False,
        "exclude_slash_tmp": False,
    }
    yolo = load_config(cwd=workdir, cli=CliOverrides(dangerously_bypass_approvals_and_sandbox=True))
    assert (yolo.approval_policy, yolo.sandbox_policy) == ("never", {"type": "danger-full-access"})


def test_overrides_win_over_file(codex_home: Path, workdir: Path) -> None:
    write(codex_home, 'model = "file"\n[shell_environment_policy]\ninherit = "none"\n')
    config = load_config(cwd=workdir, overrides=["model=o3", "shell_environment_policy.inherit=all"])
    assert config.model == "o3"
    assert config.shell_environment_policy.inherit == "all"


def test_builtin_providers_and_oss_env(codex_home: Path, workdir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CODEX_OSS_PORT", "5555")
    config = load_config(cwd=workdir, cli=CliOverrides(oss=True))
    assert config.model_provider_id == "ollama"
    assert config.model_provider.base_url == "http://localhost:5555/v1"
    assert config.model == "gpt-oss:20b"
    assert set(config.model_providers) >= {"openai", "ollama", "lmstudio", "llamacpp"}
    monkeypatch.setenv("CODEX_OSS_BASE_URL", "http://127.0.0.1:7/v1")
    lm = load_config(cwd=workdir, cli=CliOverrides(oss=True, model_provider="lmstudio"))
    assert lm.model_provider.base_url == "http://127.0.0.1:7/v1"
    assert lm.model == "openai/gpt-oss-20b"


def test_wire_api_chat_is_accepted(codex_home: Path, workdir: Path) -> None:
    write(
        codex_home,
        'model_provider = "local"\n[model_providers.local]\nname = "L"\n'
        'base_url = "http://127.0.0.1:1/v1"\nwire_api = "chat"\n',
    )
    assert load_config(cwd=workdir).model_provider.wire_api == "chat"


def test_builtin_provider_cannot_be_replaced(codex_home: Path, workdir: Path) -> None:
    write(codex_home, '[model_providers.openai]\nname = "Mine"\nbase_url = "http://x"\n')
    config = load_config(cwd=workdir)
    assert config.model_provider.name == "OpenAI"
    assert config.warnings == ("`model_providers.openai` cannot replace the built-in provider; ignored",)


def test_unknown_provider_lists_known_ids(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, 'model = "m"\nmodel_provider = "bogus"\n')
    with pytest.raises(ConfigError) as info:
        load_config(cwd=workdir)
    assert str(info.value) == (
        f"Error loading config.toml: {path}:2: model_provider: model provider `bogus` not found; "
        "known providers: llamacpp, lmstudio, ollama, openai"
    )


def test_mcp_server_without_transport(codex_home: Path, workdir: Path) -> None:
    path = write(codex_home, '[mcp_servers.x]\nargs = ["a"]\n')
    with pytest.raises(ConfigError, match=rf"^Error loading config.toml: {path}:1: mcp_servers.x: invalid transport"):
        load_config(cwd=workdir)


def test_model_instructions_file(codex_home: Path, workdir: Path) -> None:
    (codex_home / "prompt.md").write_text("You are a test.", encoding="utf-8")
    write(codex_home, 'model_instructions_file = "prompt.md"\n')
    assert load_config(cwd=workdir).base_instructions == "You are a test."
    write(codex_home, 'model_instructions_file = "missing.md"\n')
    with pytest.raises(ConfigError, match="config.toml:1: model_instructions_file: cannot read"):
        load_config(cwd=workdir)


def test_ignore_user_config(codex_home: Path, workdir: Path) -> None:
    write(codex_home, 'model = "file"\n')
    assert load_config(cwd=workdir, ignore_user_config=True).model == "gpt-6.1-sol"


def test_find_codex_home(tmp_path: Path) -> None:
    assert find_codex_home({}) == Path.home() / ".codex"
    assert find_codex_home({"CODEX_HOME": str(tmp_path)}) == tmp_path.resolve()
    with pytest.raises(ConfigError, match="does not exist"):
        find_codex_home({"CODEX_HOME": str(tmp_path / "nope")})

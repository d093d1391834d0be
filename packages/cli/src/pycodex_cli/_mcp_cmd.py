"""`codex mcp add|list|get|remove|login|logout`: manage `[mcp_servers.NAME]` in config.toml.

`list` and `get` answer from config alone (no server is started, nothing is imported beyond the
config loader); `add` and `remove` edit config.toml in place, keeping its comments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pycodex_config import Config, McpServerConfig

__all__ = ["main", "parse", "run", "serve"]

_MASK = "*****"


_ACTIONS = ("add", "list", "get", "remove", "login", "logout")
_VALUED = ("-c", "--config", "--enable", "--disable")


def _action_word(argv: Sequence[str]) -> str | None:
    """The subcommand named in `argv` (skipping the values of the global flags), if any."""
    i = 0
    while i < len(argv):
        word = argv[i]
        if word in _VALUED:
            i += 2
            continue
        if not word.startswith("-"):
            return word if word in _ACTIONS else None
        i += 1
    return None


def _add_parser(sub: Any) -> None:
    add = sub.add_parser("add", help="Add a global MCP server entry")
    add.add_argument("name", metavar="NAME", help="Name for the MCP server configuration")
    add.add_argument("command", nargs="*", metavar="COMMAND", help="Command to launch the server (after --)")
    add.add_argument("--env", action="append", default=[], metavar="KEY=VALUE", help="Environment for stdio servers")
    add.add_argument("--url", help="URL for a streamable HTTP MCP server")
    add.add_argument("--bearer-token-env-var", metavar="ENV_VAR", help="Variable holding a bearer token (HTTP)")
    add.add_argument("--oauth-client-id", metavar="CLIENT_ID", help="OAuth client identifier for this server")
    add.add_argument("--oauth-client-secret", metavar="CLIENT_SECRET", help="OAuth secret of the pre-registered client")
    add.add_argument("--oauth-client-registration", choices=["auto", "cimd", "dcr"], help="Registration strategy")
    add.add_argument("--oauth-resource", metavar="RESOURCE", help="OAuth resource parameter for the login")


def _show_parser(sub: Any, name: str) -> None:
    p = sub.add_parser(name, help="List configured MCP servers" if name == "list" else "Show one MCP server")
    if name == "get":
        p.add_argument("name", metavar="NAME")
    p.add_argument("--json", action="store_true", help="Output as JSON")


def _login_parser(sub: Any) -> None:
    login = sub.add_parser("login", help="Authenticate with an MCP server over OAuth")
    login.add_argument("name", metavar="NAME")
    login.add_argument("--scopes", metavar="SCOPE,SCOPE", help="Comma-separated OAuth scopes to request")
    login.add_argument("--no-browser", action="store_true", help="Print the URL instead of opening a browser")
    login.add_argument("--oauth-client-registration", choices=["auto", "cimd", "dcr"], help="Registration strategy")


def _parser(only: str | None = None) -> argparse.ArgumentParser:
    """The `codex mcp` parser; with `only`, just that subcommand's (building all of them costs milliseconds)."""
    parser = argparse.ArgumentParser(prog="codex mcp", description="Manage external MCP servers")
    parser.add_argument("-c", "--config", dest="top_config", action="append", default=[], metavar="key=value")
    parser.add_argument("--enable", dest="top_enable", action="append", default=[], metavar="FEATURE")
    parser.add_argument("--disable", dest="top_disable", action="append", default=[], metavar="FEATURE")
    sub = parser.add_subparsers(dest="action", required=True, metavar="COMMAND")
    builders: dict[str, Any] = {
        "add": lambda: _add_parser(sub),
        "list": lambda: _show_parser(sub, "list"),
        "get": lambda: _show_parser(sub, "get"),
        "remove": lambda: sub.add_parser("remove", help="Remove a global MCP server entry").add_argument(
            "name", metavar="NAME"
        ),
        "login": lambda: _login_parser(sub),
        "logout": lambda: sub.add_parser("logout", help="Forget the OAuth tokens of an MCP server").add_argument(
            "name", metavar="NAME"
        ),
    }
    for name in _ACTIONS:
        if only is None or name == only:
            builders[name]()
    for p in sub.choices.values():  # global flags are accepted after the subcommand too
        p.add_argument("-c", "--config", action="append", default=[], metavar="key=value")
        p.add_argument("--enable", action="append", default=[], metavar="FEATURE")
        p.add_argument("--disable", action="append", default=[], metavar="FEATURE")
    return parser


def main(argv: list[str]) -> int:
    """`codex mcp`: the root flags it receives (`--config=...`, `--enable=...`) come first in `argv`."""
    i = 0
    while i < len(argv) and argv[i].startswith(("--config=", "--enable=", "--disable=", "--strict-config")):
        i += 1
    return run(argv[:i], argv[i:])


def run(globals_: list[str], rest: list[str]) -> int:
    """Run `codex mcp ...` with the global flags given before `mcp` and its own arguments."""
    from pycodex_config import ConfigError

    ns = parse(rest)
    if ns.action != "add" and ns.command:
        sys.stderr.write(f"error: unexpected arguments after '--': {' '.join(ns.command)}\n")
        return 2
    extra = [f"--config={c}" for c in [*ns.top_config, *ns.config]]
    extra += [f"--enable={e}" for e in [*ns.top_enable, *ns.enable]]
    extra += [f"--disable={d}" for d in [*ns.top_disable, *ns.disable]]
    try:
        if ns.action == "add":
            return _add(globals_ + extra, ns)
        if ns.action in ("list", "get"):
            return (_list if ns.action == "list" else _get)(_load_servers(globals_ + extra), ns)
        config = _load(globals_ + extra)
        actions = {"remove": _remove, "login": _login, "logout": _logout}
        return actions[ns.action](config, ns)
    except ConfigError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    except OSError as exc:
        sys.stderr.write(f"Error: {exc.filename or ''}: {exc.strerror or exc}\n")
        return 1


def parse(argv: list[str]) -> argparse.Namespace:
    """Parse the words after `codex mcp` (a stdio command after `--` lands in `command`).

    Raises:
        SystemExit: bad usage (argparse prints it, status 2) or `--help`.
    """
    own, command = _split_command(argv)
    ns = _parser(_action_word(own)).parse_args(own)
    ns.command = [*getattr(ns, "command", []), *command]
    return ns


def _split_command(rest: list[str]) -> tuple[list[str], list[str]]:
    """Split off a stdio command after `--`, kept whole even when it has flags of its own."""
    if "--" not in rest:
        return rest, []
    i = rest.index("--")
    return rest[:i], rest[i + 1 :]


def _global_flags(globals_: list[str]) -> dict[str, Any]:
    p = argparse.ArgumentParser(add_help=False)
    for flag in ("--config", "--enable", "--disable"):
        p.add_argument(flag, action="append", default=[])
    p.add_argument("--profile")
    p.add_argument("--cd")
    p.add_argument("--strict-config", action="store_true")
    ns, _unknown = p.parse_known_args(globals_)
    return {
        "cwd": Path(ns.cd).resolve() if ns.cd else Path.cwd(),
        "overrides": ns.config,
        "profile": ns.profile,
        "enable": ns.enable,
        "disable": ns.disable,
        "strict": ns.strict_config,
    }


def _load(globals_: list[str]) -> Config:
    from pycodex_config import load_config

    return load_config(**_global_flags(globals_))


class _Servers:
    """What `list` and `get` need: the configured servers, the configuration directory, the login store."""

    def __init__(
        self, servers: dict[str, McpServerConfig], codex_home: Path, oauth_store_mode: str | None = None
    ) -> None:
        self.mcp_servers = servers
        self.codex_home = codex_home
        self.oauth_store_mode = oauth_store_mode


def _load_servers(globals_: list[str]) -> _Servers:
    """Read and check every layer as `load_config` does, but build only `[mcp_servers]` (fast)."""
    from pycodex_config import load_layers, load_mcp_servers

    stack = load_layers(**_global_flags(globals_))
    mode = None
    for layer in stack.layers:  # lowest precedence first: the last one setting it wins
        value = layer.document.get("mcp_oauth_credentials_store") if not layer.prefix else None
        mode = value if isinstance(value, str) else mode
    return _Servers(load_mcp_servers(stack), stack.codex_home, mode)


def _fail(message: str, code: int = 1) -> int:
    sys.stderr.write(f"Error: {message}\n")
    return code


# -- add / remove ---------------------------------------------------------------------------


def _env_pairs(entries: Sequence[str]) -> dict[str, str] | None:
    env: dict[str, str] = {}
    for entry in entries:
        key, sep, value = entry.partition("=")
        if not sep or not key:
            return None
        env[key] = value
    return env


def _add(globals_: list[str], ns: argparse.Namespace) -> int:
    from pycodex_config import ConfigEditor, find_codex_home

    env = _env_pairs(ns.env)
    if env is None:
        sys.stderr.write(
            "error: invalid value for '--env <KEY=VALUE>': environment entries must be in KEY=VALUE form\n"
        )
        return 2
    if ns.url and ns.command:
        sys.stderr.write("error: the argument '--url <URL>' cannot be used with '[COMMAND]...'\n")
        return 2
    if not ns.url and not ns.command:
        sys.stderr.write("error: the following required arguments were not provided:\n  <COMMAND|--url <URL>>\n")
        return 2
    if ns.url and env:
        return _fail("--env is only valid with stdio servers")
    if not ns.url and (
        ns.bearer_token_env_var or ns.oauth_client_id or ns.oauth_resource or ns.oauth_client_registration
    ):
        return _fail("--bearer-token-env-var and --oauth-* are only valid with --url")
    loaded = _load(globals_)  # a broken config.toml is reported before it is edited
    path = find_codex_home() / "config.toml"
    editor = ConfigEditor(path)
    editor.remove(["mcp_servers", ns.name])
    for key, value in _new_entries(ns, env):
        editor.set(["mcp_servers", ns.name, *key], value)
    editor.save()
    if ns.oauth_client_secret and ns.url:
        from pycodex_mcp_client import McpClientError, McpOAuthStore

        try:
            store = McpOAuthStore(path.parent, _store_mode(loaded))
            store.update(ns.name, ns.url, client_secret=ns.oauth_client_secret)
        except McpClientError as exc:
            return _fail(f"the server was added, but its client secret was not stored: {exc}")
    sys.stdout.write(f"Added global MCP server '{ns.name}'.\n")
    if ns.url and not ns.bearer_token_env_var:
        sys.stdout.write(f"MCP server may or may not require login. Run `codex mcp login {ns.name}` to login.\n")
    return 0


def _new_entries(ns: argparse.Namespace, env: dict[str, str]) -> list[tuple[list[str], object]]:
    """The keys of the new table, in the order they are written (parents before subtables)."""
    if ns.url:
        entries: list[tuple[list[str], object]] = [(["url"], ns.url)]
        if ns.bearer_token_env_var:
            entries.append((["bearer_token_env_var"], ns.bearer_token_env_var))
        if ns.oauth_resource:
            entries.append((["oauth_resource"], ns.oauth_resource))
        if ns.oauth_client_id:
            entries.append((["oauth", "client_id"], ns.oauth_client_id))
        return entries
    entries = [(["command"], ns.command[0])]
    if ns.command[1:]:
        entries.append((["args"], ns.command[1:]))
    entries += [(["env", key], env[key]) for key in sorted(env)]
    return entries


def _remove(config: Config, ns: argparse.Namespace) -> int:
    from pycodex_config import ConfigEditor

    editor = ConfigEditor(Path(config.codex_home) / "config.toml")
    if not editor.remove(["mcp_servers", ns.name]):
        sys.stdout.write(f"No MCP server named '{ns.name}' found.\n")
        return 0
    editor.save()
    sys.stdout.write(f"Removed global MCP server '{ns.name}'.\n")
    return 0


# -- list / get ------------------------------------------------------------------------------


def _raw_num(server: McpServerConfig, key: str) -> float | None:
    value = server.raw.get(key)
    if key == "startup_timeout_sec" and value is None and isinstance(server.raw.get("startup_timeout_ms"), int):
        return server.startup_timeout_sec
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _transport_json(server: McpServerConfig) -> dict[str, Any]:
    if server.transport == "stdio":
        return {
            "type": "stdio",
            "command": server.command,
            "args": list(server.args),
            "env": dict(server.env) or None,
            "env_vars": list(server.env_vars),
            "cwd": server.cwd,
        }
    return {
        "type": "streamable_http",
        "url": server.url,
        "bearer_token_env_var": server.bearer_token_env_var,
        "http_headers": dict(server.http_headers) or None,
        "env_http_headers": dict(server.env_http_headers) or None,
        "http_headers_helper": None,
    }


def _store_mode(config: Config | _Servers) -> str | None:
    if isinstance(config, _Servers):
        return config.oauth_store_mode
    mode = config.raw.get("mcp_oauth_credentials_store")
    return mode if isinstance(mode, str) else None


def _auth_status(server: McpServerConfig, codex_home: Path, store_mode: str | None = None) -> str:
    if server.transport == "stdio":
        return "unsupported"
    if server.bearer_token_env_var:
        return "bearer_token"
    assert server.url is not None
    from pycodex_mcp_client import McpClientError, McpOAuthStore

    try:
        logged_in = McpOAuthStore(codex_home, store_mode).has_tokens(server.name, server.url)
    except McpClientError:
        logged_in = False
    return "o_auth" if logged_in else "unknown"


_AUTH_LABELS = {"unsupported": "Unsupported", "bearer_token": "Bearer token", "o_auth": "OAuth", "unknown": "Unknown"}


def _masked(values: Mapping[str, str]) -> str:
    return ", ".join(f"{k}={_MASK}" for k in sorted(values)) or "-"


def _table(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) + "\n" for row in rows)


def _list(config: _Servers, ns: argparse.Namespace) -> int:
    servers = list(config.mcp_servers.values())
    home = Path(config.codex_home)
    if ns.json:
        out = [
            {
                "name": s.name,
                "enabled": s.enabled,
                "disabled_reason": None,
                "transport": _transport_json(s),
                "startup_timeout_sec": _raw_num(s, "startup_timeout_sec"),
                "tool_timeout_sec": _raw_num(s, "tool_timeout_sec"),
                "auth_status": _auth_status(s, home, _store_mode(config)),
            }
            for s in servers
        ]
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    if not servers:
        sys.stdout.write("No MCP servers configured yet. Try `codex mcp add my-tool -- my-command`.\n")
        return 0
    status = {s.name: "enabled" if s.enabled else "disabled" for s in servers}
    stdio = [
        [s.name, s.command or "", " ".join(s.args) or "-", _masked(s.env), s.cwd or "-", status[s.name]]
        + [_AUTH_LABELS[_auth_status(s, home, _store_mode(config))]]
        for s in servers
        if s.transport == "stdio"
    ]
    http = [
        [
            s.name,
            s.url or "",
            s.bearer_token_env_var or "-",
            status[s.name],
            _AUTH_LABELS[_auth_status(s, home, _store_mode(config))],
        ]
        for s in servers
        if s.transport != "stdio"
    ]
    blocks: list[str] = []
    if stdio:
        blocks.append(_table([["Name", "Command", "Args", "Env", "Cwd", "Status", "Auth"], *stdio]))
    if http:
        blocks.append(_table([["Name", "Url", "Bearer Token Env Var", "Status", "Auth"], *http]))
    sys.stdout.write("\n".join(blocks))
    return 0


def _get(config: _Servers, ns: argparse.Namespace) -> int:
    server = config.mcp_servers.get(ns.name)
    if server is None:
        return _fail(f"No MCP server named '{ns.name}' found.")
    if ns.json:
        out = {
            "name": server.name,
            "enabled": server.enabled,
            "disabled_reason": None,
            "transport": _transport_json(server),
            "enabled_tools": list(server.enabled_tools) if server.enabled_tools is not None else None,
            "disabled_tools": list(server.disabled_tools) or None,
            "startup_timeout_sec": _raw_num(server, "startup_timeout_sec"),
            "tool_timeout_sec": _raw_num(server, "tool_timeout_sec"),
        }
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return 0
    lines = [server.name, f"  enabled: {str(server.enabled).lower()}"]
    if server.transport == "stdio":
        lines += ["  transport: stdio", f"  command: {server.command}", f"  args: {' '.join(server.args) or '-'}"]
        lines += [f"  cwd: {server.cwd or '-'}", f"  env: {_masked(server.env)}"]
    else:
        env_headers = ", ".join(f"{k}={v}" for k, v in sorted(server.env_http_headers.items())) or "-"
        lines += ["  transport: streamable_http", f"  url: {server.url}"]
        lines += [f"  bearer_token_env_var: {server.bearer_token_env_var or '-'}"]
        lines += [f"  http_headers: {_masked(server.http_headers)}", f"  env_http_headers: {env_headers}"]
        lines += ["  http_headers_helper: -"]
    lines.append(f"  remove: codex mcp remove {server.name}")
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


# -- login / logout --------------------------------------------------------------------------


def _http_server(config: Config, name: str, action: str) -> McpServerConfig | str:
    server = config.mcp_servers.get(name)
    if server is None:
        return f"No MCP server named '{name}' found."
    if server.transport == "stdio" or server.url is None:
        return f"OAuth {action} is only supported for streamable_http transports."
    return server


def _login(config: Config, ns: argparse.Namespace) -> int:
    server = _http_server(config, ns.name, "login")
    if isinstance(server, str):
        return _fail(server)
    import anyio

    from pycodex_mcp_client import McpClientError, oauth_login

    configured = server.raw.get("scopes")
    scopes = [s for s in (ns.scopes or "").split(",") if s]
    if not scopes and isinstance(configured, list):
        scopes = [str(s) for s in configured]
    try:
        anyio.run(
            lambda: oauth_login(
                server,
                Path(config.codex_home),
                scopes=scopes,
                open_browser=not ns.no_browser,
                out=sys.stdout,
                read_pasted=sys.stdin.readline if ns.no_browser and sys.stdin.isatty() else None,
                store_mode=_store_mode(config),
                client_registration=ns.oauth_client_registration or "auto",
            )
        )
    except McpClientError as exc:
        return _fail(str(exc))
    except KeyboardInterrupt:
        return _fail("login cancelled", 130)
    sys.stdout.write(f"Successfully logged in to MCP server '{ns.name}'.\n")
    return 0


def _logout(config: Config, ns: argparse.Namespace) -> int:
    server = _http_server(config, ns.name, "logout")
    if isinstance(server, str):
        return _fail(server)
    from pycodex_mcp_client import McpClientError, McpOAuthStore

    assert server.url is not None
    try:
        removed = McpOAuthStore(Path(config.codex_home), _store_mode(config)).delete(server.name, server.url)
    except McpClientError as exc:
        return _fail(str(exc))
    if removed:
        sys.stdout.write(f"Removed OAuth credentials for '{ns.name}'.\n")
    else:
        sys.stdout.write(f"No OAuth credentials stored for '{ns.name}'.\n")
    return 0


def serve(argv: list[str]) -> int:
    """Run `codex mcp-server`: Codex as an MCP server over stdio (root session flags first in `argv`)."""
    from pycodex_mcp_server import main as serve_main

    return serve_main(argv)

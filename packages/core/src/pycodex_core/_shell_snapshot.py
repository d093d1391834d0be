"""Shell snapshot: run the user's login shell once per session and replay its setup before each command.

Commands the model asks for run as `[shell, "-lc", cmd]`. A login shell reads the user's profile every
time, which can cost hundreds of milliseconds (`pyenv init`, `nvm`, ...). Like Codex's shell snapshot,
this module runs the login shell once, in the background, captures what the profile set up (exported
variables, functions, aliases, shell options) into `$CODEX_HOME/shell_snapshots/<thread_id>.sh` and then
runs each `-lc` command as a plain `-c` command that sources that file first. The command shown to the
user is unchanged; only the spawned argv differs.

Security rules applied when writing the file:

* Only variables the profile *added, changed or removed* are written (compared with the environment the
  login shell was given, which is the `shell_environment_policy` environment), so values inherited from
  the parent process are never copied to disk.
* A variable is restored only if `shell_environment_policy` would let it through: `exclude` and
  `include_only` apply, names the policy `set`s are never touched (the policy wins), and names matching
  the secret patterns `*KEY*`, `*SECRET*`, `*TOKEN*` are never written, whatever
  `ignore_default_excludes` says (a snapshot file must not hold secrets).
* Shell-managed variables (`PWD`, `OLDPWD`, `SHLVL`, `_`, `BASH*`, ...) are not restored.
* The file is created with mode 0600 in a 0700 directory, atomically, and removed when the session ends.

Any failure (unsupported shell, profile exits or hangs, unwritable directory) leaves the session without
a snapshot; commands then run exactly as before.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import secrets
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import anyio

from pycodex_config import ShellEnvironmentPolicy, env_var_allowed

__all__ = ["SNAPSHOT_TIMEOUT_S", "ShellSnapshot", "capture_script", "render_snapshot", "restorable", "shell_kind"]

logger = logging.getLogger(__name__)

SNAPSHOT_TIMEOUT_S = 10.0
"""How long the login shell may take to produce the snapshot."""

_MAX_OUTPUT = 8 * 1024 * 1024
_TERM_GRACE_S = 0.5
_STALE_AFTER_S = 7 * 24 * 3600
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_SPECIAL_VARS = frozenset(
    {
        "_",
        "PWD",
        "OLDPWD",
        "SHLVL",
        "PPID",
        "UID",
        "EUID",
        "GROUPS",
        "PS1",
        "PS2",
        "PS3",
        "PS4",
        "IFS",
        "OPTIND",
        "OPTARG",
        "LINENO",
        "RANDOM",
        "SECONDS",
        "SHELLOPTS",
        "HISTCMD",
        "COLUMNS",
        "LINES",
        "CODEX_THREAD_ID",
    }
)
_SPECIAL_PREFIXES = ("BASH", "COMP_", "ZSH_", "FUNCNAME", "PIPESTATUS", "DIRSTACK")
# Options that describe how the capturing shell was started rather than what the profile chose.
_SKIP_SET_OPTIONS = frozenset(
    {"monitor", "history", "emacs", "vi", "posix", "onecmd", "privileged", "interactive", "stdin", "debug", "nolog"}
)
_SKIP_SHOPT = frozenset({"login_shell", "restricted_shell"})
_SKIP_ZSH_OPTIONS = frozenset(
    {"login", "interactive", "shinstdin", "monitor", "zle", "privileged", "restricted", "singlecommand", "rcs"}
)
_SET_O_RE = re.compile(r"set ([-+])o ([A-Za-z][A-Za-z0-9_-]*)\Z")
_SHOPT_RE = re.compile(r"shopt -([su]) ([A-Za-z][A-Za-z0-9_]*)\Z")
_ZSH_OPT_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")


def shell_kind(shell: str) -> str | None:
    """The snapshot dialect for a shell path (`bash`, `zsh` or `sh`), or `None` when unsupported."""
    name = os.path.basename(shell)
    if name in ("bash", "zsh"):
        return name
    if name in ("sh", "dash", "ash"):
        return "sh"
    return None


def restorable(name: str, policy: ShellEnvironmentPolicy | None) -> bool:
    """Whether a variable the login profile set may be replayed from the snapshot under `policy`.

    Secret-looking names (`*KEY*`, `*SECRET*`, `*TOKEN*`) never are, whatever the policy says, so
    the snapshot file on disk never holds one; the policy's `set` entries win over the profile.
    """
    if not _NAME_RE.match(name) or name in _SPECIAL_VARS or name.startswith(_SPECIAL_PREFIXES):
        return False
    if policy is None:
        return env_var_allowed(ShellEnvironmentPolicy(), name, drop_secrets=True)
    if name in policy.set:
        return False
    return env_var_allowed(policy, name, drop_secrets=True)


def _env_dump(python: str) -> str:
    fallback = "import os,sys;sys.stdout.buffer.write(b''.join(k+b'='+v+b'\\0' for k,v in os.environb.items()))"
    return f"env -0 2>/dev/null || {shlex.quote(python)} -I -S -c {shlex.quote(fallback)}"


def capture_script(kind: str, marker: str, python: str = sys.executable) -> str:
    """The script run by `shell -lc` that prints the profile's state in marked sections."""

    def section(name: str) -> str:
        return f"printf '\\n%s\\n' '{marker}:{name}'"

    parts: list[str] = []
    if kind == "bash":
        parts += [section("functions"), "declare -f || true", section("function-names"), "declare -F || true"]
        parts += [section("aliases"), "alias -p || true", section("options"), "set +o || true", "shopt -p || true"]
    elif kind == "zsh":
        parts += [section("functions"), "functions || true", section("aliases"), "alias -L || true"]
        parts += [section("options"), "setopt || true"]
    else:
        parts += [section("aliases"), "alias || true", section("options"), "set +o || true"]
    parts += [section("env"), _env_dump(python)]
    return "\n".join(parts) + "\n"


def _sections(output: bytes, marker: str) -> dict[str, bytes]:
    tag = f"\n{marker}:".encode()
    chunks = output.split(tag)
    found: dict[str, bytes] = {}
    for chunk in chunks[1:]:
        name, _, body = chunk.partition(b"\n")
        found[name.decode("ascii", errors="replace")] = body
    return found


def _parse_env(raw: bytes) -> dict[str, str]:
    env: dict[str, str] = {}
    for entry in raw.split(b"\0"):
        name, sep, value = entry.partition(b"=")
        if sep and name:
            env[os.fsdecode(name)] = os.fsdecode(value)
    return env


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", errors="surrogateescape").strip("\n")


def _option_lines(kind: str, raw: str) -> list[str]:
    lines: list[str] = []
    for line in raw.splitlines():
        line = line.strip()
        if kind == "zsh":
            name = line.removeprefix("no") if line.startswith("no") else line
            if _ZSH_OPT_RE.match(line) and name not in _SKIP_ZSH_OPTIONS and line not in _SKIP_ZSH_OPTIONS:
                lines.append(f"setopt {line}")
            continue
        set_o = _SET_O_RE.match(line)
        if set_o and set_o.group(2) not in _SKIP_SET_OPTIONS:
            lines.append(line)
        shopt = _SHOPT_RE.match(line)
        if kind == "bash" and shopt and shopt.group(2) not in _SKIP_SHOPT:
            lines.append(line)
    return lines


def render_snapshot(
    kind: str,
    sections: Mapping[str, bytes],
    base_env: Mapping[str, str],
    policy: ShellEnvironmentPolicy | None,
    *,
    header: str = "",
) -> str:
    """The snapshot file's text from the captured sections (see the module docstring for the filtering rules)."""
    after = _parse_env(sections.get("env", b""))
    out: list[str] = [f"# pycodex shell snapshot ({kind}){header}", "# Sourced before each command; do not edit."]
    exports = [
        f"export {name}={shlex.quote(value)}"
        for name, value in sorted(after.items())
        if base_env.get(name) != value and restorable(name, policy)
    ]
    unsets = [f"unset {name}" for name in sorted(base_env) if name not in after and restorable(name, policy)]
    out += ["", f"# exports {len(exports)}", *exports, *unsets]
    if kind in ("bash", "zsh"):
        functions = _text(sections.get("functions", b""))
        out += ["", "# functions", functions] if functions else []
    if kind == "bash":
        exported = [
            f"export -f {parts[2]}"
            for parts in (line.split() for line in _text(sections.get("function-names", b"")).splitlines())
            if len(parts) == 3 and parts[1] == "-fx"
        ]
        out += exported
    aliases = [line for line in _text(sections.get("aliases", b"")).splitlines() if line.strip()]
    if kind == "sh":
        aliases = [line if line.startswith("alias ") else f"alias {line}" for line in aliases]
    out += ["", f"# aliases {len(aliases)}", *aliases]
    out += ["", "# options", *_option_lines(kind, _text(sections.get("options", b"")))]
    return "\n".join(out) + "\n"


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="surrogateescape") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _remove_stale(directory: Path, keep: Path) -> None:
    cutoff = time.time() - _STALE_AFTER_S
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            if entry.name.endswith((".sh", ".tmp")) and entry.path != str(keep):
                with contextlib.suppress(OSError):
                    if entry.stat().st_mtime < cutoff:
                        os.unlink(entry.path)


async def _stop(proc: Any) -> None:
    """End the login shell's process group and reap it.

    SIGTERM first, so that profile scripts holding lock files run their EXIT traps (a SIGKILLed
    `pyenv rehash` leaves a stale lock that stalls every later login shell for a minute), then SIGKILL.
    """
    if proc.returncode is None:
        for sig, grace in ((signal.SIGTERM, _TERM_GRACE_S), (signal.SIGKILL, 2.0)):
            with contextlib.suppress(OSError):
                os.killpg(proc.pid, sig)
            with anyio.move_on_after(grace):
                await proc.wait()
            if proc.returncode is not None:
                break
    with anyio.move_on_after(1):
        await proc.aclose()


class ShellSnapshot:
    """The login-shell snapshot of one session.

    Args:
        shell: The shell to snapshot (the session's default shell).
        path: Where to write the snapshot file.
        policy: The session's `shell_environment_policy` (filters which variables are restored).
        cwd: Working directory for the capturing login shell.
        timeout: Seconds the login shell may take.
    """

    def __init__(
        self,
        shell: str,
        path: Path,
        *,
        policy: ShellEnvironmentPolicy | None = None,
        cwd: Path | None = None,
        timeout: float | None = None,
    ) -> None:
        self.shell = shell
        self.kind = shell_kind(shell)
        self.path = path
        self.policy = policy
        self.cwd = cwd
        self.timeout = SNAPSHOT_TIMEOUT_S if timeout is None else timeout
        self.ready = False
        """Whether the snapshot file was written and commands may use it."""
        self.done = anyio.Event()
        """Set when `build` has finished (successfully or not)."""
        self._removed = False

    async def build(self, env: Mapping[str, str]) -> None:
        """Run the login shell with `env`, then write the snapshot file. Never raises (except cancellation)."""
        try:
            if self.kind is None or sys.platform.startswith("win"):
                logger.debug("no shell snapshot for %s", self.shell)
                return
            started = time.monotonic()
            marker = f"PYCODEX_SNAPSHOT_{secrets.token_hex(8)}"
            output = await self._capture(capture_script(self.kind, marker), env)
            if output is None:
                return
            sections = _sections(output, marker)
            if "env" not in sections:
                logger.info("shell snapshot: %s -lc produced no snapshot output", self.shell)
                return
            if self._removed:
                return
            text = render_snapshot(self.kind, sections, env, self.policy)
            try:
                _write_private(self.path, text)
            except OSError as exc:
                logger.info("shell snapshot: cannot write %s: %s", self.path, exc)
                return
            _remove_stale(self.path.parent, self.path)
            self.ready = True
            logger.debug("shell snapshot %s written in %.0f ms", self.path, (time.monotonic() - started) * 1000)
        except Exception:  # a snapshot problem must never break the session
            logger.exception("shell snapshot failed")
        finally:
            self.done.set()

    async def _capture(self, script: str, env: Mapping[str, str]) -> bytes | None:
        proc: anyio.abc.Process | None = None
        try:
            # Shielded: a cancellation while the process starts would lose it, still running.
            with anyio.CancelScope(shield=True):
                proc = await anyio.open_process(
                    [self.shell, "-lc", script],
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.DEVNULL,
                    env=dict(env),
                    cwd=str(self.cwd) if self.cwd is not None and self.cwd.is_dir() else None,
                    start_new_session=True,
                )
        except OSError as exc:
            logger.info("shell snapshot: cannot start %s: %s", self.shell, exc)
            return None
        if proc is None:
            return None
        chunks: list[bytes] = []
        try:
            code: int | None = None
            with anyio.move_on_after(self.timeout) as scope:
                size = 0
                assert proc.stdout is not None
                async for chunk in proc.stdout:
                    chunks.append(chunk)
                    size += len(chunk)
                    if size > _MAX_OUTPUT:
                        logger.info("shell snapshot: output of %s -lc too large", self.shell)
                        return None
                code = await proc.wait()
            if scope.cancelled_caught:
                logger.info("shell snapshot: %s -lc did not finish within %.1f s", self.shell, self.timeout)
                return None
            if code != 0:
                logger.info("shell snapshot: %s -lc exited with %s", self.shell, code)
                return None
            return b"".join(chunks)
        finally:
            with anyio.CancelScope(shield=True):
                await _stop(proc)

    def wrap(self, argv: list[str]) -> list[str]:
        """The argv to spawn for `argv`: `[sh, "-lc", cmd]` becomes `[sh, "-c", ". snapshot; cmd"]` when ready.

        Anything else (no snapshot yet, another shell, not a `-lc` call) is returned unchanged.
        """
        if not self.ready or self._removed or len(argv) != 3 or argv[1] != "-lc":
            return argv
        if shell_kind(argv[0]) != self.kind or not self.path.is_file():
            return argv
        # A newline, not `;`, so that aliases from the snapshot apply to the command's first line.
        return [argv[0], "-c", f". {shlex.quote(str(self.path))} >/dev/null 2>&1\n{argv[2]}"]

    def remove(self) -> None:
        """Delete the snapshot file (session end); later `wrap` calls return their argv unchanged."""
        self._removed = True
        self.ready = False
        with contextlib.suppress(OSError):
            self.path.unlink()

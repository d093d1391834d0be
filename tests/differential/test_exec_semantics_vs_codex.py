"""The command-line semantics where pycodex used to differ, checked on both programs.

Each scenario runs `codex ...` against the scripted model server on 127.0.0.1 with a fresh
CODEX_HOME, once with pycodex and (when installed) once with Codex 0.169, and applies the same
checks to both: what Codex does is the expectation.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from pycodex_test_support import ScriptedServer, Turn, ev_completed, ev_message, ev_response_created, sse_turn

sys.path.insert(0, str(Path(__file__).parent))

from config_probe import pycodex, real_codex

CODEX = real_codex()
PROGRAMS = {"pycodex": pycodex()}
if CODEX is not None and CODEX.exists():
    PROGRAMS["codex-0.169"] = [str(CODEX)]
PNG = b"\x89PNG\r\n\x1a\n"
_ROOTS: list[Path] = []


@pytest.fixture(autouse=True)
def _cleanup() -> Any:
    yield
    while _ROOTS:
        subprocess.run(["rm", "-rf", str(_ROOTS.pop())], check=False)


@dataclass
class Run:
    """One finished run."""

    rc: int
    stdout: str
    stderr: str
    home: Path
    work: Path
    requests: list[dict[str, Any]] = field(default_factory=list[dict[str, Any]])

    def user_texts(self) -> list[str]:
        """Texts of the user message parts of the first request."""
        if not self.requests:
            return []
        items = self.requests[0]["input"]
        return [p.get("text", "") for i in items if i.get("role") == "user" for p in i.get("content", [])]


def _ok() -> Turn:
    return sse_turn([ev_response_created("r1"), ev_message("m1", "OK"), ev_completed("r1", 3, 1)])


def _run(
    program: list[str], args: list[str], *, turns: list[Turn] | None = None, setup: str = "", config: str = ""
) -> Run:
    # Not under /tmp: Codex skips part of its start-up there.
    root = Path(tempfile.mkdtemp(prefix="pycodex-sem-", dir="/var/tmp" if Path("/var/tmp").is_dir() else None))
    _ROOTS.append(root)
    home, work = root / "home", root / "work"
    home.mkdir()
    work.mkdir()
    subprocess.run(["git", "init", "-q"], cwd=work, check=True)
    (work / "a.png").write_bytes(PNG)
    with ScriptedServer(turns if turns is not None else [_ok()]) as server:
        text = (
            'model = "gpt-5.5"\nmodel_provider = "mock"\ncheck_for_update_on_startup = false\n'
            + config.replace("$WORK", str(work))
            + f'\n[model_providers.mock]\nname = "mock"\nbase_url = "{server.base_url}"\nwire_api = "responses"\n'
            "[analytics]\nenabled = false\n"
        )
        (home / "config.toml").write_text(text, encoding="utf-8")
        if setup:
            subprocess.run(["bash", "-c", setup], cwd=work, check=True)
        env = {k: v for k, v in os.environ.items() if not k.startswith("CODEX_")}
        env.update({"CODEX_HOME": str(home), "NO_COLOR": "1", "RUST_BACKTRACE": "0"})
        words = [w.replace("$WORK", str(work)) for w in args]
        done = subprocess.run(
            [*program, *words], cwd=work, env=env, stdin=subprocess.DEVNULL, capture_output=True,
            text=True, encoding="utf-8", errors="replace", timeout=120,
        )  # fmt: skip
        requests = [r.json for r in server.requests]
    return Run(done.returncode, done.stdout, done.stderr, home, work, requests)


def _no_profile_file(r: Run) -> None:
    assert r.rc == 0 and len(r.requests) == 1, r.stderr


def _legacy_profile(r: Run) -> None:
    assert r.rc == 1 and not r.requests
    assert "--profile `x` cannot be used while" in r.stderr


def _empty_output_file(r: Run) -> None:
    assert r.rc == 1
    assert (r.work / "last.txt").read_text(encoding="utf-8") == ""


def _resume_image_keeps_prompt(r: Run) -> None:
    assert r.rc == 0, r.stderr
    texts = r.user_texts()
    assert texts[-1] == "the prompt"
    assert any("a.png" in t for t in texts)


def _unknown_name_starts_new_thread(r: Run) -> None:
    assert r.rc == 0, r.stderr
    assert r.user_texts()[-1] == "hello"


def _unknown_feature(r: Run) -> None:
    assert r.rc == 1 and not r.requests
    assert "Unknown feature flag: nosuch" in r.stderr


def _strict_legacy(r: Run) -> None:
    assert r.rc == 1 and not r.requests
    assert "unknown configuration field `zsh_path`" in r.stderr


def _markers_empty(r: Run) -> None:
    assert r.rc == 0, r.stderr
    joined = "\n".join(r.user_texts())
    assert "SUBDOC" in joined and "ROOTDOC" not in joined


def _trust_written(r: Run) -> None:
    assert r.rc == 0, r.stderr
    text = (r.home / "config.toml").read_text(encoding="utf-8")
    assert f'[projects."{r.work}"]' in text and 'trust_level = "trusted"' in text


def _root_flags_accepted(r: Run) -> None:
    assert r.rc == 0 and len(r.requests) == 1, r.stderr
    assert r.requests[0]["model"] == "gpt-x"


def _thread_source(r: Run) -> None:
    assert r.rc == 0, r.stderr
    rollout = next((r.home / "sessions").rglob("rollout-*.jsonl"))
    meta = json.loads(rollout.read_text(encoding="utf-8").splitlines()[0])["payload"]
    assert meta["thread_source"] == "ci-bot"


def _review_needs_a_target(r: Run) -> None:
    assert r.rc == 1 and not r.requests
    assert "Error: Specify --uncommitted, --base, --commit, or provide custom review instructions" in r.stderr


def _bad_400() -> list[Turn]:
    body = json.dumps({"error": {"message": "Invalid model foo", "type": "invalid_request_error"}}).encode()
    return [Turn(status=400, body=body)]


SCENARIOS: dict[str, tuple[list[str], dict[str, Any], Callable[[Run], None]]] = {
    "profile without a file continues": (["exec", "-p", "nosuch", "hi"], {}, _no_profile_file),
    "legacy profile table exits 1": (
        ["exec", "-p", "x", "hi"],
        {"config": '[profiles.x]\nmodel = "y"\n'},
        _legacy_profile,
    ),
    "-o on a failed turn leaves an empty file": (
        ["exec", "-o", "$WORK/last.txt", "hi"],
        {"turns": _bad_400()},
        _empty_output_file,
    ),
    "resume -i keeps the prompt": (
        ["exec", "resume", "--last", "-i", "a.png", "the prompt"],
        {},
        _resume_image_keeps_prompt,
    ),
    "resume of an unknown name starts a thread": (
        ["exec", "resume", "some-name", "hello"],
        {},
        _unknown_name_starts_new_thread,
    ),
    "--enable of an unknown feature exits 1": (["--enable", "nosuch", "exec", "hi"], {}, _unknown_feature),
    "--strict-config rejects legacy keys": (
        ["exec", "--strict-config", "hi"],
        {"config": 'zsh_path = "/bin/zsh"\n'},
        _strict_legacy,
    ),
    "project_root_markers = [] keeps discovery in cwd": (
        ["exec", "-C", "$WORK/sub", "hi"],
        {
            "config": "project_root_markers = []\n",
            "setup": "mkdir sub; echo ROOTDOC > AGENTS.md; echo SUBDOC > sub/AGENTS.md",
        },
        _markers_empty,
    ),
    "--trust saves project trust": (["exec", "--trust", "hi"], {}, _trust_written),
    "root flags before exec": (
        [
            "-a",
            "never",
            "--search",
            "--no-alt-screen",
            "--no-daemon",
            "--dangerously-bypass-hook-trust",
            "-m",
            "gpt-x",
            "exec",
            "hi",
        ],
        {},
        _root_flags_accepted,
    ),
    "exec review needs a target": (["exec", "review"], {}, _review_needs_a_target),
    "--thread-source is recorded": (["exec", "--thread-source", "ci-bot", "hi"], {}, _thread_source),
}


@pytest.mark.parametrize("program", sorted(PROGRAMS))
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_semantics_match_codex(program: str, scenario: str) -> None:
    args, options, check = SCENARIOS[scenario]
    check(_run(PROGRAMS[program], args, **options))


def test_worktree_runs_in_a_fresh_worktree() -> None:
    setup = "git -c user.email=t@x -c user.name=t commit -q --allow-empty -m init"
    for program in PROGRAMS.values():
        r = _run(program, ["exec", "--worktree", "--json", "hi"], setup=setup)
        assert r.rc == 0, r.stderr
        cwd_line = next(t for t in r.user_texts() if "<cwd>" in t)
        cwd = cwd_line.split("<cwd>", 1)[1].split("</cwd>", 1)[0]
        assert cwd.startswith(str(r.home / "worktrees")) and cwd.endswith("/work"), cwd
        listed = subprocess.run(
            ["git", "worktree", "list"], cwd=r.work, capture_output=True, text=True, encoding="utf-8", check=True
        )
        assert cwd in listed.stdout

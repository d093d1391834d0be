"""Interactive figures, under tmux: keystroke echo, start-up, resume picker, `@` search.

Run with `uv run python bench/tui_latency.py [--keys N] [--skip-codex]`. Prints:
- keystroke-to-echo p50/p95 (ms) for bare `cat`, pycodex on an empty session and on a resumed
  session of 5,000 cells, and Codex 0.169 on an empty session when its binary is installed; the
  "added" figures subtract `cat` (same tmux polling for all, so its cost cancels out);
- start-up to an interactive prompt (ms), pycodex and Codex 0.169;
- `codex resume` picker first paint with 3,000 sessions on disk, cold and warm index;
- `@` search over a 100,000-file tree: listing time and first-results time per query.
Targets: p95 added < 16 ms; picker < 300 ms; `@` first results < 200 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))
sys.path.insert(0, str(ROOT / "packages" / "tui" / "tests"))

from e2e_support import Env, message_turn, real_codex  # noqa: E402  # pyright: ignore[reportMissingImports]
from tmux_support import Tmux, clean_env, codex_argv  # noqa: E402  # pyright: ignore[reportMissingImports]

from pycodex_test_support import ScriptedServer  # noqa: E402

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def keystrokes(t: Tmux, n: int) -> list[float]:
    """Send n letters one at a time; time each until the pane shows it."""
    typed = ""
    out: list[float] = []
    for i in range(n):
        ch = LETTERS[i % len(LETTERS)]
        typed += ch
        tail = typed[-12:]
        start = time.perf_counter()
        t.type(ch)
        deadline = start + 5
        while tail not in t.screen():
            if time.perf_counter() > deadline:
                raise TimeoutError(f"echo of {ch!r} not seen:\n{t.screen()}")
        out.append((time.perf_counter() - start) * 1000)
        if len(typed) > 60:  # keep the line short: clear it
            t.send("C-u")
            typed = ""
            time.sleep(0.05)
    return out


def startup(argv: list[str], env: Env, marker: str, *, extra_env: dict[str, str] | None = None) -> tuple[Tmux, float]:
    start = time.perf_counter()
    t = Tmux(argv, cwd=env.work, env=clean_env(env.home, **(extra_env or {})))
    t.wait_for(marker, 60)
    return t, (time.perf_counter() - start) * 1000


def make_env(root: Path, base_url: str) -> Env:
    home, work = root / "home", root / "work"
    home.mkdir(parents=True, exist_ok=True)
    work.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    env = Env(home, work)
    env.write_config(base_url, extra=f'[projects."{work}"]\ntrust_level = "trusted"\n')
    return env


def big_rollout(env: Env, cells: int) -> Path:
    """A rollout whose replay renders `cells` cells (user and agent messages alternating)."""
    day = env.home / "sessions" / "2026" / "11" / "30"
    day.mkdir(parents=True, exist_ok=True)
    sid = "01990000-0000-7000-8000-000000000001"
    path = day / f"rollout-2026-11-30T10-00-00-{sid}.jsonl"
    meta = {
        "id": sid,
        "cwd": str(env.work),
        "source": "cli",
        "timestamp": "2026-11-30T10:00:00.000Z",
        "originator": "codex_cli_rs",
        "cli_version": "0.1.0",
        "model_provider": "mock",
    }
    lines = [{"timestamp": "t", "type": "session_meta", "payload": meta}]
    for i in range(cells // 2):
        q, a = f"question {i}", f"answer {i} with **markdown** and `code`"
        lines.append(
            {
                "timestamp": "t",
                "type": "response_item",
                "payload": {"type": "message", "role": "user", "content": [{"type": "input_text", "text": q}]},
            }
        )
        lines.append(
            {
                "timestamp": "t",
                "type": "event_msg",
                "payload": {
                    "type": "user_message",
                    "message": q,
                    "images": [],
                    "local_images": [],
                    "text_elements": [],
                },
            }
        )
        lines.append(
            {
                "timestamp": "t",
                "type": "response_item",
                "payload": {"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": a}]},
            }
        )
        lines.append({"timestamp": "t", "type": "event_msg", "payload": {"type": "agent_message", "message": a}})
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    return path


def report(name: str, values: list[float], base: list[float] | None) -> None:
    p50, p95 = _pct(values, 0.5), _pct(values, 0.95)
    added = f"  added p50 {p50 - _pct(base, 0.5):6.1f}  p95 {p95 - _pct(base, 0.95):6.1f}" if base else ""
    print(f"  {name:<34} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms{added}")


def bench_keys(n: int, skip_codex: bool) -> None:
    print("keystroke to echo under tmux:")
    with tempfile.TemporaryDirectory() as tmp, ScriptedServer([message_turn("ok")] * 4) as server:
        env = make_env(Path(tmp), server.base_url)
        cat = Tmux(["cat"], cwd=env.work, env=clean_env(env.home))
        time.sleep(0.3)
        base = keystrokes(cat, n)
        cat.close()
        report("cat", base, None)
        t, ms_start = startup(codex_argv(), env, "Ask Codex to do anything")
        report("pycodex, empty session", keystrokes(t, n), base)
        t.close()
        rollout = big_rollout(env, 5000)
        t, _ = startup(codex_argv("resume", str(rollout)), env, "answer 2499")
        time.sleep(0.5)
        report("pycodex, 5,000-cell transcript", keystrokes(t, n), base)
        t.close()
        print(f"start-up to prompt: pycodex {ms_start:.0f} ms")
        ref = real_codex()
        if ref is None or skip_codex:
            print("  Codex 0.169: not installed (or skipped)")
            return
        try:
            argv = [str(ref), "--no-alt-screen", "-c", "disable_paste_burst=true"]
            t, ms_ref = startup(argv, env, "Use existing model", extra_env={"OPENAI_API_KEY": "test-key"})
            print(f"start-up to first prompt (its model notice): Codex 0.169 {ms_ref:.0f} ms")
            time.sleep(1.0)  # it ignores keys for a moment after drawing
            t.type("2")
            time.sleep(0.3)
            t.send("Enter")
            t.wait_for("Ask Codex to do anything", 20)
            time.sleep(1.0)
            report("Codex 0.169, empty session (inline)", keystrokes(t, n), base)
            t.close()
        except TimeoutError as exc:
            print(f"  Codex 0.169: could not drive it ({str(exc).splitlines()[0]})")


def bench_picker() -> None:
    sys.path.insert(0, str(ROOT / "packages" / "tui" / "tests"))
    from test_sessions import write_rollout  # pyright: ignore[reportMissingImports]

    print("resume picker, 3,000 sessions on disk:")
    with tempfile.TemporaryDirectory() as tmp, ScriptedServer([]) as server:
        env = make_env(Path(tmp), server.base_url)
        for n in range(3000):
            write_rollout(env.home, n, cwd=str(env.work))
        for label in ("cold index (first run)", "warm index"):
            start = time.perf_counter()
            t = Tmux(codex_argv("resume"), cwd=env.work, env=clean_env(env.home))
            t.wait_for("task number 2999", 60)
            print(f"  {label:<24} launch to first paint {(time.perf_counter() - start) * 1000:6.0f} ms")
            t.close()
        from pycodex_tui._picker import Picker
        from pycodex_tui._sessions import SessionIndex

        index = SessionIndex(env.home)
        start = time.perf_counter()
        rows = index.select(cwd=str(env.work), sessions=index.cached())
        Picker(rows, show_cwd=False).lines()
        paint = (time.perf_counter() - start) * 1000
        print(f"  in-process: index read to first page   {paint:6.1f} ms for {len(rows)} sessions")
        start = time.perf_counter()
        index.select(cwd=str(env.work))
        print(
            f"  in-process: re-check of every rollout  {(time.perf_counter() - start) * 1000:6.1f} ms (after the paint)"
        )


def bench_search() -> None:
    from pycodex_file_search import FileIndex

    print("@ search, 100,000-file tree:")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "tree"
        for d in range(1000):
            sub = root / f"pkg{d % 50}" / f"mod{d}"
            sub.mkdir(parents=True)
            for f in range(100):
                (sub / f"file_{f}_{d}.py").touch()
        (root / ".gitignore").write_text("*.tmp\n", encoding="utf-8")
        start = time.perf_counter()
        index = FileIndex.build(root)
        print(f"  listing (walk + .gitignore)  {(time.perf_counter() - start) * 1000:7.0f} ms, {len(index)} files")
        subprocess.run(["git", "init", "-q", str(root)], check=True)
        start = time.perf_counter()
        gindex = FileIndex.build(root)
        print(f"  listing (git ls-files)       {(time.perf_counter() - start) * 1000:7.0f} ms, {len(gindex)} files")
        for query in ("f", "file_42_7", "mod99fi", "pkg3/mod", "zzz"):
            start = time.perf_counter()
            found = index.search(query, limit=8)
            print(
                f"  query {query!r:<14} first results {(time.perf_counter() - start) * 1000:6.1f} ms"
                f" ({len(found)} shown)"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--skip-codex", action="store_true")
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("tmux is needed")
    os.environ.setdefault("LANG", "C.UTF-8")
    bench_search()
    bench_picker()
    bench_keys(args.keys, args.skip_codex)


if __name__ == "__main__":
    main()

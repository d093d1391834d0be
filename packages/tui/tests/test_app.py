"""The running application under prompt-toolkit pipe input, over a fake core that records ops."""

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import anyio
import pytest
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from pycodex_config import HistoryConfig, SandboxWorkspaceWrite, TuiConfig
from pycodex_core import SessionClosed
from pycodex_tui import StartSpec, TuiApp
from pycodex_tui._text import markup

pytestmark = pytest.mark.anyio


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


def _config(tmp: Path) -> Any:
    return SimpleNamespace(
        codex_home=tmp / "home",
        cwd=tmp,
        tui=TuiConfig(),
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


CONFIGURED = {
    "type": "session_configured",
    "session_id": "0199-aaaa",
    "model": "gpt-5.5",
    "reasoning_effort": "medium",
    "cwd": "/w",
    "approval_policy": "untrusted",
    "sandbox_policy": {"type": "danger-full-access"},
}


async def _until(predicate: Callable[[], bool]) -> None:
    with anyio.fail_after(5):
        while not predicate():  # noqa: ASYNC110 - the state is changed by keys the app reads itself
            await anyio.sleep(0.01)


class Harness:
    def __init__(self, ui: TuiApp, fake: FakeCodex, inp: PipeInput) -> None:
        self.ui, self.fake, self.inp = ui, fake, inp
        self.specs: list[StartSpec] = []

    def transcript(self) -> str:
        return markup(self.ui.scrollback.lines)

    def keys(self, text: str) -> None:
        self.inp.send_text(text)


@asynccontextmanager
async def running(tmp_path: Path, **kwargs: Any) -> AsyncIterator[Harness]:
    fake = FakeCodex()
    specs: list[StartSpec] = []

    @asynccontextmanager
    async def start(spec: StartSpec) -> AsyncIterator[FakeCodex]:
        specs.append(spec)
        yield fake

    with create_pipe_input() as inp:
        ui = TuiApp(_config(tmp_path), start, version="0.1.0", input=inp, output=DummyOutput(), **kwargs)
        async with anyio.create_task_group() as tg:
            tg.start_soon(ui.run)
            await fake.emit(CONFIGURED)
            await _until(lambda: ui.session_id != "")
            harness = Harness(ui, fake, inp)
            harness.specs = specs
            yield harness
            ui.quit()
            with anyio.fail_after(5):
                while ui.app.is_running:  # noqa: ASYNC110 - prompt-toolkit offers no exit event
                    await anyio.sleep(0.01)
            tg.cancel_scope.cancel()
    fake.send.close()
    fake.recv.close()


async def test_enter_submits_the_message_and_echoes_it(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("hello there\r")
        await _until(lambda: "user_input" in h.fake.kinds())
        op = h.fake.ops[-1]
        assert op["items"] == [{"type": "text", "text": "hello there", "text_elements": []}]
        assert "[bold]› [/]hello there" in h.transcript()

    lines = (tmp_path / "home" / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert '"session_id": "0199-aaaa"' in lines[0] and '"text": "hello there"' in lines[0]


async def test_initial_prompt_is_sent_once_configured(tmp_path: Path) -> None:
    async with running(tmp_path, initial_prompt="do the thing") as h:
        await _until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == "do the thing"


async def test_ctrl_j_inserts_a_newline_instead_of_submitting(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("one\ntwo")
        await _until(lambda: h.ui.buffer.text == "one\ntwo")
        assert "user_input" not in h.fake.kinds()


async def test_streamed_answer_and_turn_end(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.fake.emit({"type": "task_started", "turn_id": "t1", "model_context_window": 272000})
        await _until(lambda: h.ui.chat.running)
        live = markup(h.ui.live_lines())
        assert "Working" in live and "esc to interrupt" in live
        await h.fake.emit({"type": "agent_message_delta", "delta": "The answer\nis 4"})
        await _until(lambda: "The answer" in h.transcript())
        assert "is 4" not in h.transcript()
        await h.fake.emit({"type": "agent_message", "message": "The answer\nis 4"})
        await h.fake.emit({"type": "task_complete", "turn_id": "t1", "last_agent_message": "The answer\nis 4"})
        await _until(lambda: not h.ui.chat.running)
        assert "  is 4" in h.transcript()


async def test_esc_interrupts_a_running_turn(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.fake.emit({"type": "task_started", "turn_id": "t1"})
        await _until(lambda: h.ui.chat.running)
        h.keys("\x1b")
        await _until(lambda: "interrupt" in h.fake.kinds())


async def test_messages_typed_while_running_are_queued_with_tab(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.fake.emit({"type": "task_started", "turn_id": "t1"})
        await _until(lambda: h.ui.chat.running)
        h.keys("next thing\t")
        await _until(lambda: h.ui.queued == ["next thing"])
        assert "queued: [/]next thing" in markup(h.ui.live_lines())
        await h.fake.emit({"type": "task_complete", "turn_id": "t1"})
        await _until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == "next thing"


async def test_exec_approval_modal_answers_with_the_chosen_decision(
    tmp_path: Path, snapshot: Callable[[str, str], None]
) -> None:
    async with running(tmp_path) as h:
        request = {
            "type": "exec_approval_request",
            "call_id": "call_9",
            "turn_id": "t1",
            "command": ["bash", "-lc", "rm -rf build"],
            "cwd": "/w",
            "reason": "clean the build",
        }
        await h.fake.emit(request)
        await _until(lambda: h.ui.modal is not None)
        snapshot("approval_exec", markup(h.ui.modal_lines()))
        h.keys("zzz")  # ignored while the modal is open
        h.keys("a")
        await _until(lambda: "exec_approval" in h.fake.kinds())
        assert h.fake.ops[-1] == {
            "type": "exec_approval",
            "id": "call_9",
            "decision": "approved_for_session",
            "turn_id": "t1",
        }
        assert h.ui.buffer.text == ""
        assert h.ui.modal is None


async def test_exec_approval_modal_offers_to_remember_the_proposed_rule(
    tmp_path: Path, snapshot: Callable[[str, str], None]
) -> None:
    async with running(tmp_path) as h:
        request = {
            "type": "exec_approval_request",
            "call_id": "call_7",
            "turn_id": "t1",
            "command": ["bash", "-lc", "cargo test --all"],
            "cwd": "/w",
            "proposed_execpolicy_amendment": ["cargo", "test"],
        }
        await h.fake.emit(request)
        await _until(lambda: h.ui.modal is not None)
        snapshot("approval_exec_rule", markup(h.ui.modal_lines()))
        h.keys("p")
        await _until(lambda: "exec_approval" in h.fake.kinds())
        assert h.fake.ops[-1]["decision"] == {
            "approved_execpolicy_amendment": {"proposed_execpolicy_amendment": ["cargo", "test"], "scope": "project"}
        }


async def test_auto_review_results_are_shown(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        for status, risk in (("in_progress", None), ("approved", "low"), ("denied", "high")):
            await h.fake.emit(
                {"type": "guardian_assessment", "id": "c1", "turn_id": "t1", "status": status, "risk_level": risk,
                 "rationale": f"{status} because"}
            )  # fmt: skip
        await _until(lambda: "denied (high risk)" in h.transcript())
        assert "Auto review: approved (low risk): approved because" in h.transcript()
        assert "in_progress" not in h.transcript()


async def test_patch_approval_modal_abort_also_interrupts(tmp_path: Path, snapshot: Callable[[str, str], None]) -> None:
    async with running(tmp_path) as h:
        changes = {"/w/a.txt": {"type": "update", "unified_diff": "@@ -1 +1 @@\n-old\n+new\n"}}
        await h.fake.emit(
            {"type": "apply_patch_approval_request", "call_id": "p1", "turn_id": "t1", "changes": changes}
        )
        await _until(lambda: h.ui.modal is not None)
        snapshot("approval_patch", markup(h.ui.modal_lines()))
        h.keys("\x1b")
        await _until(lambda: "interrupt" in h.fake.kinds())
        assert {"type": "patch_approval", "id": "p1", "decision": "abort"} in h.fake.ops


async def test_slash_popup_filters_and_runs_commands(tmp_path: Path, snapshot: Callable[[str, str], None]) -> None:
    async with running(tmp_path) as h:
        h.keys("/")
        await _until(lambda: h.ui.popup_kind() == "slash")
        snapshot("slash_popup_all", markup(h.ui.popup_lines()))
        h.keys("st")
        await _until(lambda: h.ui.buffer.text == "/st")
        snapshot("slash_popup_st", markup(h.ui.popup_lines()))
        h.keys("\r")  # the first match: /status
        await _until(lambda: "Token usage" in h.transcript())
        h.keys("/compact\r")
        await _until(lambda: "compact" in h.fake.kinds())
        h.keys("/nosuch\r")
        await _until(lambda: "Unrecognized command '/nosuch'" in h.transcript())


async def test_model_and_approvals_choices_send_overrides(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("/model gpt-5.4 high\r")
        await _until(lambda: "override_turn_context" in h.fake.kinds())
        assert h.fake.ops[-1] == {"type": "override_turn_context", "model": "gpt-5.4", "effort": "high"}
        h.keys("/approvals\r")
        await _until(lambda: h.ui.choice is not None)
        h.keys("\x1b[B\r")  # down, enter: "Default"
        await _until(lambda: h.fake.ops[-1].get("approval_policy") == "on-request")
        assert h.fake.ops[-1]["sandbox_policy"]["type"] == "workspace-write"


async def test_history_recall_with_up_and_down(tmp_path: Path) -> None:
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "history.jsonl").write_text(
        '{"session_id":"x","ts":1,"text":"older prompt"}\nnot json\n{"session_id":"x","ts":2,"text":"newest prompt"}\n',
        encoding="utf-8",
    )
    async with running(tmp_path) as h:
        h.keys("draft")
        await _until(lambda: h.ui.buffer.text == "draft")
        h.keys("\x1b[A")
        await _until(lambda: h.ui.buffer.text == "newest prompt")
        h.keys("\x1b[A")
        await _until(lambda: h.ui.buffer.text == "older prompt")
        h.keys("\x1b[B\x1b[B")
        await _until(lambda: h.ui.buffer.text == "draft")


async def test_ctrl_c_clears_then_quits_and_ctrl_d_quits(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("some text")
        await _until(lambda: h.ui.buffer.text == "some text")
        h.keys("\x03")
        await _until(lambda: h.ui.buffer.text == "")
        assert h.ui.app.is_running
        h.keys("\x04")
        await _until(lambda: not h.ui.app.is_running)


async def test_at_mention_inserts_a_file_path(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "widget_main.py").write_text("x", encoding="utf-8")
    async with running(tmp_path) as h:
        h.ui.files.start()
        assert h.ui.files.ready.wait(5)
        h.keys("look at @widm")
        await _until(lambda: h.ui.popup_items() == ["src/widget_main.py"])
        h.keys("\t")
        await _until(lambda: h.ui.buffer.text == "look at src/widget_main.py ")


async def test_alternate_screen_keeps_the_transcript_in_a_pane(tmp_path: Path) -> None:
    async with running(tmp_path, inline=False) as h:
        assert h.ui.app.full_screen
        await h.fake.emit({"type": "agent_message", "message": "shown in the pane"})
        await _until(lambda: "shown in the pane" in h.transcript())
        assert h.ui.scrollback.inline is False


async def test_large_paste_shows_a_placeholder_and_sends_the_text(tmp_path: Path) -> None:
    big = "line of pasted text\n" * 80
    async with running(tmp_path) as h:
        h.keys("\x1b[200~" + big + "\x1b[201~")
        await _until(lambda: h.ui.buffer.text.startswith("[Pasted Content"))
        assert h.ui.buffer.text == f"[Pasted Content {len(big)} chars]"
        h.keys(" please\r")
        await _until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == big + " please"


async def test_pasting_an_image_path_attaches_it(tmp_path: Path) -> None:
    image = tmp_path / "shot.png"
    image.write_bytes(b"\x89PNG\r\n\x1a\n")
    async with running(tmp_path) as h:
        h.keys(f"\x1b[200~'{image}'\x1b[201~")
        await _until(lambda: h.ui.buffer.text == "[Image #1] ")
        h.keys("what is this\r")
        await _until(lambda: "user_input" in h.fake.kinds())
        items = h.fake.ops[-1]["items"]
        assert items[0] == {"type": "local_image", "path": str(image)}
        assert items[1]["text"] == "[Image #1] what is this"


async def test_enter_sends_text_ending_in_an_unmatched_mention(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.ui.files.start()
        assert h.ui.files.ready.wait(5)
        h.keys("ping @nobody-matches-this")
        await _until(lambda: h.ui.popup_kind() == "file" and h.ui.popup_items() == [])
        h.keys("\r")
        await _until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == "ping @nobody-matches-this"


async def test_a_message_starting_with_a_path_is_not_a_command(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.keys("/usr/bin/python crashes\r")
        await _until(lambda: "user_input" in h.fake.kinds())
        assert h.fake.ops[-1]["items"][-1]["text"] == "/usr/bin/python crashes"


async def test_ctrl_c_interrupts_a_running_turn(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        await h.fake.emit({"type": "task_started", "turn_id": "t1"})
        await _until(lambda: h.ui.chat.running)
        h.keys("\x03")
        await _until(lambda: "interrupt" in h.fake.kinds())
        await h.fake.emit({"type": "turn_aborted", "turn_id": "t1", "reason": "interrupted"})
        await _until(lambda: "Conversation interrupted" in h.transcript())
        assert h.ui.app.is_running


async def test_ctrl_r_finds_an_earlier_prompt(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        for text in ("fix the parser", "write docs"):
            h.keys(text + "\r")
        await _until(lambda: len([k for k in h.fake.kinds() if k == "user_input"]) == 2)
        h.keys("pars\x12")
        await _until(lambda: h.ui.buffer.text == "fix the parser")


async def test_new_and_fork_restart_the_session(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.ui.rollout_path = str(tmp_path / "rollout.jsonl")
        h.keys("/new\r")
        await _until(lambda: len(h.specs) == 2)
        assert h.specs[1].resume_from is None and h.specs[1].fork_from is None
        await h.fake.emit({**CONFIGURED, "session_id": "second"})
        await _until(lambda: h.ui.session_id == "second")
        h.ui.rollout_path = str(tmp_path / "rollout.jsonl")
        h.keys("/fork\r")
        await _until(lambda: len(h.specs) == 3)
        assert h.specs[2].fork_from == tmp_path / "rollout.jsonl"
        await h.fake.emit({**CONFIGURED, "session_id": "third"})
        await _until(lambda: h.ui.session_id == "third")


def _rollout_with(tmp_path: Path, *texts: str) -> Path:
    import json

    def item(role: str, text: str) -> str:
        kind = "output_text" if role == "assistant" else "input_text"
        payload = {"type": "message", "role": role, "content": [{"type": kind, "text": text}]}
        return json.dumps({"type": "response_item", "payload": payload})

    lines = [json.dumps({"type": "session_meta", "payload": {"id": "0199-aaaa"}})]
    lines.append(item("user", "<environment_context>\n</environment_context>"))
    for text in texts:
        lines += [item("user", text), item("assistant", f"answer to {text}")]
    path = tmp_path / "rollout.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def test_esc_esc_rolls_the_same_thread_back_and_prefills_the_message(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        h.ui.rollout_path = str(_rollout_with(tmp_path, "first", "second"))
        h.keys("\x1b")
        await _until(lambda: "esc again" in (h.ui.hint or ""))
        h.keys("\x1b")
        await _until(lambda: h.ui.choice is not None)
        assert h.ui.choice is not None
        assert [label for label, _, _ in h.ui.choice.items] == ["second", "first"]
        h.keys("\x1b[B\r")
        await _until(lambda: "thread_rollback" in h.fake.kinds())
        assert h.fake.ops[-1] == {"type": "thread_rollback", "num_turns": 2}
        assert h.ui.buffer.text == "first"
        assert len(h.specs) == 1  # no new session: the same thread goes on
        await h.fake.emit({"type": "thread_rolled_back", "num_turns": 2})
        await _until(lambda: "Rolled back 2 turns" in h.transcript())


async def test_resumed_transcript_leaves_out_rolled_back_turns(tmp_path: Path) -> None:
    async with running(tmp_path) as h:
        initial = [
            {"type": "user_message", "message": "kept question", "local_images": [], "text_elements": []},
            {"type": "agent_message", "message": "kept answer"},
            {"type": "user_message", "message": "dropped question", "local_images": [], "text_elements": []},
            {"type": "agent_message", "message": "dropped answer"},
            {"type": "thread_rolled_back", "num_turns": 1},
            {"type": "user_message", "message": "new question", "local_images": [], "text_elements": []},
        ]
        await h.fake.emit({**CONFIGURED, "session_id": "resumed", "initial_messages": initial})
        await _until(lambda: "new question" in h.transcript())
        shown = h.transcript()
        assert "kept question" in shown and "kept answer" in shown
        assert "dropped" not in shown

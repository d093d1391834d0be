from __future__ import annotations

import http.client
import itertools
import json

import pytest

from pycodex_test_support import HOSTILE_MODES, ScriptedServer, hostile_turn


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown hostile mode 'nope'"):
        hostile_turn("nope")


@pytest.mark.parametrize("mode", HOSTILE_MODES)
@pytest.mark.parametrize("chat", [False, True])
def test_every_mode_produces_frames_lazily(mode: str, chat: bool) -> None:
    turn = hostile_turn(mode, chat=chat)
    assert turn.frames is not None
    frames = list(itertools.islice(turn.frames(), 50))
    assert frames and all(isinstance(f, bytes) for f in frames)


def test_finite_endless_deltas_end_with_an_answer() -> None:
    turn = hostile_turn("endless_deltas", delta_bytes=1000, total_bytes=10_000)
    assert turn.frames is not None
    frames = list(turn.frames())
    assert len(frames) == 10 + 3
    assert b"response.completed" in frames[-1]


def test_surrogates_are_escaped_on_the_wire() -> None:
    turn = hostile_turn("surrogates")
    assert turn.frames is not None
    body = b"".join(turn.frames())
    assert b"\\ud800" in body
    body.decode("utf-8")  # valid UTF-8: the surrogates travel as JSON escapes


def test_server_streams_an_endless_mode_until_the_client_leaves() -> None:
    with ScriptedServer([hostile_turn("keepalive")]) as server:
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
        conn.request("POST", "/v1/responses", body=json.dumps({"model": "m"}))
        response = conn.getresponse()
        first = response.read(26)
        conn.close()
    assert first == b": keepalive\n\n" * 2

"""Truncated command output reports the true token count and the bytes the capture buffer omitted, as Codex does."""

from __future__ import annotations

from pycodex_core._truncate import format_exec_output


def _lines(count: int) -> bytes:
    return "".join(f"{i:08d}\n" for i in range(count)).encode()


def test_short_output_is_unchanged() -> None:
    assert format_exec_output(b"hi\n", 10_000) == (1, "hi\n")


def test_long_output_gets_a_warning_with_the_line_count() -> None:
    data = _lines(50_000)  # 450 000 bytes
    tokens, text = format_exec_output(data, 10_000)
    assert tokens == 112_500
    head, tail = data[:20_000].decode(), data[-20_000:].decode()
    assert text == (
        "Warning: truncated output (original token count: 112500)\nTotal output lines: 50000\n\n"
        f"{head}…102500 tokens truncated…{tail}"
    )


def test_bytes_dropped_by_the_capture_buffer_are_counted() -> None:
    full = _lines(2_000_000)  # 18 MB; the capture buffer kept 512 KiB from each end
    kept = full[: 512 * 1024] + full[-512 * 1024 :]
    dropped = len(full) - len(kept)
    tokens, text = format_exec_output(kept, 10_000, dropped)
    assert tokens == 4_500_000
    assert text == (
        "Warning: truncated output (original token count: 4500000)\n... 16951424 bytes omitted ...\n\n"
        f"{kept[:20_000].decode()}…252152 tokens truncated…{kept[-20_000:].decode()}"
    )


def test_max_output_tokens_above_the_model_limit_is_clamped() -> None:
    _, text = format_exec_output(_lines(50_000), 50_000)
    assert "…102500 tokens truncated…" in text


def test_small_max_output_tokens() -> None:
    tokens, text = format_exec_output(b"x" * 100, 5)
    assert tokens == 25
    assert (
        text == "Warning: truncated output (original token count: 25)\nTotal output lines: 1\n\n"
        "xxxxxxxxxx…20 tokens truncated…xxxxxxxxxx"
    )

"""`view_image` and `-i` decode the image, scale it to the patch budget and refuse what is not an image."""

from __future__ import annotations

import base64
import io
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from PIL import Image

from pycodex_config import Config
from pycodex_core import Codex
from pycodex_core._images import (
    OMITTED,
    UNPROCESSABLE,
    ImageLoadError,
    fit_to_patches,
    load_image,
    local_image_parts,
)
from pycodex_core.testing import ScriptedTransport, assistant_message, collect_turn, function_call, response

ConfigFactory = Callable[..., Config]


def _save(path: Path, size: tuple[int, int], fmt: str = "PNG") -> Path:
    Image.new("RGB", size, (200, 10, 10)).save(path, format=fmt)
    return path


def _decoded(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


def test_patch_budget_arithmetic_matches_codex() -> None:
    assert fit_to_patches(4000, 3000) == (3669, 2752)
    assert fit_to_patches(5000, 600) == (5000, 600)
    assert fit_to_patches(2048, 768) == (2048, 768)
    w, h = fit_to_patches(20000, 20000)
    assert -(-w // 32) * -(-h // 32) <= 10_000


def test_small_png_is_sent_as_it_is(tmp_path: Path) -> None:
    path = _save(tmp_path / "small.png", (64, 32))
    image = load_image(path)
    assert (image.mime, image.width, image.height, image.data) == ("image/png", 64, 32, path.read_bytes())


def test_large_image_is_scaled_down(tmp_path: Path) -> None:
    image = load_image(_save(tmp_path / "big.png", (4000, 3000)))
    assert (image.mime, image.width, image.height) == ("image/png", 3669, 2752)
    assert _decoded(image.data_url()).size == (3669, 2752)


def test_large_jpeg_stays_jpeg(tmp_path: Path) -> None:
    image = load_image(_save(tmp_path / "big.jpg", (6000, 4000), "JPEG"))
    assert image.mime == "image/jpeg"
    assert -(-image.width // 32) * -(-image.height // 32) <= 10_000


def test_gif_is_reencoded_as_png(tmp_path: Path) -> None:
    image = load_image(_save(tmp_path / "small.gif", (64, 32), "GIF"))
    assert image.mime == "image/png"
    assert _decoded(image.data_url()).format == "PNG"


def test_padded_file_with_small_dimensions_is_reencoded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("pycodex_core._images.MAX_ORIGINAL_BYTES", 1000)
    path = _save(tmp_path / "padded.png", (64, 32))
    path.write_bytes(path.read_bytes() + b"\0" * 5000)  # trailing junk after IEND
    image = load_image(path)
    assert len(image.data) < 1000


@pytest.mark.parametrize("content", [b"not an image at all", b"\x89PNG\r\n\x1a\n broken", b""])
def test_non_images_are_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "fake.png"
    path.write_bytes(content)
    with pytest.raises(ImageLoadError, match=UNPROCESSABLE):
        load_image(path)


def test_link_to_a_secret_text_file_is_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.write_text("root:$6$hash:19000:0:99999:7:::\n", encoding="utf-8")
    (tmp_path / "shadow.png").symlink_to(secret)
    with pytest.raises(ImageLoadError, match=UNPROCESSABLE):
        load_image(tmp_path / "shadow.png")


def test_devices_fifos_and_directories_are_not_files(tmp_path: Path) -> None:
    (tmp_path / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.png")
    (tmp_path / "dir.png").mkdir()
    for name in ("zero.png", "fifo.png", "dir.png"):
        with pytest.raises(ImageLoadError, match="is not a file"):
            load_image(tmp_path / name)


def test_missing_file_message(tmp_path: Path) -> None:
    with pytest.raises(ImageLoadError) as info:
        load_image(tmp_path / "missing.png")
    assert (
        str(info.value)
        == f"unable to locate image at `{tmp_path / 'missing.png'}`: No such file or directory (os error 2)"
    )


def test_attached_non_image_is_omitted_between_the_tags(tmp_path: Path) -> None:
    path = tmp_path / "notes.png"
    path.write_text("hello", encoding="utf-8")
    assert local_image_parts(path, 1) == [
        {"type": "input_text", "text": f'<image name=[Image #1] path="{path}">'},
        {"type": "input_text", "text": OMITTED},
        {"type": "input_text", "text": "</image>"},
    ]


@pytest.mark.anyio
async def test_view_image_tool_sends_the_scaled_image(make_config: ConfigFactory, workspace: Path) -> None:
    _save(workspace / "big.png", (4000, 3000))
    (workspace / "shadow.png").write_text("secret", encoding="utf-8")
    transport = ScriptedTransport(
        [
            response(
                function_call("view_image", {"path": "big.png"}, call_id="v1"),
                function_call("view_image", {"path": "shadow.png"}, call_id="v2"),
            ),
            response(assistant_message("done")),
        ]
    )
    with anyio.fail_after(20):
        async with Codex.start(make_config(cwd=workspace), transport=transport) as codex:
            msgs = await collect_turn(codex, "look")
    outputs: dict[str, Any] = {
        i["call_id"]: i["output"] for i in transport.requests[1]["input"] if i["type"] == "function_call_output"
    }
    assert _decoded(outputs["v1"][0]["image_url"]).size == (3669, 2752)
    assert outputs["v1"][0]["detail"] == "original"
    assert outputs["v2"] == UNPROCESSABLE
    assert [m["path"] for m in msgs if m["type"] == "view_image_tool_call"] == [str(workspace / "big.png")]

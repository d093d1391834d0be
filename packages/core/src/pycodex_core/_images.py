"""Local images for the model: decoded, checked and resized before they are sent, as Codex does.

A file is an image when it decodes as one, whatever its name: `shadow.png -> /etc/shadow` is refused, and so is
anything that is not a regular file (a FIFO, `/dev/zero`). An image larger than the model's patch budget (10 000
patches of 32x32 pixels) is scaled down with the same arithmetic Codex uses; PNG and JPEG within the budget go as
they are, other formats are re-encoded as PNG. Pillow is imported only when an image is actually loaded.
"""

from __future__ import annotations

import base64
import io
import logging
import math
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from PIL.Image import Image

__all__ = [
    "EncodedImage",
    "ImageLoadError",
    "load_image",
    "local_image_parts",
    "view_image_output",
]

logger = logging.getLogger(__name__)

PATCH = 32
"""Side of one image patch, in pixels."""
PATCH_BUDGET = 10_000
"""The most patches an image may cover before it is scaled down."""
MAX_DECODE_PIXELS = 40_000_000
"""Images with more pixels than this are refused rather than decoded (JPEG is first decoded at a reduced scale)."""
MAX_ORIGINAL_BYTES = 20 * 1024 * 1024
"""A file larger than this is re-encoded even when its dimensions fit, so odd padding never reaches a request."""
UNPROCESSABLE = "unable to process image: invalid or unsupported image data"
OMITTED = "image content omitted because it could not be processed"


class ImageLoadError(Exception):
    """The file cannot be sent as an image; `str()` is the text the model gets."""


@dataclass(frozen=True, slots=True)
class EncodedImage:
    """Image bytes ready for a request."""

    data: bytes
    """The encoded image."""
    mime: str
    """`image/png` or `image/jpeg`."""
    width: int
    """Width in pixels."""
    height: int
    """Height in pixels."""

    def data_url(self) -> str:
        """The image as a `data:` URL."""
        return f"data:{self.mime};base64,{base64.b64encode(self.data).decode('ascii')}"


def fit_to_patches(width: int, height: int, budget: int = PATCH_BUDGET) -> tuple[int, int]:
    """The size `width` x `height` is scaled to so that it covers at most `budget` patches."""
    if math.ceil(width / PATCH) * math.ceil(height / PATCH) <= budget:
        return width, height
    ratio = math.sqrt(PATCH * PATCH * budget / (width * height))
    scaled_w, scaled_h = width * ratio / PATCH, height * ratio / PATCH
    ratio *= min(math.floor(scaled_w) / scaled_w, math.floor(scaled_h) / scaled_h)
    return max(1, round(width * ratio)), max(1, round(height * ratio))


def _open_regular(path: Path) -> IO[bytes]:
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError as exc:
        raise ImageLoadError(f"unable to locate image at `{path}`: {exc.strerror} (os error {exc.errno})") from None
    except OSError as exc:
        raise ImageLoadError(f"unable to read image at `{path}`: {exc.strerror or exc}") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ImageLoadError(f"image path `{path}` is not a file")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def _encode(image: Image, jpeg: bool) -> tuple[bytes, str]:
    out = io.BytesIO()
    if jpeg:
        image.convert("RGB").save(out, format="JPEG", quality=85)
        return out.getvalue(), "image/jpeg"
    image.convert("RGBA").save(out, format="PNG")
    return out.getvalue(), "image/png"


def _decode(handle: IO[bytes], size: int) -> EncodedImage:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(handle) as image:
            width, height = image.size
            kind = image.format
            target = fit_to_patches(width, height)
            if target == (width, height) and kind in ("PNG", "JPEG") and size <= MAX_ORIGINAL_BYTES:
                image.verify()  # a truncated or corrupt file is refused, not sent
                handle.seek(0)
                mime = "image/png" if kind == "PNG" else "image/jpeg"
                return EncodedImage(handle.read(), mime, width, height)
            if kind == "JPEG":
                image.draft("RGB", target)
            if image.size[0] * image.size[1] > MAX_DECODE_PIXELS:
                raise ImageLoadError(f"unable to process image: {width}x{height} pixels is too large to process")
            image.load()
            resize = image.resize  # pyright: ignore[reportUnknownMemberType, reportUnknownVariableType]
            resized = image if target == image.size else resize(target, Image.Resampling.BILINEAR)
            data, mime = _encode(resized, jpeg=kind == "JPEG" and target != (width, height))
            return EncodedImage(data, mime, *target)
    except ImageLoadError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, EOFError, Image.DecompressionBombError) as exc:
        logger.info("image decode failed: %s", exc)
        raise ImageLoadError(UNPROCESSABLE) from None


def load_image(path: Path) -> EncodedImage:
    """Decode the image at `path` and return it ready to send (scaled down to the patch budget when larger).

    Raises:
        ImageLoadError: Missing, not a regular file, unreadable, or not a decodable image.
    """
    with _open_regular(path) as handle:
        return _decode(handle, os.fstat(handle.fileno()).st_size)


def view_image_output(path: Path) -> str | list[dict[str, Any]]:
    """The `view_image` tool result: one `input_image` item, or the error text for the model."""
    try:
        image = load_image(path)
    except ImageLoadError as exc:
        return str(exc)
    return [{"type": "input_image", "image_url": image.data_url(), "detail": "original"}]


def local_image_parts(path: Path, index: int) -> list[dict[str, Any]]:
    """The content parts of an attached image (`-i`): open tag, the image (or a note), close tag."""
    parts: list[dict[str, Any]] = [{"type": "input_text", "text": f'<image name=[Image #{index}] path="{path}">'}]
    try:
        image = load_image(path)
    except ImageLoadError as exc:
        logger.info("attached image %s not sent: %s", path, exc)
        parts.append({"type": "input_text", "text": OMITTED})
    else:
        parts.append({"type": "input_image", "image_url": image.data_url(), "detail": "original"})
    parts.append({"type": "input_text", "text": "</image>"})
    return parts

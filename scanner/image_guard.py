"""Image files in, frames out, and nothing that cannot be sized first: the guard against image
bombs.

A picture file is a promise of pixels, and a few kilobytes can promise gigabytes: a PNG or a
JPEG whose header declares 60,000 × 60,000, a Radiance ``.hdr`` or a TIFF whose size no
header reader here understands, a GIF of a thousand frames. Every image file the scanner reads
(``kiosk-admin decode``, ``kiosk-admin checkin``, a folder of frames) comes through
:func:`read_image`, which

- accepts only what a kiosk meets, PNG, JPEG, WebP and BMP, judged by the file's first bytes
  (its magic number), never by its name;
- opens it with Pillow restricted to that one format, which reads the header and reports the
  size before any pixel is decoded, and refuses a file without one;
- refuses a size over the cap (``decoder.max_image_mpx``), then decodes with the same Pillow
  that reported the size (a second decoder could read another size from the same bytes).

The cap is also set as Pillow's own ``Image.MAX_IMAGE_PIXELS`` and OpenCV's
``OPENCV_IO_MAX_IMAGE_PIXELS`` (:func:`set_pixel_cap`): a second line for any other reader.
OpenCV reads that variable once, when ``cv2`` is loaded, so this module never imports ``cv2``
and ``kiosk-admin decode`` sets the cap before it imports the decoders.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from kiosk.config import DecoderSettings
from scanner.ports import Frame, as_frame

DEFAULT_MAX_MPX: Final = DecoderSettings.max_image_mpx
"""The cap until :func:`set_pixel_cap` sets another (``decoder.max_image_mpx``'s default)."""

_MAGIC: Final = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"BM", "BMP"),
)
"""Leading bytes of the accepted formats and Pillow's name for each (WebP: :func:`kind_of`)."""

ACCEPTED: Final = "PNG, JPEG, WebP, BMP"
"""The accepted formats, as messages name them."""

ENV_OPENCV_CAP: Final = "OPENCV_IO_MAX_IMAGE_PIXELS"


class ImageRefusedError(ValueError):
    """An image file that is not read, and why (one line, English and Vietnamese)."""


def kind_of(head: bytes) -> str | None:
    """Pillow's format name for a file starting with ``head`` (its first 12 bytes or more),
    or None when it is none of the accepted formats."""
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "WEBP"
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    return None


def pixel_cap() -> int:
    """The largest image accepted, in pixels: Pillow's own limit, which :func:`set_pixel_cap`
    sets (one value, so the two cannot drift apart)."""
    return Image.MAX_IMAGE_PIXELS or DEFAULT_MAX_MPX * 1_000_000


def set_pixel_cap(max_mpx: int) -> None:
    """Sets the cap (megapixels) here, as Pillow's ``MAX_IMAGE_PIXELS`` and in the environment
    as ``OPENCV_IO_MAX_IMAGE_PIXELS``.

    OpenCV reads the variable when it is loaded: a cap set after ``import cv2`` reaches OpenCV
    only in child processes. Pillow refuses twice its limit outright (``DecompressionBombError``)
    and warns above it; :func:`read_image` checks the cap itself before either.
    """
    if max_mpx < 1:
        raise ValueError(f"max_image_mpx must be at least 1, got {max_mpx}")
    Image.MAX_IMAGE_PIXELS = max_mpx * 1_000_000
    os.environ[ENV_OPENCV_CAP] = str(Image.MAX_IMAGE_PIXELS)


def opencv_capped() -> bool:
    """Whether the loaded OpenCV (if any) got the current cap (it was set before ``import cv2``)."""
    return "cv2" not in sys.modules or os.environ.get(ENV_OPENCV_CAP) == str(pixel_cap())


def header_size(path: Path) -> tuple[str, int, int]:
    """The format and size (width, height) an accepted image file declares, from its header.

    Raises :class:`ImageRefusedError` for a missing file, a format not accepted (by content), and a
    file whose header gives no size.
    """
    with _opened(path) as image:
        return image.format or "", image.size[0], image.size[1]


def read_image(path: Path, max_px: int | None = None) -> Frame:
    """An accepted image file no larger than ``max_px`` pixels (default: :func:`pixel_cap`) as
    a BGR frame (its EXIF orientation applied, as a camera app shows it).

    Raises :class:`ImageRefusedError` with the reason: no such file, not an accepted format, no
    size in its header, too large, or broken pixel data.
    """
    limit = pixel_cap() if max_px is None else max_px
    with _opened(path) as image:
        width, height = image.size
        if width * height > limit:
            raise ImageRefusedError(_too_large(limit, (width, height)))
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # ours is checked
                upright = ImageOps.exif_transpose(image)  # only the first frame is decoded
                rgb = np.asarray(upright.convert("RGB"))
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as error:
            raise ImageRefusedError(_broken(error)) from error
    return as_frame(rgb[:, :, ::-1])


@contextmanager
def _opened(path: Path) -> Iterator[Image.Image]:
    """Pillow's lazy view of an accepted file (header read, no pixel decoded), or
    :class:`ImageRefusedError`."""
    try:
        with path.open("rb") as file:
            head = file.read(16)
    except FileNotFoundError as error:
        raise ImageRefusedError("no such file / không có tệp này") from error
    except IsADirectoryError as error:
        raise ImageRefusedError("a folder, not an image / là thư mục, không phải ảnh") from error
    except OSError as error:
        raise ImageRefusedError(f"cannot be read: {error.strerror} / không đọc được tệp") from error
    kind = kind_of(head)
    if kind is None:
        raise ImageRefusedError(
            f"not a readable image (only {ACCEPTED}) / "
            f"không phải ảnh đọc được (chỉ nhận {ACCEPTED})"
        )
    no_size = (
        f"not a readable image (no size in its {kind} header) / "
        "không phải ảnh đọc được (đầu tệp không ghi kích thước)"
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # ours is checked
            image = Image.open(path, formats=[kind])
    except Image.DecompressionBombError as error:
        # Pillow's own refusal (over twice its limit): the size was in the header.
        raise ImageRefusedError(_too_large(pixel_cap())) from error
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError) as error:
        raise ImageRefusedError(no_size) from error
    with image:
        if image.size[0] < 1 or image.size[1] < 1:
            raise ImageRefusedError(no_size)
        yield image


def _too_large(limit: int, size: tuple[int, int] | None = None) -> str:
    mpx = limit // 1_000_000
    declared = f"; {size[0]} × {size[1]}" if size else ""
    return (
        f"image too large (over {mpx} Mpx: decoder.max_image_mpx{declared}) / "
        f"ảnh quá lớn (trên {mpx} megapixel)"
    )


def _broken(error: BaseException) -> str:
    return f"not a readable image (broken pixel data: {error}) / ảnh hỏng, không đọc được"


set_pixel_cap(DEFAULT_MAX_MPX)  # Pillow's and OpenCV's limits are the cap from the start

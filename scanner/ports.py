"""The scanner's ports: what a camera and a decoder promise, what a decode returns, and what the
decoder chain asks of its stages (:class:`Sighting` and the reader protocols).

The types every other scanner module imports; this module imports nothing of ours.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
"""One camera picture: a uint8 array, BGR (h, w, 3) or grey (h, w)."""

Corners = tuple[tuple[float, float], ...]
"""Corner points of a found QR in frame pixels (x, y), clockwise from the top left."""

Box = tuple[int, int, int, int]
"""A region of a frame as (x, y, width, height) in frame pixels."""


class CameraState(StrEnum):
    """Whether the camera is delivering frames."""

    OK = "ok"
    LOST = "lost"


class Camera(Protocol):
    """A source of frames. ``read()`` returns None when no new frame is ready yet."""

    def read(self) -> Frame | None:
        """The newest frame not returned before, or None; never blocks for long."""
        ...

    @property
    def state(self) -> CameraState:
        """``ok`` while frames arrive, ``lost`` while the device is gone."""
        ...

    def close(self) -> None:
        """Release the device; ``read()`` returns None afterwards."""
        ...


@dataclass(frozen=True)
class Decoded:
    """One QR read: the text, the raw bytes in the symbol, where it is, and who read it."""

    text: str
    raw: bytes
    corners: Corners
    decoder: str


class Decoder(Protocol):
    """Finds and reads one QR code in a frame."""

    def decode(self, frame: Frame) -> Decoded | None:
        """The QR read from ``frame``, or None when none could be read."""
        ...


@dataclass(frozen=True)
class Scan:
    """One look at a frame: the QR read (or None), and whether QR-like symbols were seen.

    ``seen`` holds the boxes of unread symbols zxing could place; ``sighted`` is also true for
    symbols it could not place (a format error leaves the position empty), so the box list
    is a hint, not the whole story. ``guessed`` holds, where nothing was sighted, the small busy
    region the blind stages tried (:func:`scanner.stages.enlarge.small_busy`): a code held far
    away may be there, too small for one frame to read; a stream reader may fuse it over
    several. ``placed`` holds the corners zxing gave the unread symbols (the unbend and the
    refocus start from them: :mod:`scanner.stages.placed`).
    """

    found: Decoded | None
    sighted: bool = False
    seen: tuple[Box, ...] = ()
    guessed: tuple[Box, ...] = ()
    placed: tuple[Corners, ...] = ()


@runtime_checkable
class Sighting(Protocol):
    """A decoder that also says where it saw a QR it could not read (the chain's gate)."""

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        """The read, or whether (and where) a symbol was seen but not read.

        ``every_pass=False`` lets a decoder stop early on a frame in which it saw nothing;
        ``downscale`` (by default ``every_pass``) whether its first look also tries the
        frame downscaled.
        """
        ...


@runtime_checkable
class RegionReader(Protocol):
    """A decoder that can read only given regions of a frame (cheaper than the whole frame)."""

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """The QR read in one of ``boxes``, corners in frame pixels, or None."""
        ...


@runtime_checkable
class PlacedReader(Protocol):
    """A decoder that starts from where zxing placed a symbol it could not read."""

    def decode_placed(self, frame: Frame, placed: Sequence[Corners]) -> Decoded | None:
        """The QR read at one of the ``placed`` symbols (corners in frame pixels), or None."""
        ...


def as_frame(array: npt.NDArray[Any]) -> Frame:
    """An array as a contiguous uint8 frame (what the native decoders want)."""
    return np.ascontiguousarray(array, dtype=np.uint8)

"""The scanner's ports: what a camera and a decoder promise, and what a decode returns."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

Frame = npt.NDArray[np.uint8]
"""One camera picture: a uint8 array, BGR (h, w, 3) or grey (h, w)."""

Corners = tuple[tuple[float, float], ...]
"""Corner points of a found QR in frame pixels (x, y), clockwise from the top left."""


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


def as_frame(array: npt.NDArray[Any]) -> Frame:
    """An array as a contiguous uint8 frame (what the native decoders want)."""
    return np.ascontiguousarray(array, dtype=np.uint8)

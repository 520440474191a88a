"""Reading a code printed on a bent card: a card carried in a wallet bows like a cylinder, and
the part of its code nearer the bend's edge is squeezed. zxing locates such a code (its three
finder patterns are intact) but samples its module grid in the wrong places (a checksum
error): a perspective fits the four corners, not the squeeze in between.

The stage rectifies the located symbol onto a square and, since the bend is unknown, tries a
few smooth squeezes across it (one way, then the other, then both) until zxing reads one.
Measured: on the benchmark's curved-card approach clip, whose code zxing located in every
frame and no stage read, a squeeze of 4–8 % across the code reads every frame tried.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import cv2
import numpy as np
import numpy.typing as npt

from scanner.ports import Corners, Decoded, Decoder, Frame, as_frame
from scanner.regions import Box, extent, to_grey

if TYPE_CHECKING:
    from scanner.decoders import Sighting

SQUEEZES = (
    (0.05, 0.0),
    (-0.05, 0.0),
    (0.1, 0.0),
    (-0.1, 0.0),
    (0.0, 0.05),
    (0.0, -0.05),
    (0.0, 0.1),
    (0.0, -0.1),
    (0.05, 0.05),
    (0.05, -0.05),
    (-0.05, 0.05),
    (-0.05, -0.05),
)
"""(across, down): how far the middle of the rectified code is moved along each axis, as a
share of its half side, tried in turn. A bend along one of the card's axes squeezes one way;
the card is held at any turn, so both axes and both signs are tried."""


def unbent(grey: Frame, corners: Corners, across: float, down: float) -> Frame:
    """The symbol at ``corners`` (clockwise from its top left) rectified onto a square of
    about its own size with a quiet zone of a tenth, its middle moved by ``across`` and
    ``down`` half sides: a parabolic remap that keeps the edges where they are and squeezes
    one side while it stretches the other."""
    side = int(np.clip(extent(corners), 160, 400))
    margin = side // 10
    n = side + 2 * margin
    square = np.array(
        [
            (margin, margin),
            (margin + side, margin),
            (margin + side, margin + side),
            (margin, margin + side),
        ],
        np.float32,
    )
    to_frame = cv2.getPerspectiveTransform(square, np.array(corners, np.float32))
    y, x = np.mgrid[0:n, 0:n].astype(np.float32)
    half = side / 2
    u = np.clip((x - margin - half) / half, -1, 1)
    v = np.clip((y - margin - half) / half, -1, 1)
    xs = x + half * across * (1 - u * u)
    ys = y + half * down * (1 - v * v)
    points: npt.NDArray[np.float64] = np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ to_frame.T
    map_x = (points[..., 0] / points[..., 2]).astype(np.float32)
    map_y = (points[..., 1] / points[..., 2]).astype(np.float32)
    return as_frame(
        cv2.remap(grey, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    )


class Unbend:
    """The decoder stage: where zxing located a code it could not read, the located symbol
    rectified and unsqueezed (:func:`unbent`, each of :data:`SQUEEZES`), read by ``inner``.
    ``locate`` finds the symbol's corners in a region (one zxing pass on the crop)."""

    name = "unbend"

    def __init__(self, inner: Decoder, *, locate: Sighting) -> None:
        self._inner = inner
        self._locate = locate

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        return self.decode_in(grey, [(0, 0, w, h)])

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """The largest symbol located in each box, unsqueezed each way in turn."""
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            crop = as_frame(grey[y : y + h, x : x + w])
            placed = self._locate.scan(crop, every_pass=False, downscale=False).placed
            if not placed:
                continue
            corners = max(placed, key=extent)
            for across, down in SQUEEZES:
                found = self._inner.decode(unbent(crop, corners, across, down))
                if found is not None:
                    where = tuple((x + cx, y + cy) for cx, cy in corners)
                    return Decoded(found.text, found.raw, where, self.name)
        return None

"""Reading a code printed on a bent card: a card carried in a wallet bows like a cylinder, and
the part of its code nearer the bend's edge is squeezed. zxing locates such a code (its three
finder patterns are intact) but samples its module grid in the wrong places (a checksum
error): a perspective fits the four corners, not the squeeze in between.

The stage rectifies the located symbol onto a square and, since the bend is unknown, tries a
few smooth squeezes and bows across it (one way, then the other, then both) until zxing
reads one.
Measured: on the benchmark's curved-card approach clip, whose code zxing located in every
frame and no stage read, a squeeze of 4–8 % across the code reads every frame tried.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np
import numpy.typing as npt

from scanner.decode.regions import extent, to_grey
from scanner.ports import Corners, Decoded, Decoder, Frame, Sighting, as_frame
from scanner.stages.placed import PlacedStage, distinct_symbols

SQUEEZES = (
    (0.05, 0.0, 0.0, 0.0),
    (-0.05, 0.0, 0.0, 0.0),
    (0.1, 0.0, 0.0, 0.0),
    (-0.1, 0.0, 0.0, 0.0),
    (0.0, 0.05, 0.0, 0.0),
    (0.0, -0.05, 0.0, 0.0),
    (0.0, 0.1, 0.0, 0.0),
    (0.0, -0.1, 0.0, 0.0),
    (0.0, 0.0, 0.05, 0.0),
    (0.0, 0.0, -0.05, 0.0),
    (0.0, 0.0, 0.0, 0.05),
    (0.0, 0.0, 0.0, -0.05),
    (0.05, 0.05, 0.0, 0.0),
    (0.05, -0.05, 0.0, 0.0),
    (-0.05, 0.05, 0.0, 0.0),
    (-0.05, -0.05, 0.0, 0.0),
)
"""(across, down, rows, columns), tried in turn, each a share of the rectified code's half
side: how far its middle is moved along each axis (a squeeze: the part nearer the bend is
narrower), then how far its middle row and column bow (a bend seen from above or below
curves the rows). The card is held at any turn, so both axes and both signs are tried."""


def unbent(
    grey: Frame,
    corners: Corners,
    across: float,
    down: float,
    *,
    rows: float = 0.0,
    columns: float = 0.0,
) -> Frame:
    """The symbol at ``corners`` (clockwise from its top left) rectified onto a square of
    about its own size with a quiet zone of a tenth, its middle moved by ``across`` and
    ``down`` half sides (a parabolic remap that keeps the edges where they are and squeezes
    one side while it stretches the other), its rows and columns bowed back by ``rows`` and
    ``columns`` half sides."""
    return _Rectified(corners).unbent(grey, across, down, rows=rows, columns=columns)


class _Rectified:
    """The square a placed symbol is rectified onto, and the perspective from it to the frame:
    found once per placement, then remapped with each squeeze in turn."""

    def __init__(self, corners: Corners) -> None:
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
        self._to_frame = cv2.getPerspectiveTransform(square, np.array(corners, np.float32))
        self._y, self._x = np.mgrid[0:n, 0:n].astype(np.float32)
        self._half = side / 2
        self._u = np.clip((self._x - margin - self._half) / self._half, -1, 1)
        self._v = np.clip((self._y - margin - self._half) / self._half, -1, 1)

    def unbent(
        self, grey: Frame, across: float, down: float, *, rows: float, columns: float
    ) -> Frame:
        """See :func:`unbent`."""
        u, v, half = self._u, self._v, self._half
        xs = self._x + half * (across * (1 - u * u) + columns * (1 - v * v))
        ys = self._y + half * (down * (1 - v * v) + rows * (1 - u * u))
        points: npt.NDArray[np.float64] = (
            np.stack([xs, ys, np.ones_like(xs)], axis=-1) @ self._to_frame.T
        )
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            # A degenerate quad (a point, a line) maps to nowhere: outside the picture.
            maps = [
                np.clip(np.nan_to_num(points[..., i] / points[..., 2], nan=-1.0), -1.0, 1e6)
                for i in (0, 1)
            ]
        map_x, map_y = (m.astype(np.float32) for m in maps)
        return as_frame(
            cv2.remap(grey, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        )


class Unbend(PlacedStage):
    """The decoder stage: where zxing located a code it could not read, the located symbol
    rectified and unsqueezed (:func:`unbent`, each of :data:`SQUEEZES`), read by ``inner``.
    In the chain it starts from the corners zxing's first look gave (a
    :class:`~scanner.ports.PlacedReader`); on a picture or a region alone, ``locate``
    finds them (one zxing pass)."""

    name = "unbend"

    def __init__(self, inner: Decoder, *, locate: Sighting) -> None:
        super().__init__(locate=locate)
        self._inner = inner

    def decode_placed(self, frame: Frame, placed: Sequence[Corners]) -> Decoded | None:
        """The largest of the symbols zxing ``placed`` (and the next, when it placed two
        apart), unsqueezed each way in turn; corners as placed."""
        grey = to_grey(frame)
        for corners in distinct_symbols(placed):
            square = _Rectified(corners)
            for across, down, rows, columns in SQUEEZES:
                found = self._inner.decode(
                    square.unbent(grey, across, down, rows=rows, columns=columns)
                )
                if found is not None:
                    return Decoded(found.text, found.raw, corners, self.name)
        return None

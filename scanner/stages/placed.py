"""Stages that start from where zxing placed a symbol it could not read (the unbend and the
refocus): which placements to try, and reading a whole picture or given regions by placing
the symbols first."""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from scanner.decode.regions import MIN_SYMBOL_PX, extent, to_grey
from scanner.ports import Box, Corners, Decoded, Frame, Sighting, as_frame
from scanner.stages.base import RegionStage

MAX_PLACED = 2
"""Distinct placed symbols a stage tries, largest first (zxing reports one symbol once per
binarizer and polarity: those count once)."""


def distinct_symbols(placed: Sequence[Corners]) -> list[Corners]:
    """The largest of the ``placed`` symbols and the next one placed apart from it (at most
    :data:`MAX_PLACED`), leaving out placements too small or flat to be a code."""
    tried: list[Corners] = []
    for corners in sorted(placed, key=extent, reverse=True):
        if _area(corners) < MIN_SYMBOL_PX**2 or any(_same_symbol(corners, o) for o in tried):
            continue
        tried.append(corners)
        if len(tried) == MAX_PLACED:
            break
    return tried


def _same_symbol(a: Corners, b: Corners) -> bool:
    """Whether two placements are one symbol: centres within a quarter of its size."""
    ax, ay = np.mean(a, axis=0)
    bx, by = np.mean(b, axis=0)
    return bool(math.hypot(ax - bx, ay - by) < max(extent(a), extent(b)) / 4)


def _area(corners: Corners) -> float:
    return float(cv2.contourArea(np.array(corners, np.float32)))


class PlacedStage(RegionStage):
    """A decoder stage that reads a symbol zxing placed: :meth:`decode_placed` is the stage's
    own; on a picture or a region alone, ``locate`` (one zxing pass) places the symbols first.
    In the chain, :meth:`decode_placed` gets the corners zxing's first look gave."""

    name = "placed"

    def __init__(self, *, locate: Sighting) -> None:
        self._locate = locate

    def boxes(self, grey: Frame) -> list[Box]:
        """The whole picture only: ``locate`` places the symbols in it."""
        h, w = grey.shape[:2]
        return [(0, 0, w, h)]

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """The symbols ``locate`` places in each box, read by :meth:`decode_placed`."""
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            crop = as_frame(grey[y : y + h, x : x + w])
            placed = self._locate.scan(crop, every_pass=False, downscale=False).placed
            found = self.decode_placed(crop, placed)
            if found is not None:
                return self.moved(found, x, y)
        return None

    def decode_placed(self, frame: Frame, placed: Sequence[Corners]) -> Decoded | None:
        """The QR read at one of the ``placed`` symbols (corners in frame pixels), or None."""
        raise NotImplementedError

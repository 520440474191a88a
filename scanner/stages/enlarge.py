"""The enlarged retry: a code that is small or soft inside a larger picture (a VssID card
image, a photo, a card held far away) read in its candidate region, enlarged and cleaned up."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import cv2
import numpy as np

from scanner.decode.regions import Regions, candidate_regions, read_scaled, to_grey
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import Box, Decoded, Decoder, Frame, as_frame
from scanner.stages.base import RegionStage
from scanner.stages.deblur import gaussian_psf, wiener
from scanner.stages.sharpen import sharpened


class EnlargeRetry(RegionStage):
    """For a QR that is small or blurred inside a larger picture (a VssID card image, a photo).

    Finds candidate regions (square, high-contrast blobs of fine detail), crops each with a
    margin, enlarges it so the code gets enough pixels per module and retries ``inner`` on it;
    then tries cleaned-up versions (a 3×3 morphological close / open smooths halftone prints
    and fabric). Corner points are mapped back into frame pixels.
    """

    name = "enlarge"

    def __init__(
        self,
        inner: Decoder | None = None,
        *,
        max_regions: int = 3,
        target_px: int = 640,
        max_scale: float = 4.0,
    ) -> None:
        self._inner = inner or ZxingDecoder(binarizers=("local", "global"), name=self.name)
        self._max_regions = max_regions
        self._target_px = target_px
        self._max_scale = max_scale

    def boxes(self, grey: Frame) -> list[Box]:
        """The whole picture when it is small enough to enlarge, then the candidate regions."""
        h, w = grey.shape[:2]
        boxes: list[Box] = [(0, 0, w, h)] if max(h, w) <= self._target_px else []
        return boxes + candidate_regions(grey, self._max_regions)

    def decode_unsighted(self, grey: Frame, regions: Regions) -> Decoded | None:
        """The likeliest region where zxing saw nothing, when it is small (a phone or card
        held far away: at most :data:`SMALL_REGION_PX` a side) and busy."""
        boxes = small_busy(regions)
        return self.decode_in(grey, boxes) if boxes else None

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """Each box cropped, enlarged and cleaned up in turn (see the class docstring)."""
        grey = to_grey(frame)
        for x, y, bw, bh in boxes:
            crop = grey[y : y + bh, x : x + bw]
            scale = min(self._max_scale, max(1.0, self._target_px / max(bw, bh)))
            found = read_scaled(self._inner, _variants(crop, scale), (x, y), scale, self.name)
            if found is not None:
                return found
        return None


SMALL_REGION_PX = 360
"""The largest candidate region the enlarged retry tries where zxing saw nothing: a phone or a
card whose code is 80–120 px (a shirt or a notice in front of the camera is larger)."""


def small_busy(regions: Regions) -> list[Box]:
    """The likeliest candidate region when it is small (at most :data:`SMALL_REGION_PX` a side)
    and busy: a phone or card held far away, where zxing may see nothing at all."""
    return [b for b in regions.boxes(1) if max(b[2], b[3]) <= SMALL_REGION_PX and regions.busy(b)]


def _variants(crop: Frame, scale: float) -> Iterator[Frame]:
    """The crop enlarged, then enlarged and sharpened, then restored, then cleaned up by
    morphology: each made only when the one before did not read (the restoration's Fourier
    transforms cost more than the read that usually succeeds first).

    The sharpened one is for a code of 80–120 px blurred by the lens and an MJPEG stream:
    enlarged, its modules' edges are soft ramps that a lift of 1.5 over a mask of half a
    source pixel makes steps again (measured on the hard stratum's small codes it read 6 of
    the 11 the plain enlargement missed).
    """
    big = crop
    if scale > 1.0:
        big = as_frame(cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC))
    yield big
    if scale >= 2.0:
        yield sharpened(big, 0.25 * scale, 0.5 * scale, 1.5)
    if scale >= 1.5:
        # A code of under 2 px a module is softened by the lens and the sensor by about
        # 0.7 px: enlarged, that softening undone (a Wiener filter) gives its modules back.
        yield wiener(big, gaussian_psf(0.7 * scale), 0.01)
    kernel = np.ones((3, 3), np.uint8)
    yield as_frame(cv2.morphologyEx(big, cv2.MORPH_CLOSE, kernel))
    yield as_frame(cv2.morphologyEx(big, cv2.MORPH_OPEN, kernel))
    yield as_frame(cv2.erode(big, kernel))

"""Reading a code softened by defocus, screen moiré or glare: the region smoothed (which melts
the moiré's fine stripes and the sensor's grain) and its modules' edges lifted again by an
unsharp mask, then read by zxing.

Measured on the hard stratum's misses (tests/bench/bench_decode.py's frames, before this
stage): of 50 frames the chain could not read, smoothing by 1 px and lifting by 3× against a
3 px blur read 13 (VssID card pictures with moiré, phones at a tilt under glare, defocused
screens); two gentler settings add one more. Most of them zxing never sighted, so the stage
also looks where zxing saw nothing, but only after a cheap probe at half size (about 0.5 ms
on a busy region) has sighted a code in the sharpened region.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2

from scanner.decode.regions import Regions, to_grey
from scanner.ports import Box, Decoded, Decoder, Frame, Sighting, as_frame
from scanner.stages.base import RegionStage

SETTINGS = ((1.0, 3.0, 3.0), (1.0, 2.0, 1.5), (1.5, 3.0, 3.0))
"""(smoothing σ, mask σ, lift) in px of the region, tried in turn; the first reads most."""


def sharpened(grey: Frame, smooth: float, mask: float, lift: float) -> Frame:
    """``grey`` smoothed by a Gaussian of ``smooth`` px, then lifted by ``lift`` times its
    difference from a Gaussian of ``mask`` px more (an unsharp mask on the smoothed picture:
    the modules' scale gains contrast, the finer moiré and grain do not come back)."""
    soft = cv2.GaussianBlur(grey, (0, 0), smooth) if smooth > 0 else grey
    wide = cv2.GaussianBlur(soft, (0, 0), mask)
    return as_frame(cv2.addWeighted(soft, 1 + lift, wide, -lift, 0))


DARK_MEAN = 100.0
"""The mean grey under which a region is taken for a dark-mode screen (light modules on
black): the probe looks at it inverted, so that it needs one pass and not two."""


class Sharpen(RegionStage):
    """The decoder stage: a :class:`~scanner.ports.RegionReader` where zxing saw a code it
    could not read, and a :class:`~scanner.decode.chain.BlindReader` on the likeliest region where
    it saw nothing (sighted first by ``probe`` on the region at half size, sharpened there by
    a 5×5 box blur and a lift of 1.5)."""

    name = "sharpen"

    def __init__(self, inner: Decoder, *, probe: Sighting) -> None:
        self._inner = inner
        self._probe = probe

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """Each box's crop through every setting in turn; corners in frame pixels."""
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            crop = as_frame(grey[y : y + h, x : x + w])
            for smooth, mask, lift in SETTINGS:
                found = self._inner.decode(sharpened(crop, smooth, mask, lift))
                if found is not None:
                    return self.moved(found, x, y)
        return None

    def decode_unsighted(self, grey: Frame, regions: Regions) -> Decoded | None:
        """The likeliest region, when it is busy and the probe sights a code in it, or when it
        is lit (a screen or a white card in a frame that shows something bright: glare hides
        a code from the probe as from zxing)."""
        boxes = [b for b in regions.boxes(1) if regions.busy(b)]
        if not boxes:
            return None
        if regions.bright() and regions.lit(boxes[0]):
            return self.decode_in(grey, boxes[:1])
        half = regions.half(boxes[0])
        soft = cv2.blur(half, (5, 5))
        probe = as_frame(cv2.addWeighted(half, 2.5, soft, -1.5, 0))
        if float(cv2.mean(soft)[0]) < DARK_MEAN:  # a dark-mode screen: its code inverted
            probe = as_frame(cv2.bitwise_not(probe))
        if not self._probe.scan(probe, every_pass=False, downscale=False).sighted:
            return None
        return self.decode_in(grey, boxes[:1])

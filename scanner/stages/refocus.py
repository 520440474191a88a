"""Reading a defocused code: a phone held closer than a fixed-focus webcam can focus, or a
camera whose autofocus settled on the patient's face. Each point of the code is spread over
a disc, and once the disc is as wide as a module the modules run into each other: zxing
still places the symbol (its finder patterns are large) but reads wrong modules.

The stage undoes a disc blur (a Wiener filter) of a few radii in turn on the placed symbol's
region, since the radius is unknown. Measured on the independent field stratum: 3 of its 8
defocused codes no other stage reads, each at the one radius within half a pixel of the true
one (brute force over radii and noise levels on the whole frame read 4).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import cv2

from scanner.decode.regions import MIN_SYMBOL_PX, box_around, read_scaled, to_grey
from scanner.ports import Corners, Decoded, Decoder, Frame, Sighting, as_frame
from scanner.stages.deblur import disc_psf, wiener
from scanner.stages.placed import PlacedStage, distinct_symbols

RADII = (3.0, 3.5, 4.0, 2.5, 4.5, 2.0, 5.0, 5.5)
"""Disc radii (frame pixels) tried in turn, the likeliest first: a webcam's defocus that
zxing cannot read through but that still leaves the finder patterns to place it."""

NOISE = 0.01
"""The Wiener filter's noise-to-signal ratio (0.003 to 0.03 read the same codes)."""

MAX_SIDE_PX = 640
"""A larger region (a phone held very close) is shrunk to this size first, the radii with
it: the filter's cost grows with the pixels, and a code that large has modules to spare."""


class Refocus(PlacedStage):
    """The decoder stage: where zxing placed a code it could not read, the placed symbol's
    region (half its size more on each side) refocused at each of :data:`RADII` in turn and
    read by ``inner``; corners in frame pixels."""

    name = "refocus"

    def __init__(self, inner: Decoder, *, locate: Sighting) -> None:
        super().__init__(locate=locate)
        self._inner = inner

    def decode_placed(self, frame: Frame, placed: Sequence[Corners]) -> Decoded | None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        for corners in distinct_symbols(placed):
            x, y, bw, bh = box_around(corners, w, h)
            if min(bw, bh) < MIN_SYMBOL_PX:  # placed (mostly) outside the picture
                continue
            crop = as_frame(grey[y : y + bh, x : x + bw])
            scale = min(1.0, MAX_SIDE_PX / max(bw, bh, 1))
            if scale < 1.0:
                crop = as_frame(
                    cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                )
            found = read_scaled(self._inner, _refocused(crop, scale), (x, y), scale, self.name)
            if found is not None:
                return found
        return None


def _refocused(crop: Frame, scale: float) -> Iterator[Frame]:
    """The crop deconvolved by a disc of each radius in turn (radii under a pixel once the
    crop was shrunk are left out: there is nothing left to undo)."""
    for radius in RADII:
        if radius * scale >= 1.0:
            yield wiener(crop, disc_psf(radius * scale), NOISE)

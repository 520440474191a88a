"""The decoder chain: its stages (``scanner/decode/zxing.py``, ``zbar.py`` and the slower
stages of ``scanner/stages/``) tried in turn, the gate that decides which of them a frame
gets, and :func:`build_decoder`, which builds the chain ``[decoder] chain`` names.

The chain tries the fast, strong decoder first (zxing-cpp reads almost every frame in a
couple of milliseconds) and only spends more time on frames it could not read, so the common
case costs one zxing pass.

Most camera frames hold no QR at all (an empty lobby, a patterned shirt). The same zxing pass
also reports symbols it *saw* but could not read (finder patterns found, checksum or format
wrong); on camera frames the chain runs its slow stages only where zxing saw something, and
then only on candidate regions. A frame without any sighting costs one zxing pass and a few
cheap looks at the likeliest region (is it a smear; does a half-size sharpened probe sight a
code; is something bright in view: then a global-threshold look, zbar and the sharpen on a
lit region). One-off photos (``kiosk-admin decode``) use the ungated chain: every stage on the
whole picture.

Measured (tests/bench/bench_decode.py, one run, CPU ms on the 2-core machine): easy stratum
519/520; hard stratum 276/300 (zxing-cpp alone 187, pyzbar 141; the first chain read 234);
the field stratum, from a generator written apart, 145/240 (zxing-cpp alone 109); real
photos 131/137; a frame without a code costs 1.1–1.5 times one zxing pass on the same frames
(every stage on the whole frame: 150–270 ms).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, cast, runtime_checkable

import cv2
import numpy as np

from kiosk.config import DecoderSettings
from scanner.decode.regions import (
    MIN_SYMBOL_PX,
    Regions,
    candidate_regions,
    merge_boxes,
    to_grey,
    widened,
)
from scanner.decode.zbar import ZbarDecoder
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import (
    Box,
    Corners,
    Decoded,
    Decoder,
    Frame,
    PlacedReader,
    RegionReader,
    Scan,
    Sighting,
    as_frame,
)
from scanner.stages.deblur import MotionDeblur
from scanner.stages.enlarge import SMALL_REGION_PX, EnlargeRetry, small_busy
from scanner.stages.refocus import Refocus
from scanner.stages.sharpen import Sharpen
from scanner.stages.unbend import Unbend

SMALL_FRAME_PX = 640
"""Frames no larger than this on either side (a cropped card photo) get every stage in full:
they are cheap to read, and a tiny or blurred code in them may not even be sighted."""


@runtime_checkable
class BlindReader(Protocol):
    """A stage worth trying even where zxing saw nothing, cheap on frames without a code.

    Beside the chain rather than in :mod:`scanner.ports` with the other reader protocols: it
    is handed the chain's :class:`~scanner.decode.regions.Regions`, and the ports import
    nothing of ours."""

    def decode_unsighted(self, grey: Frame, regions: Regions) -> Decoded | None:
        """The QR read, or None (quickly, when the frame holds nothing for this stage).

        ``regions`` holds the frame's candidate regions, found once for every such stage.
        """
        ...


class DecoderChain:
    """Decoder stages tried in order on one grey frame; the first success wins.

    ``gated`` (the default): once a :class:`Sighting` stage (zxing) has looked at a frame and
    seen no QR-like symbol, the later, slower stages are skipped: an empty lobby or a patterned
    shirt costs one zxing pass (one binarizer). When it saw one it could not read, the
    :class:`RegionReader` stages (zbar, enlarge) read only candidate regions, found once:
    square blobs of fine detail and the places zxing put the symbol. Small frames (a card
    photo, at most :data:`SMALL_FRAME_PX` a side) always get every stage on the whole frame.
    A grainy frame (see :data:`NOISY`) is smoothed (3×3 Gaussian) for zxing's gated look, which
    then also tries it downscaled: grain makes zxing slow without helping it read (on a dim
    lobby the look costs about 2.5 ms instead of 6 or more), and the downscaled passes average
    it away (a faint code in grain is sighted only there). A clean frame's gated look skips
    them (a third of an empty frame's cost).
    ``gated=False`` is the former chain: every stage on the whole frame until one reads.
    """

    max_regions = 3
    """Candidate regions the region readers try after a sighting."""

    def __init__(self, stages: Sequence[Decoder], *, gated: bool = True) -> None:
        if not stages:
            raise ValueError("a decoder chain needs at least one stage")
        self.stages = tuple(stages)
        self.gated = gated
        # Each stage's kinds, found once: isinstance on a runtime-checkable protocol walks the
        # protocol's attributes every time (about 0.2 ms a frame, 5 % of an empty frame).
        self._sighting = tuple(isinstance(s, Sighting) for s in self.stages)
        self._region_reader = tuple(isinstance(s, RegionReader) for s in self.stages)
        self._placed_reader = tuple(isinstance(s, PlacedReader) for s in self.stages)
        self._blind_readers = tuple(s for s in self.stages if isinstance(s, BlindReader))

    def decode(self, frame: Frame) -> Decoded | None:
        return self.scan(frame).found

    def scan(self, frame: Frame) -> Scan:
        """The read, or whether and where a QR-like symbol was sighted without being read.

        ``seen`` holds the regions the slower stages tried (where zxing placed the symbol
        first): what a stream reader tracks from frame to frame.
        """
        grey = to_grey(frame)
        if min(grey.shape[:2]) < MIN_SYMBOL_PX:  # a sliver no QR fits in: nothing to look at
            return Scan(None)
        full = not self.gated or max(grey.shape[:2]) <= SMALL_FRAME_PX
        looked = sighted = False  # whether a sighting stage looked, and saw a QR-like symbol
        seen: list[Box] = []
        regions: tuple[Box, ...] | None = None  # found once, shared by zbar and enlarge
        blind_regions: Regions | None = None  # found once where zxing saw nothing
        placed: list[Corners] = []  # where zxing put the symbols it could not read
        for stage, sighting, region_reader, placed_reader in zip(
            self.stages, self._sighting, self._region_reader, self._placed_reader, strict=True
        ):
            if looked and not sighted and not full:
                # zxing saw no QR at all: only stages that look for what zxing cannot sight.
                return self._blind(grey, blind_regions or Regions(grey))
            if sighting:
                scan, blind_regions = self._first_look(cast(Sighting, stage), grey, full)
                found, looked = scan.found, True
                sighted = sighted or scan.sighted
                seen.extend(scan.seen)
                placed.extend(scan.placed)
            elif looked and not full and placed_reader and placed:
                found = cast(PlacedReader, stage).decode_placed(grey, placed)
            elif looked and not full and region_reader:
                if regions is None:
                    # Where zxing placed the symbol is often off or missing (format errors
                    # zero it); the contour finder's square blobs of fine detail come first.
                    regions = merge_boxes(candidate_regions(grey, self.max_regions) + seen)
                    regions += _wider(seen, regions, grey)
                found = cast(RegionReader, stage).decode_in(grey, regions)
            else:
                found = stage.decode(grey)
            if found is not None:
                return Scan(found, True)
        return Scan(None, sighted, merge_boxes(seen) if seen else regions or ())

    @staticmethod
    def _first_look(stage: Sighting, grey: Frame, full: bool) -> tuple[Scan, Regions | None]:
        """zxing's look at the frame, and the frame's regions when it saw nothing (for the
        blind stages). A grainy frame is smoothed and also looked at downscaled; a frame
        showing something bright gets zxing's later binarizers too (only a read counts: what
        they merely sight, often a bright screen's edge, would send the frame past the blind
        stages), and, like a frame in which zxing sighted a symbol it could not read, a look
        lifted a stop (:func:`lifted`: a code held against a window)."""
        grainy = not full and sensor_noise(grey) >= NOISY
        look = as_frame(cv2.GaussianBlur(grey, (3, 3), 0)) if grainy else grey
        scan = stage.scan(look, every_pass=full, downscale=full or grainy)
        if scan.found is not None or not isinstance(stage, ZxingDecoder):
            return scan, None
        if full or scan.sighted:
            return _or_lifted(stage, look, scan), None
        regions = Regions(grey, grainy=grainy)
        if regions.bright():
            again = stage.second_look(look)
            scan = again if again.found is not None else _or_lifted(stage, look, scan)
        return scan, regions

    def _blind(self, grey: Frame, regions: Regions) -> Scan:
        """The stages that look where zxing saw nothing, in order, on the shared regions."""
        for stage in self._blind_readers:
            found = cast(BlindReader, stage).decode_unsighted(grey, regions)
            if found is not None:
                return Scan(found, True)
        return Scan(None, guessed=tuple(small_busy(regions)))


def _or_lifted(stage: ZxingDecoder, look: Frame, scan: Scan) -> Scan:
    """``scan``, or zxing's read of the frame lifted (:func:`lifted`) when that reads."""
    again = stage.scan(lifted(look), every_pass=False, downscale=True)
    return scan if again.found is None else again


LIFT_GAIN = 2.0
"""How much :func:`lifted` brightens: one stop, as a camera's backlight compensation does."""

_LIFT_TABLE = np.clip(np.arange(256) * LIFT_GAIN, 0, 255).astype(np.uint8)


def lifted(grey: Frame) -> Frame:
    """The frame one stop brighter, its highlights clipped (a lookup table, about 0.1 ms).

    For a code in the dark: a card held against a lobby window, a phone in the patient's
    shadow. The camera exposes for the window, and the code's modules differ by fewer grey
    levels than zxing's local binarizer takes for an edge (24): it sees a flat block. Doubled,
    they differ by enough (measured on an independent set of field frames: 4 of 15 backlit
    codes read only so; no frame of the hard stratum reads differently)."""
    return as_frame(cv2.LUT(grey, _LIFT_TABLE))


def _wider(seen: Sequence[Box], regions: Sequence[Box], grey: Frame) -> tuple[Box, ...]:
    """The regions where zxing placed a symbol, widened by their size on each side: tried
    last. Glare or JPEG blocks can leave zxing only part of a symbol to place (a finder and a
    few modules); the region around that part then cuts the code off, and a larger candidate
    region holding it is enlarged too little for a small code (measured: one hard and one
    field frame read only in the wider crop; frames with a sighting only). Only small ones
    (at most :data:`SMALL_REGION_PX` a side once widened): a larger sighting holds its code."""
    h, w = grey.shape[:2]
    wider = []
    for box in seen:
        big = widened(box, w, h, 1.0)
        if max(big[2:]) <= SMALL_REGION_PX and big not in regions and big not in wider:
            wider.append(big)
    return tuple(wider)


NOISY = 6.0
"""The :func:`sensor_noise` above which a frame counts as noisy.

An empty lobby measures under 1, patterned shirts, printed notices and cards 1–3.5; a dim
lobby seen by a webcam at high gain measures 8 and more, and its salt-and-pepper keeps
zxing's finder search busy for 6–15 ms a frame.
"""


def sensor_noise(grey: Frame) -> float:
    """How grainy a frame is: the mean step between pixels 4 apart on every 8th row, each
    step capped at 24 so that a few real edges do not count as grain (about 0.1 ms)."""
    sample = grey[::8, ::4]
    steps = cv2.absdiff(sample[:, 1:], sample[:, :-1])
    return float(np.minimum(steps, 24).mean())


def build_decoder(settings: DecoderSettings, *, gated: bool = True) -> DecoderChain:
    """The decoder chain named in ``[decoder] chain`` (see :data:`kiosk.config.DECODERS`).

    ``gated=False`` builds the former, ungated chain (the benchmark's reference).
    """
    makers: dict[str, Callable[[], Decoder]] = {
        "zxing": ZxingDecoder,
        "zbar": ZbarDecoder,
        "enlarge": EnlargeRetry,
        "deblur": lambda: MotionDeblur(
            ZxingDecoder(binarizers=("local", "global"), name=MotionDeblur.name)
        ),
        "sharpen": lambda: Sharpen(
            ZxingDecoder(binarizers=("local", "global"), name=Sharpen.name),
            probe=ZxingDecoder(binarizers=("local",), try_invert=False, name=Sharpen.name),
        ),
        "unbend": lambda: Unbend(
            ZxingDecoder(binarizers=("local", "global"), name=Unbend.name),
            locate=ZxingDecoder(binarizers=("local",), name=Unbend.name),
        ),
        "refocus": lambda: Refocus(
            ZxingDecoder(binarizers=("local", "global"), name=Refocus.name),
            locate=ZxingDecoder(binarizers=("local",), name=Refocus.name),
        ),
    }
    return DecoderChain([makers[name]() for name in settings.chain], gated=gated)

"""Reading a QR from the stream of camera frames rather than from one frame at a time.

A patient holds a phone or card up for a second or two: 30–60 frames of the same code, most
of them blurred by motion, grainy in a dim lobby or striped by moiré, a few sharp. The
:class:`StreamDecoder` tracks the region where the decoder chain sighted a code, keeps that
region's crop from every camera frame (also the frames the scan loop does not decode) with its
sharpness (variance of the Laplacian), and when the chain cannot read the current frame it
tries the sharpest crop, then the mean of the sharpest crops aligned on it (averaging beats
sensor noise). An empty lobby costs what the chain's gate costs: nothing is tracked.

A code held far away (80–120 px, a long payload at 1.2–1.5 px a module) may never be sighted
at all. Where the chain sighted nothing but guessed a small busy region, that region is
followed as a *hunch* (never shown to the patient as a sighted code): its latest crops are
enlarged twice, aligned to a fraction of a pixel and averaged (the frames sample the code at
different sub-pixel offsets, and averaging beats grain), the lens's softening is undone, and
the result read (:func:`super_resolved`). A hunch gets a bounded number of such tries.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import cv2
import numpy as np
import numpy.typing as npt

from scanner.decode.chain import DecoderChain
from scanner.decode.regions import box_around, crop_grey, read_scaled, widened
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import Box, CameraState, Decoded, Frame, Scan, as_frame
from scanner.stages.deblur import gaussian_psf, wiener


@dataclass(frozen=True)
class _Crop:
    grey: Frame
    sharpness: float


HUNCH_FUSE = 6
"""Crops of a hunch fused at a time: 0.2 s of a 30 fps camera (measured on a far, small code:
4–8 read alike once it stopped moving; fewer new crops make the confirming read sooner)."""

HUNCH_TRIES = 10
"""Fusions a hunch gets (about 0.1 s of CPU each) before it is given up while it stays where it
is: a busy poster in the lobby costs about a second once, not every frame."""


@dataclass
class _Hunch:
    """A small busy region where nothing was sighted: its latest crops and its fusions so far."""

    region: Box
    crops: list[Frame] = field(default_factory=list)
    fresh: int = 0  # crops since the last fusion (a read must come from new frames)
    tries: int = 0
    misses: int = 0  # decodes in a row that did not guess it


class StreamDecoder:
    """A :class:`~scanner.ports.Decoder` that also watches the frames it is not asked to decode.

    ``watch(frame)`` (cheap: a crop and a focus measure, only while a code is tracked) on
    every camera frame; ``decode(frame)`` on the frames the scan loop decodes. ``sighted`` is
    the region (frame pixels) where a code is seen but not read yet, for the preview's cue.
    """

    name = "stream"

    def __init__(
        self,
        chain: DecoderChain,
        *,
        keep: int = 12,
        fuse: int = 4,
        lose_after: int = 3,
    ) -> None:
        if keep < 1 or not 1 <= fuse <= keep or lose_after < 1:
            raise ValueError("keep >= 1, 1 <= fuse <= keep and lose_after >= 1 expected")
        self._chain = chain
        # The tracked code's sharpest crop gets every stage, whether zxing sights it or not:
        # a code known to be there is worth the ungated chain's time (about 70 ms).
        self._thorough = DecoderChain(chain.stages, gated=False)
        self._keep = keep
        self._fuse = fuse
        self._lose_after = lose_after
        self._region: Box | None = None
        self._misses = 0  # decodes in a row without a sighting while a region is tracked
        self._crops: list[_Crop] = []
        self._hunch: _Hunch | None = None
        self._fused_reader = ZxingDecoder(binarizers=("local", "global"), name="fused")

    @property
    def sighted(self) -> Box | None:
        """Where a code is tracked but not read yet (x, y, w, h in frame pixels), or None."""
        return self._region

    def forget(self) -> None:
        """Stop tracking (the code was read, or the loop was reset)."""
        self._region, self._misses, self._crops, self._hunch = None, 0, [], None

    def watch(self, frame: Frame) -> None:
        """Keeps the tracked region's (or hunch's) crop of a frame that is not decoded (no-op
        otherwise)."""
        if self._region is not None:
            self._keep_crop(frame, self._region)
        elif self._hunch is not None:
            self._keep_hunch_crop(frame, self._hunch)

    def decode(self, frame: Frame) -> Decoded | None:
        scan = self._chain.scan(frame)
        if scan.found is not None:
            # Tracked from here on, but the next read must come from new frames (a
            # confirmation needs two looks, not one look twice).
            found = scan.found
            self._region = widened(
                box_around(found.corners, frame.shape[1], frame.shape[0]),
                frame.shape[1],
                frame.shape[0],
            )
            self._misses, self._crops, self._hunch = 0, [], None
            return found
        self._track(frame, scan)
        if self._region is None:
            return self._from_hunch(frame, scan)
        if not self._crops:
            return None
        return self._from_crops(self._region)

    def _from_hunch(self, frame: Frame, scan: Scan) -> Decoded | None:
        """Follows a guessed small region while nothing is sighted, and fuses its latest crops
        every :data:`HUNCH_FUSE` new ones (see the module docstring)."""
        hunch = self._hunch
        box = _largest(scan.guessed)
        if box is None or scan.sighted:
            if hunch is not None:
                hunch.misses += 1
                if scan.sighted or hunch.misses >= self._lose_after:
                    self._hunch = None
            return None
        if hunch is None or not _follows(box, hunch.region):
            hunch = self._hunch = _Hunch(widened(box, frame.shape[1], frame.shape[0], 0.25))
        hunch.misses = 0
        self._keep_hunch_crop(frame, hunch)
        if hunch.fresh < HUNCH_FUSE or hunch.tries >= HUNCH_TRIES:
            return None
        hunch.fresh, hunch.tries = 0, hunch.tries + 1
        reader = self._fused_reader
        origin = (hunch.region[0], hunch.region[1])
        name = f"{reader.name}+{self.name}"
        found = read_scaled(reader, [super_resolved(hunch.crops)], origin, SR_SCALE, name)
        if found is not None:
            hunch.crops = []  # the confirming read must come from new frames
        return found

    @staticmethod
    def _keep_hunch_crop(frame: Frame, hunch: _Hunch) -> None:
        hunch.crops.append(crop_grey(frame, hunch.region))
        hunch.fresh += 1
        del hunch.crops[:-HUNCH_FUSE]

    def _track(self, frame: Frame, scan: Scan) -> None:
        """Follows the sighted code: a region around the first sighting, wide enough for the
        code to wobble in (crops of one place and size align), kept while later sightings fall
        inside it (zxing often places only part of a grainy code); a sighting elsewhere or
        larger starts afresh there."""
        if not scan.sighted:
            if self._region is None:
                return
            self._misses += 1
            if self._misses >= self._lose_after:
                self._region, self._misses, self._crops = None, 0, []
            else:
                self._keep_crop(frame, self._region)
            return
        self._misses = 0
        box = _largest(scan.seen)
        region = self._region
        if box is not None and (region is None or not _follows(box, region)):
            self._crops = []  # a new code, or it moved away: old crops do not align
            region = widened(box, frame.shape[1], frame.shape[0])
        if region is not None:  # sighted without a place (a format error): stay where it was
            self._region = region
            self._keep_crop(frame, region)

    def _keep_crop(self, frame: Frame, region: Box) -> None:
        grey = crop_grey(frame, region)
        if self._crops and self._crops[0].grey.shape != grey.shape:
            self._crops = []
        self._crops.append(_Crop(grey, focus(grey)))
        del self._crops[: -self._keep]

    def _from_crops(self, region: Box) -> Decoded | None:
        ranked = sorted(self._crops, key=lambda c: c.sharpness, reverse=True)
        # The sharpest crop through every stage, then the mean of the sharpest ones aligned.
        tries = [ranked[0].grey]
        if len(ranked) > 1:
            tries.append(align_mean([c.grey for c in ranked[: self._fuse]]))
        if len(ranked) > self._fuse:  # grain rather than blur: every crop helps the mean
            tries.append(align_mean([c.grey for c in ranked]))
        for index, grey in enumerate(tries):
            found = (self._thorough if index == 0 else self._chain).decode(grey)
            if found is not None:
                self._crops = []  # the next read must come from new frames
                x, y = region[0], region[1]
                corners = tuple((x + cx, y + cy) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, f"{found.decoder}+{self.name}")
        return None


def _largest(boxes: Iterable[Box]) -> Box | None:
    return max(boxes, key=lambda b: b[2] * b[3], default=None)


def _follows(box: Box, region: Box) -> bool:
    """Whether a sighting is the tracked code: its centre inside the region, its size within
    the region's."""
    cx, cy = box[0] + box[2] / 2, box[1] + box[3] / 2
    inside = region[0] <= cx <= region[0] + region[2] and region[1] <= cy <= region[1] + region[3]
    return inside and box[2] <= region[2] and box[3] <= region[3]


class ClipClock:
    """The clock of a recorded clip: time moves only by :meth:`advance` (one frame at a time),
    so the scan loop's rate limit and the time-to-read follow the clip, not the machine."""

    def __init__(self) -> None:
        self._seconds = 0.0
        self._start = datetime(2026, 1, 1, tzinfo=UTC)

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._seconds)

    def monotonic(self) -> float:
        return self._seconds

    def advance(self, seconds: float) -> None:
        self._seconds += seconds


class ClipCamera:
    """Hands out the frames of a clip one per :meth:`read`, then None (a camera port)."""

    def __init__(self, frames: Iterable[Frame]) -> None:
        self._frames: Iterator[Frame] = iter(frames)
        self._closed = False
        self.count = 0

    @property
    def state(self) -> CameraState:
        return CameraState.LOST if self._closed else CameraState.OK

    def read(self) -> Frame | None:
        frame = None if self._closed else next(self._frames, None)
        self.count += frame is not None
        return frame

    def close(self) -> None:
        self._closed = True


def focus(grey: Frame) -> float:
    """How sharp a crop is: the variance of its Laplacian, measured at half size.

    Half size because sensor grain is sharp too: at full size a grainy dim frame outscores a
    clean one; averaging 2×2 pixels first keeps the measure on the code's edges (about 0.2 ms
    for a 400×400 crop).
    """
    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(small, cv2.CV_32F).var())


def align_mean(crops: Sequence[Frame]) -> Frame:
    """The mean of same-sized crops, each shifted onto the first (phase correlation).

    Averaging n aligned frames divides sensor noise by √n. The shift is measured on smoothed
    half-size copies (grain would otherwise pull the correlation peak to zero); a hand drifts
    a few pixels between frames, and half-pixel accuracy is plenty for modules of 3 px or more.
    """
    h, w = crops[0].shape[:2]
    size = (max(1, w // 2), max(1, h // 2))

    def smoothed(crop: Frame) -> npt.NDArray[np.float32]:
        half = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.GaussianBlur(half, (0, 0), 1.5), np.float32)

    return _stacked(crops, smoothed, measured_at=2.0, scale=1, interpolation=cv2.INTER_LINEAR)


def _stacked(
    crops: Sequence[Frame],
    smoothed: Callable[[Frame], npt.NDArray[np.float32]],
    *,
    measured_at: float,
    scale: int,
    interpolation: int,
) -> Frame:
    """The mean of ``crops`` enlarged ``scale`` times, each after the first shifted onto it by
    the phase correlation of its ``smoothed`` copy (whose pixels are ``measured_at`` crop
    pixels)."""
    h, w = crops[0].shape[:2]
    reference = smoothed(crops[0])
    window = cv2.createHanningWindow((reference.shape[1], reference.shape[0]), cv2.CV_32F)
    size = (w * scale, h * scale)
    total = np.zeros((size[1], size[0]), np.float32)
    for index, crop in enumerate(crops):
        dx = dy = 0.0
        if index > 0:
            (dx, dy), _ = cv2.phaseCorrelate(smoothed(crop), reference, window)
        shift = measured_at * scale
        place = np.array([[scale, 0, shift * dx], [0, scale, shift * dy]], np.float32)
        total += cv2.warpAffine(
            crop, place, size, flags=interpolation, borderMode=cv2.BORDER_REPLICATE
        ).astype(np.float32)
    return as_frame(np.clip(total / len(crops) + 0.5, 0, 255))


SR_SCALE = 2
"""How much :func:`super_resolved` enlarges: a code at 1.2 px a module gets 2.4."""

SOFTENING_PX = 0.7
"""The lens's and sensor's softening of a webcam frame (a Gaussian's sigma, frame pixels)."""


def super_resolved(crops: Sequence[Frame]) -> Frame:
    """Same-sized crops of a small code enlarged :data:`SR_SCALE` times, each shifted onto the
    first by its measured sub-pixel offset, averaged, and the softening undone (a Wiener
    filter).

    A hand never holds still to the pixel: each frame samples the code's modules at another
    offset, so the aligned mean of the enlarged frames holds detail none of them holds alone.
    The offsets are measured at full size on lightly smoothed crops (half size, or a linear
    warp, lost most of the gain when measured on a far code); about 0.1 s for six 380×290
    crops.
    """
    h, w = crops[0].shape[:2]
    # A crop cut short by the frame's edge (the camera changed resolution) cannot be aligned.
    same = [crop for crop in crops if crop.shape[:2] == (h, w)]

    def smoothed(crop: Frame) -> npt.NDArray[np.float32]:
        return np.asarray(cv2.GaussianBlur(crop.astype(np.float32), (0, 0), 0.7), np.float32)

    mean = _stacked(same, smoothed, measured_at=1.0, scale=SR_SCALE, interpolation=cv2.INTER_CUBIC)
    return wiener(mean, gaussian_psf(SOFTENING_PX * SR_SCALE), 0.01)

"""Reading a QR from the stream of camera frames rather than from one frame at a time.

A patient holds a phone or card up for a second or two: 30–60 frames of the same code, most
of them blurred by motion, grainy in a dim lobby or striped by moiré, a few sharp. The
:class:`StreamDecoder` tracks the region where the decoder chain sighted a code, keeps that
region's crop from every camera frame (also the frames the scan loop does not decode) with its
sharpness (variance of the Laplacian), and when the chain cannot read the current frame it
tries the sharpest crop, then the mean of the sharpest crops aligned on it (averaging beats
sensor noise). An empty lobby costs what the chain's gate costs: nothing is tracked.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scanner.decoders import Box, DecoderChain, Scan, align_mean, crop_grey, focus
from scanner.ports import CameraState, Decoded, Frame


@dataclass(frozen=True)
class _Crop:
    grey: Frame
    sharpness: float


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
        keep: int = 8,
        fuse: int = 4,
        lose_after: int = 3,
    ) -> None:
        if keep < 1 or not 1 <= fuse <= keep or lose_after < 1:
            raise ValueError("keep >= 1, 1 <= fuse <= keep and lose_after >= 1 expected")
        self._chain = chain
        self._keep = keep
        self._fuse = fuse
        self._lose_after = lose_after
        self._region: Box | None = None
        self._misses = 0  # decodes in a row without a sighting while a region is tracked
        self._crops: list[_Crop] = []

    @property
    def sighted(self) -> Box | None:
        """Where a code is tracked but not read yet (x, y, w, h in frame pixels), or None."""
        return self._region

    def forget(self) -> None:
        """Stop tracking (the code was read, or the loop was reset)."""
        self._region, self._misses, self._crops = None, 0, []

    def watch(self, frame: Frame) -> None:
        """Keeps the tracked region's crop of a frame that is not decoded (no-op otherwise)."""
        if self._region is not None:
            self._keep_crop(frame, self._region)

    def decode(self, frame: Frame) -> Decoded | None:
        scan = self._chain.scan(frame)
        if scan.found is not None:
            self.forget()  # the next read must come from new frames (confirmation)
            return scan.found
        self._track(frame, scan)
        if self._region is None or not self._crops:
            return None
        return self._from_crops(self._region)

    def _track(self, frame: Frame, scan: Scan) -> None:
        box = _largest(scan.seen) if scan.sighted else None
        if box is None:
            self._misses += 1
            if self._misses >= self._lose_after:
                self.forget()
            elif self._region is not None:
                self._keep_crop(frame, self._region)
            return
        self._misses = 0
        if self._region is None or not _overlaps(box, self._region):
            self._crops = []  # a new code, or it moved away: old crops do not align
        self._region = box
        self._keep_crop(frame, box)

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
        for grey in tries:
            found = self._chain.decode(grey)
            if found is not None:
                self.forget()
                x, y = region[0], region[1]
                corners = tuple((x + cx, y + cy) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, f"{found.decoder}+{self.name}")
        return None


def _largest(boxes: Iterable[Box]) -> Box | None:
    return max(boxes, key=lambda b: b[2] * b[3], default=None)


def _overlaps(a: Box, b: Box) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


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

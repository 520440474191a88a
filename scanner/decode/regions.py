"""Where a QR may be in a frame, and what that region looks like: grey frames and crops, the
boxes of candidate regions (square blobs of fine detail), and the measures the decoder stages
use to choose what to try there (soft, smeared one way, busy with edges)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

import cv2
import numpy as np
import numpy.typing as npt

from scanner.ports import Box, Corners, Decoded, Decoder, Frame, as_frame


def to_grey(frame: Frame) -> Frame:
    """A grey copy of a BGR frame (grey frames pass through): every stage reads grey."""
    if frame.ndim == 3:
        return as_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return frame


MIN_SYMBOL_PX = 21.0
"""The smallest QR (version 1) has 21 modules: a located symbol spans at least that."""


def extent(corners: Corners) -> float:
    """The larger side of the upright box around ``corners``."""
    xs = [x for x, _ in corners] or [0.0]
    ys = [y for _, y in corners] or [0.0]
    return max(max(xs) - min(xs), max(ys) - min(ys))


def box_around(corners: Corners, width: int, height: int) -> Box:
    """The box around ``corners`` with a margin of half the symbol's size, inside the frame.

    Half, not a quarter: a symbol seen with errors may be located only by part of its
    finder patterns, and zbar needs the whole code plus its quiet zone.
    """
    xs = [x for x, _ in corners]
    ys = [y for _, y in corners]
    margin = extent(corners) / 2
    x0, y0 = max(0, int(min(xs) - margin)), max(0, int(min(ys) - margin))
    x1, y1 = min(width, int(max(xs) + margin) + 1), min(height, int(max(ys) + margin) + 1)
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))


def widened(box: Box, width: int, height: int, share: float = 0.5) -> Box:
    """The box and ``share`` of its size more on each side, kept inside the frame: a region
    for a sighting (the code wobbles from frame to frame, and zxing may have placed only part
    of it). A stream reader's hunch already holds a margin: a quarter more is enough for the
    hand's wobble."""
    x, y, w, h = box
    mx, my = int(w * share), int(h * share)
    return _inside((x - mx, y - my, w + 2 * mx, h + 2 * my), width, height)


def _inside(box: Box, width: int, height: int) -> Box:
    x, y, w, h = box
    w, h = min(w, width), min(h, height)
    return (min(max(0, x), width - w), min(max(0, y), height - h), w, h)


def merge_boxes(boxes: Sequence[Box]) -> tuple[Box, ...]:
    """Overlapping boxes joined into one, in their first order (zxing may report a symbol
    once per binarizer and polarity; a candidate region often holds a sighted symbol)."""
    merged: list[Box] = []
    for box in [b for b in boxes if b[2] > 0 and b[3] > 0]:
        x, y, w, h = box
        for index, (mx, my, mw, mh) in enumerate(merged):
            if x < mx + mw and mx < x + w and y < my + mh and my < y + h:
                x0, y0 = min(x, mx), min(y, my)
                x1, y1 = max(x + w, mx + mw), max(y + h, my + mh)
                merged[index] = (x0, y0, x1 - x0, y1 - y0)
                break
        else:
            merged.append(box)
    return tuple(merged)


def candidate_regions(grey: Frame, limit: int) -> list[tuple[int, int, int, int]]:
    """Up to ``limit`` boxes (x, y, w, h) that look like a QR: dense fine edges, about square.

    Works on a downscaled copy for speed; boxes are returned in full-frame pixels with a margin
    of a quarter of their size (a QR needs its quiet zone).
    """
    return Regions(grey).boxes(limit)


class Regions:
    """A frame's half-size copy (at most 640 px a side) and its edges, found once and shared:
    the candidate regions (:meth:`boxes`) and whether one is smeared (:meth:`blurred`) both
    read them. (A quarter-size search would be cheaper, but its blobs run into the lobby
    around a swung code: measured, it lost 3 of 80 smeared frames.)"""

    def __init__(self, grey: Frame, *, grainy: bool = False) -> None:
        h, w = grey.shape[:2]
        self.grainy = grainy  # the frame is grainy (a dim lobby at high gain)
        self.width, self.height = w, h
        small = grey
        # Halved step by step: a bilinear halving averages 2×2 pixels exactly, ten times
        # cheaper than an area resize and as free of aliasing.
        while max(small.shape[:2]) >= 2 * _REGION_SIDE and min(small.shape[:2]) >= 2:
            small = as_frame(
                cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_LINEAR)
            )
        if max(small.shape[:2]) > _REGION_SIDE:
            scale = _REGION_SIDE / max(small.shape[:2])
            size = (max(1, round(small.shape[1] * scale)), max(1, round(small.shape[0] * scale)))
            small = as_frame(cv2.resize(small, size, interpolation=cv2.INTER_AREA))
        self.small = small
        self.factor = w / self.small.shape[1]
        self.gradient = as_frame(
            cv2.morphologyEx(self.small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        )
        self._boxes: dict[int, list[Box]] = {}
        self._busy: dict[Box, bool] = {}
        self._bright: bool | None = None

    def boxes(self, limit: int) -> list[Box]:
        """See :func:`candidate_regions` (found once per limit: several stages ask)."""
        if limit not in self._boxes:
            self._boxes[limit] = self._find(limit)
        return self._boxes[limit]

    def bright(self) -> bool:
        """Whether something near white is in view (over :data:`BRIGHT_SHARE` of the frame at
        250 and more): a lit phone screen, a white card, glare. An empty lobby, shirts and
        notices seen by a webcam at its own exposure have none. (Found once: the first look
        and several blind stages ask.)"""
        if self._bright is None:
            self._bright = _near_white(self.small) > BRIGHT_SHARE * self.small.size
        return self._bright

    def lit(self, box: Box) -> bool:
        """Whether a region is partly near white (2 % of it at 250 and more): the screen or
        white card a code is shown on, or glare over it."""
        part = self.half(box)
        return _near_white(part) > 0.02 * max(1, part.size)

    def half(self, box: Box) -> Frame:
        """The half-size copy's crop of ``box`` (frame pixels)."""
        f = self.factor
        x, y, w, h = (int(v / f) for v in box)
        return as_frame(self.small[y : y + h, x : x + w])

    def busy(self, box: Box) -> bool:
        """Whether a region is busy with detail: a code, even smeared or soft, has strong
        edges over a quarter or more of its pixels; a plain piece of furniture under a tenth.
        (Found once per box: every blind stage asks.)"""
        if box not in self._busy:
            f = self.factor
            x, y, w, h = (int(v / f) for v in box)
            edges = self.gradient[y : y + h, x : x + w]
            self._busy[box] = (
                edges.size > 0 and float(np.count_nonzero(edges > 24)) >= 0.15 * edges.size
            )
        return self._busy[box]

    def _find(self, limit: int) -> list[Box]:
        factor, w, h = self.factor, self.width, self.height
        _, edges = cv2.threshold(self.gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        blobs = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        # Every blob's outer boundary, also of blobs inside another's hole: a phone's bezel
        # or a card's edge is a ring of edges around the code's blob, and only looking at
        # outermost contours would see the ring alone (too tall, or too empty, to be a code).
        contours, hierarchy = cv2.findContours(blobs, cv2.RETR_CCOMP, cv2.CHAIN_APPROX_SIMPLE)
        outer = [
            c
            for c, h in zip(contours, hierarchy[0] if hierarchy is not None else [], strict=False)
            if h[3] < 0
        ]
        scored: list[tuple[float, tuple[int, int, int, int]]] = []
        min_side = 24
        for contour in outer:
            x, y, bw, bh = cv2.boundingRect(contour)
            if min(bw, bh) < min_side:
                continue
            # Measured on the blob's own rectangle, turned with it: a phone held at 30–45°
            # fills under half of its upright bounding box.
            _, (rw, rh), _ = cv2.minAreaRect(contour)
            if min(rw, rh) < min_side or max(rw, rh) > 2.2 * min(rw, rh):
                continue
            fill = cv2.contourArea(contour) / max(1.0, rw * rh)
            if fill < 0.5:
                continue
            area = float(bw * bh)
            density = float(np.count_nonzero(edges[y : y + bh, x : x + bw])) / area
            scored.append((density * fill * math.sqrt(area), (x, y, bw, bh)))
        scored.sort(reverse=True)
        boxes: list[Box] = []
        for _, (x, y, bw, bh) in scored[:limit]:
            margin = max(bw, bh) // 4
            x0 = max(0, int((x - margin) * factor))
            y0 = max(0, int((y - margin) * factor))
            x1 = min(w, int((x + bw + margin) * factor))
            y1 = min(h, int((y + bh + margin) * factor))
            boxes.append((x0, y0, x1 - x0, y1 - y0))
        return boxes

    def blurred(self, box: Box) -> bool:
        """Whether a region is :meth:`busy`, soft (see :data:`MOTION_SOFTNESS`, measured at
        half size) and smeared one way (see :data:`MOTION_EVENNESS`, at quarter size)."""
        if not self.busy(box):
            return False
        half = self.half(box)
        if self.factor < 1.5:  # a small frame: its own half size, as the thresholds were measured
            half = as_frame(cv2.resize(half, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
        measured, limit = half, MOTION_SOFTNESS
        if self.grainy:
            # Grain is sharp: it makes a smeared code look crisp. Smoothed first, smeared codes
            # measure 0.03–0.13 and sharp ones in the same grain 0.05–0.29 (the evenness and
            # the cepstrum's line then tell them apart).
            measured = as_frame(cv2.GaussianBlur(half, (0, 0), 1.0))
            limit = MOTION_SOFTNESS_GRAINY
        if softness(measured) >= limit:
            return False
        quarter = cv2.resize(half, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return evenness(as_frame(quarter)) < MOTION_EVENNESS


_REGION_SIDE = 640

BRIGHT_SHARE = 0.002
"""The share of near-white pixels above which :meth:`Regions.bright` says something bright is
in view (a phone's screen at arm's length is 2–11 % of the frame)."""


def _near_white(grey: Frame) -> int:
    """How many pixels are at 250 or more."""
    return cv2.countNonZero(cv2.threshold(grey, 249, 255, cv2.THRESH_BINARY)[1])


def _variance(values: npt.NDArray[Any]) -> float:
    _, spread = cv2.meanStdDev(values)
    return float(spread[0, 0]) ** 2


MOTION_SOFTNESS_GRAINY = 0.15
"""The :data:`MOTION_SOFTNESS` of a region in a grainy frame, measured after a 1 px smoothing."""

MOTION_EVENNESS = 0.8
"""The :func:`evenness` (at quarter size) under which a soft region counts as smeared along a
line. Measured on generated frames: motion-blurred codes 0.16–0.74, soft plaid and camouflage
0.91–0.99 (these would otherwise pass on to the cepstrum, 2–3 ms a frame)."""


def evenness(grey: Frame) -> float:
    """How alike a region's edges are in every direction: the ratio of the smaller to the
    larger axis of its gradients' structure tensor (1 for a code or plaid, near 0 for a
    smear, whose edges along the motion are wiped out)."""
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    xx = float(cv2.mean(cv2.multiply(gx, gx))[0])
    xy = float(cv2.mean(cv2.multiply(gx, gy))[0])
    yy = float(cv2.mean(cv2.multiply(gy, gy))[0])
    spread = math.hypot((xx - yy) / 2, xy)
    larger = (xx + yy) / 2 + spread
    return ((xx + yy) / 2 - spread) / larger if larger > 0 else 1.0


MOTION_SOFTNESS = 0.75
"""The :func:`softness` under which a candidate region counts as blurred. Measured on
generated frames: codes blurred by motion 0.14–0.73, striped and checked shirts and random
squares 0.75 and more, printed text 2.3 and more, sharp codes about 1–3."""


def softness(grey: Frame) -> float:
    """Variance of the Laplacian over the variance of the pixels: low for a blurred region
    whatever its contrast (:meth:`Regions.blurred` measures it at half size)."""
    return _variance(cv2.Laplacian(grey, cv2.CV_32F)) / (_variance(grey) + 1.0)


def crop_grey(frame: Frame, box: Box) -> Frame:
    """The grey crop of ``box`` (frame pixels) from a BGR or grey frame (cropped first: cheap)."""
    x, y, w, h = box
    return as_frame(to_grey(frame[y : y + h, x : x + w]))


def read_scaled(
    inner: Decoder, pictures: Iterable[Frame], origin: tuple[int, int], scale: float, name: str
) -> Decoded | None:
    """The first of ``pictures`` that ``inner`` reads, each a crop taken at ``origin`` (frame
    pixels) and scaled ``scale`` times; its corners mapped back into frame pixels, the read
    named ``name`` (the stage that made the pictures)."""
    x, y = origin
    for picture in pictures:
        found = inner.decode(picture)
        if found is not None:
            corners = tuple((x + cx / scale, y + cy / scale) for cx, cy in found.corners)
            return Decoded(found.text, found.raw, corners, name)
    return None

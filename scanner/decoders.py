"""QR decoders: zxing-cpp, zbar (pyzbar), an enlarge-and-retry stage, and the chain of them.

The only module that imports ``zxingcpp`` and ``pyzbar``. The chain tries the fast, strong
decoder first (zxing-cpp reads almost every frame in a couple of milliseconds) and only spends
more time on frames it could not read, so the common case costs one zxing pass.

Most camera frames hold no QR at all (an empty lobby, a patterned shirt). The same zxing pass
also reports symbols it *saw* but could not read (finder patterns found, checksum or format
wrong); on camera frames the chain runs its slow stages only where zxing saw something, and
then only on candidate regions. A frame without any sighting costs one zxing pass (and a
look at the likeliest region for the smear of a swung code). One-off photos
(``kiosk-admin decode``) use the ungated chain: every stage on the whole picture.

Measured (tests/bench/bench_decode.py, one run, CPU ms on the loaded 2-core machine): easy
stratum 517/520 at 3.5 ms median; hard stratum 234/300 (zxing-cpp alone 187, pyzbar 141), of
which the motion-blurred conditions read 47/80 (zxing-cpp alone read 2 of 24 such frames in a
smaller run, the deblur stage makes the difference); real photos 130/137; a frame without a
code 5.0 ms median (an empty lobby 2.2 ms), the ungated chain 72 ms.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast, runtime_checkable

import cv2
import numpy as np
import numpy.typing as npt
import zxingcpp

from kiosk.config import DecoderSettings
from scanner.ports import Corners, Decoded, Decoder, Frame, as_frame

log = logging.getLogger(__name__)

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
_BINARIZERS = {
    "local": zxingcpp.Binarizer.LocalAverage,
    "global": zxingcpp.Binarizer.GlobalHistogram,
}


def to_grey(frame: Frame) -> Frame:
    """A grey copy of a BGR frame (grey frames pass through): every stage reads grey."""
    if frame.ndim == 3:
        return as_frame(cv2.cvtColor(frame, cv2.COLOR_BGR2GRAY))
    return frame


def text_of(raw: bytes) -> str:
    """The text in a QR's raw bytes: UTF-8 (BHYT, CCCD), else Shift-JIS, else Latin-1.

    zbar guesses the encoding itself and may pick Shift-JIS for UTF-8 Vietnamese; reading the
    bytes ourselves with UTF-8 first keeps names like "Nguyễn Văn Đức" intact.
    """
    for encoding in ("utf-8", "shift_jis"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


Box = tuple[int, int, int, int]
"""A region of a frame as (x, y, width, height) in frame pixels."""

SMALL_FRAME_PX = 640
"""Frames no larger than this on either side (a cropped card photo) get every stage in full:
they are cheap to read, and a tiny or blurred code in them may not even be sighted."""


@dataclass(frozen=True)
class Scan:
    """One look at a frame: the QR read (or None), and whether QR-like symbols were seen.

    ``seen`` holds the boxes of unread symbols zxing could place; ``sighted`` is also true for
    symbols it could not place (a format error leaves the position empty), so the box list
    is a hint, not the whole story.
    """

    found: Decoded | None
    sighted: bool = False
    seen: tuple[Box, ...] = ()


@runtime_checkable
class Sighting(Protocol):
    """A decoder that also says where it saw a QR it could not read (the chain's gate)."""

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        """The read, or whether (and where) a symbol was seen but not read.

        ``every_pass=False`` lets a decoder stop early on a frame in which it saw nothing;
        ``downscale`` (by default ``every_pass``) whether its first look also tries the
        frame downscaled.
        """
        ...


@runtime_checkable
class RegionReader(Protocol):
    """A decoder that can read only given regions of a frame (cheaper than the whole frame)."""

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """The QR read in one of ``boxes``, corners in frame pixels, or None."""
        ...


def clockwise(points: Sequence[tuple[float, float]]) -> Corners:
    """Corner points ordered clockwise on screen, starting at the one nearest the top left."""
    if not points:
        return ()
    cx = sum(p[0] for p in points) / len(points)
    cy = sum(p[1] for p in points) / len(points)
    ordered = sorted(points, key=lambda p: math.atan2(p[1] - cy, p[0] - cx))
    start = min(range(len(ordered)), key=lambda i: ordered[i][0] + ordered[i][1])
    return tuple((float(x), float(y)) for x, y in ordered[start:] + ordered[:start])


class ZxingDecoder:
    """zxing-cpp, tried with one or more binarizers (LocalAverage first: it reads most frames).

    ``try_invert`` reads dark-mode (light-on-dark) phone screens in the same pass.
    """

    def __init__(
        self,
        *,
        binarizers: Sequence[str] = ("local", "global"),
        try_invert: bool = True,
        try_downscale: bool = True,
        try_rotate: bool = False,
        name: str = "zxing",
    ) -> None:
        unknown = [b for b in binarizers if b not in _BINARIZERS]
        if unknown or not binarizers:
            raise ValueError(f"binarizers: expected some of {sorted(_BINARIZERS)}, got {unknown}")
        self._binarizers = tuple(_BINARIZERS[b] for b in binarizers)
        self._try_invert = try_invert
        self._try_downscale = try_downscale
        # A QR reads at any rotation anyway; try_rotate only adds 90° passes for 1D codes.
        self._try_rotate = try_rotate
        self.name = name

    def decode(self, frame: Frame) -> Decoded | None:
        return self.scan(frame).found

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        """Reads the frame; when nothing reads, the boxes of symbols seen with errors.

        ``return_errors`` costs nothing extra: zxing has located those symbols anyway. With
        ``every_pass=False`` the later binarizers run only when the first one saw a symbol:
        on generated and real 1280×720 frames the global binarizer never read a code the
        local one had not at least seen, and it doubles the cost of an empty frame.
        """
        seen: list[Box] = []
        sighted = False
        first_downscale = every_pass if downscale is None else downscale
        for index, binarizer in enumerate(self._binarizers):
            if index > 0 and not every_pass and not sighted:
                break
            found = zxingcpp.read_barcodes(
                frame,
                formats=_QR,
                binarizer=binarizer,
                try_invert=self._try_invert,
                # Not on the gate's first look at a clean frame: the downscaled passes cost a
                # third of an empty frame's time and, measured on the hard stratum, sight 1
                # code in 300. A grainy frame needs them: they average the grain away.
                try_downscale=self._try_downscale and (first_downscale or index > 0),
                try_rotate=self._try_rotate,
                # Plain: the symbol's text as is (GS1 separators, CR/LF), no "<GS>" markup.
                text_mode=zxingcpp.TextMode.Plain,
                return_errors=True,
            )
            for barcode in found:
                p = barcode.position
                corners = clockwise(
                    [
                        (p.top_left.x, p.top_left.y),
                        (p.top_right.x, p.top_right.y),
                        (p.bottom_right.x, p.bottom_right.y),
                        (p.bottom_left.x, p.bottom_left.y),
                    ]
                )
                raw = bytes(barcode.bytes)
                if not barcode.valid or not raw:
                    sighted = True
                    if _extent(corners) >= _MIN_SYMBOL_PX:  # else zxing could not place it
                        seen.append(box_around(corners, frame.shape[1], frame.shape[0]))
                    continue
                # zxing shows bytes it takes for binary data as Latin-1; BHYT and CCCD codes
                # carry UTF-8 text in byte mode, so read those bytes ourselves.
                binary = barcode.content_type == zxingcpp.ContentType.Binary
                text = text_of(raw) if binary else barcode.text
                return Scan(Decoded(text, raw, corners, self.name))
        return Scan(None, sighted, merge_boxes(seen))


_MIN_SYMBOL_PX = 21.0
"""The smallest QR (version 1) has 21 modules: a located symbol spans at least that."""


def _extent(corners: Corners) -> float:
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
    margin = _extent(corners) / 2
    x0, y0 = max(0, int(min(xs) - margin)), max(0, int(min(ys) - margin))
    x1, y1 = min(width, int(max(xs) + margin) + 1), min(height, int(max(ys) + margin) + 1)
    return (x0, y0, max(0, x1 - x0), max(0, y1 - y0))


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


def _load_pyzbar() -> ModuleType:
    from pyzbar import pyzbar

    return cast(ModuleType, pyzbar)


class ZbarDecoder:
    """zbar through pyzbar, retried on the inverted frame (zbar cannot read dark mode).

    The text is read from zbar's raw bytes as UTF-8 (see :func:`text_of`). When libzbar is not
    installed the stage disables itself with one log line and reads nothing; it never raises.
    """

    name = "zbar"

    def __init__(
        self, *, inverted_retry: bool = True, loader: Callable[[], ModuleType] = _load_pyzbar
    ) -> None:
        self._inverted_retry = inverted_retry
        self._pyzbar: Any = None
        try:
            self._pyzbar = loader()
        except (ImportError, OSError) as error:
            log.warning(
                "zbar decoder disabled: libzbar could not be loaded (%s); "
                "install it with: apt-get install libzbar0",
                error,
            )

    @property
    def available(self) -> bool:
        """False when libzbar could not be loaded (the stage then reads nothing)."""
        return self._pyzbar is not None

    def decode(self, frame: Frame) -> Decoded | None:
        if self._pyzbar is None:
            return None
        grey = as_frame(to_grey(frame))
        found = self._read(grey)
        if found is None and self._inverted_retry:
            found = self._read(as_frame(255 - grey))
        return found

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """zbar on each box's crop only (the cost of zbar grows with the pixels it reads)."""
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            found = self.decode(grey[y : y + h, x : x + w])
            if found is not None:
                corners = tuple((x + cx, y + cy) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, found.decoder)
        return None

    def _read(self, grey: Frame) -> Decoded | None:
        symbols = [self._pyzbar.ZBarSymbol.QRCODE]
        for symbol in self._pyzbar.decode(grey, symbols=symbols):
            raw = bytes(symbol.data)
            if raw:
                corners = clockwise([(float(p.x), float(p.y)) for p in symbol.polygon])
                return Decoded(text_of(raw), raw, corners, self.name)
        return None


class EnlargeRetry:
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

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        boxes = [(0, 0, w, h)] if max(h, w) <= self._target_px else []
        boxes += candidate_regions(grey, self._max_regions)
        return self.decode_in(grey, boxes)

    def decode_in(self, frame: Frame, boxes: Sequence[Box]) -> Decoded | None:
        """Each box cropped, enlarged and cleaned up in turn (see the class docstring)."""
        grey = to_grey(frame)
        for x, y, bw, bh in boxes:
            crop = grey[y : y + bh, x : x + bw]
            scale = min(self._max_scale, max(1.0, self._target_px / max(bw, bh)))
            for variant in _variants(crop, scale):
                found = self._inner.decode(variant)
                if found is not None:
                    corners = tuple((x + cx / scale, y + cy / scale) for cx, cy in found.corners)
                    return Decoded(found.text, found.raw, corners, self.name)
        return None


def _variants(crop: Frame, scale: float) -> list[Frame]:
    """The crop enlarged, then enlarged and cleaned up by morphology (lazily cheap enough)."""
    big = crop
    if scale > 1.0:
        big = as_frame(cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC))
    kernel = np.ones((3, 3), np.uint8)
    return [
        big,
        as_frame(cv2.morphologyEx(big, cv2.MORPH_CLOSE, kernel)),
        as_frame(cv2.morphologyEx(big, cv2.MORPH_OPEN, kernel)),
        as_frame(cv2.erode(big, kernel)),
    ]


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

    def __init__(self, grey: Frame) -> None:
        h, w = grey.shape[:2]
        self.width, self.height = w, h
        small = grey
        # Halved step by step: a bilinear halving averages 2×2 pixels exactly, ten times
        # cheaper than an area resize and as free of aliasing.
        while max(small.shape[:2]) >= 2 * _REGION_SIDE:
            small = as_frame(
                cv2.resize(small, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_LINEAR)
            )
        if max(small.shape[:2]) > _REGION_SIDE:
            scale = _REGION_SIDE / max(small.shape[:2])
            small = as_frame(
                cv2.resize(small, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
            )
        self.small = small
        self.factor = w / self.small.shape[1]
        self.gradient = as_frame(
            cv2.morphologyEx(self.small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
        )

    def boxes(self, limit: int) -> list[tuple[int, int, int, int]]:
        """See :func:`candidate_regions`."""
        factor, w, h = self.factor, self.width, self.height
        _, edges = cv2.threshold(self.gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        blobs = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
        contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        scored: list[tuple[float, tuple[int, int, int, int]]] = []
        min_side = 24
        for contour in contours:
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
        boxes: list[tuple[int, int, int, int]] = []
        for _, (x, y, bw, bh) in scored[:limit]:
            margin = max(bw, bh) // 4
            x0 = max(0, int((x - margin) * factor))
            y0 = max(0, int((y - margin) * factor))
            x1 = min(w, int((x + bw + margin) * factor))
            y1 = min(h, int((y + bh + margin) * factor))
            boxes.append((x0, y0, x1 - x0, y1 - y0))
        return boxes

    def blurred(self, box: Box) -> bool:
        """Whether a region is busy with detail (a code, even smeared, keeps its edges across
        the motion: a quarter or more of its pixels; a plain piece of furniture under a tenth),
        soft (see :data:`MOTION_SOFTNESS`, measured at half size) and smeared one way (see
        :data:`MOTION_EVENNESS`, at quarter size)."""
        f = self.factor
        x, y, w, h = (int(v / f) for v in box)
        edges = self.gradient[y : y + h, x : x + w]
        if edges.size == 0 or float(np.count_nonzero(edges > 24)) < 0.15 * edges.size:
            return False
        half = self.small[y : y + h, x : x + w]
        if self.factor < 1.5:  # a small frame: its own half size, as the thresholds were measured
            half = as_frame(cv2.resize(half, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA))
        laplacian = _variance(cv2.Laplacian(half, cv2.CV_32F))
        if laplacian / (_variance(half) + 1.0) >= MOTION_SOFTNESS:
            return False
        quarter = cv2.resize(half, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
        return evenness(as_frame(quarter)) < MOTION_EVENNESS


_REGION_SIDE = 640


def _variance(values: npt.NDArray[Any]) -> float:
    _, spread = cv2.meanStdDev(values)
    return float(spread[0, 0]) ** 2


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

MOTION_PROMINENCE = 8.0
"""How far (in standard deviations) the cepstrum's deepest dip must stand out for a region to
count as blurred along a line: motion-blurred codes 8–23 (mostly above 13; a smear along the
code's own rows or columns is the weakest), plaid 5–7, defocus, moiré and grain 2.5–7."""


MOTION_PROMINENCE_BLIND = 8.0
"""The prominence asked of a region zxing did not sight. Such a region has already passed
:data:`MOTION_SOFTNESS` and :data:`MOTION_EVENNESS` (plaid, the cepstrum's old false alarm,
no longer reaches it), so the bar is the sighted one."""


def softness(grey: Frame) -> float:
    """Variance of the Laplacian over the variance of the pixels, at half size: low for a
    blurred region whatever its contrast (an empty wall has no region to measure)."""
    small = cv2.resize(grey, None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA)
    laplacian = float(cv2.Laplacian(small, cv2.CV_32F).var())
    return laplacian / (float(small.astype(np.float32).var()) + 1.0)


_CEPSTRUM_PX = 256
_CEPSTRUM_WINDOW = cv2.createHanningWindow((_CEPSTRUM_PX, _CEPSTRUM_PX), cv2.CV_32F)
_RADIUS = np.hypot(*np.mgrid[-128:128, -128:128].astype(np.float32))
_RING = (_RADIUS >= 4) & (_RADIUS <= 36)


def motion_of(grey: Frame) -> tuple[float, float, float]:
    """The linear motion blur in a region, from its cepstrum: (length px, angle degrees,
    prominence). A blur of length L puts periodic zeros in the spectrum, hence a sharp
    negative peak L pixels from the cepstrum's centre along the motion; its depth in standard
    deviations of the ring 4–36 px is the prominence (about 2 ms on a 256×256 crop)."""
    h, w = grey.shape[:2]
    return _dips(_cepstrum(grey), min(1.0, _CEPSTRUM_PX / max(h, w)), 1)[0]


def motions_of(grey: Frame, count: int = 3) -> list[tuple[float, float, float]]:
    """The ``count`` deepest dips of the cepstrum as :func:`motion_of` reads them, deepest
    first: a code's own module pitch dips too (along its rows and columns), sometimes deeper
    than the motion, so a reader tries a few."""
    n = _CEPSTRUM_PX
    h, w = grey.shape[:2]
    factor = min(1.0, n / max(h, w))
    return _dips(_cepstrum(grey), factor, count)


def _cepstrum(grey: Frame) -> npt.NDArray[np.float32]:
    n = _CEPSTRUM_PX
    h, w = grey.shape[:2]
    factor = min(1.0, n / max(h, w))
    small = (
        grey
        if factor == 1.0
        else cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)
    )
    sh, sw = small.shape[:2]
    padded = cv2.copyMakeBorder(
        small.astype(np.float32), 0, n - sh, 0, n - sw, cv2.BORDER_REFLECT_101
    )
    padded = (padded - float(padded.mean())) * _CEPSTRUM_WINDOW
    spectrum = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    log_magnitude = np.log(cv2.magnitude(spectrum[..., 0], spectrum[..., 1]) + 1e-2)
    out: npt.NDArray[np.float32] = np.fft.fftshift(
        cv2.dft(log_magnitude, flags=cv2.DFT_COMPLEX_OUTPUT)[..., 0]
    )
    return out


def _dips(
    cepstrum: npt.NDArray[np.float32], factor: float, count: int
) -> list[tuple[float, float, float]]:
    n = _CEPSTRUM_PX
    ring = cepstrum[_RING]
    mean, spread = float(ring.mean()), float(ring.std()) or 1.0
    search = np.where(_RING, cepstrum, np.inf)
    found: list[tuple[float, float, float]] = []
    for _ in range(count):
        iy, ix = np.unravel_index(int(np.argmin(search)), search.shape)
        dy, dx = int(iy) - n // 2, int(ix) - n // 2
        value = float(search[iy, ix])
        if not math.isfinite(value):
            break
        prominence = (mean - value) / spread
        found.append((math.hypot(dx, dy) / factor, math.degrees(math.atan2(dy, dx)), prominence))
        for sy, sx in ((dy, dx), (-dy, -dx)):  # a dip and its mirror twin, with their slopes
            cy, cx = n // 2 + sy, n // 2 + sx
            search[max(0, cy - 2) : cy + 3, max(0, cx - 2) : cx + 3] = np.inf
    return found


def line_psf(length: float, angle_deg: float) -> npt.NDArray[np.float32]:
    """The point spread of a straight motion of ``length`` px at ``angle_deg`` (sums to 1)."""
    size = max(3, math.ceil(length) | 1)
    kernel = np.zeros((size, size), np.float32)
    c = size // 2
    dx = math.cos(math.radians(angle_deg)) * length / 2
    dy = math.sin(math.radians(angle_deg)) * length / 2
    start = (round((c - dx) * 16), round((c - dy) * 16))
    end = (round((c + dx) * 16), round((c + dy) * 16))
    cv2.line(kernel, start, end, 1.0, 1, cv2.LINE_AA, shift=4)
    total = float(kernel.sum())
    if total <= 0:
        kernel[c, c], total = 1.0, 1.0
    out: npt.NDArray[np.float32] = kernel / total
    return out


def wiener(grey: Frame, psf: npt.NDArray[np.float32], noise: float = 0.01) -> Frame:
    """``grey`` deconvolved by ``psf`` (Wiener, noise-to-signal ``noise``), borders reflected
    so that the frame's edge does not ring into the code."""
    h, w = grey.shape[:2]
    pad = psf.shape[0]
    height = cv2.getOptimalDFTSize(h + 2 * pad)
    width = cv2.getOptimalDFTSize(w + 2 * pad)
    padded = cv2.copyMakeBorder(
        grey.astype(np.float32), pad, height - h - pad, pad, width - w - pad, cv2.BORDER_REFLECT
    )
    kernel = np.zeros((height, width), np.float32)
    kh, kw = psf.shape
    kernel[:kh, :kw] = psf
    kernel = np.roll(kernel, (-(kh // 2), -(kw // 2)), axis=(0, 1))
    k = cv2.dft(kernel, flags=cv2.DFT_COMPLEX_OUTPUT)
    g = cv2.dft(padded, flags=cv2.DFT_COMPLEX_OUTPUT)
    power = k[..., 0] ** 2 + k[..., 1] ** 2 + np.float32(noise)
    restored = np.asarray(cv2.mulSpectrums(g, k, 0, conjB=True), np.float32) / power[..., None]
    out = cv2.idft(restored, flags=cv2.DFT_REAL_OUTPUT | cv2.DFT_SCALE)
    return as_frame(np.clip(out[pad : pad + h, pad : pad + w], 0, 255))


def motion_blur_of(grey: Frame) -> tuple[float, float]:
    """A region's linear motion blur as (length px, angle degrees), measured directly.

    The direction is first where the picture changes least: the smallest axis of the
    gradients' structure tensor (a code alone has as many edges across as along; a smear
    wipes out the ones along the motion). The length is where the derivative along that
    direction best cancels itself: a smear of length L turns each edge into a step up and a
    step down L px apart, a deep negative autocorrelation at lag L. The direction is then
    refined to where that dip is deepest (the tensor leans towards a phone's outline and the
    code's own rows). The lag spans the line's anti-aliased ends too, so it reads about a
    pixel longer than :func:`line_psf`'s length. Measured on generated swung codes: within
    3° and about 1.3 px (the cepstrum's step on a downscaled region is 3 px, and a
    deconvolution 2 px or 4° off no longer reads).
    """
    h, w = grey.shape[:2]
    side = min(h, w, _MOTION_WINDOW_PX)  # the middle, where the code is; and cheaper
    y0, x0 = (h - side) // 2, (w - side) // 2
    g: npt.NDArray[np.float32] = np.asarray(
        cv2.GaussianBlur(grey[y0 : y0 + side, x0 : x0 + side].astype(np.float32), (0, 0), 1.0),
        np.float32,
    )
    gx = cv2.Sobel(g, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(g, cv2.CV_32F, 0, 1, ksize=3)
    xx, xy, yy = float((gx * gx).mean()), float((gx * gy).mean()), float((gy * gy).mean())
    first = (math.degrees(0.5 * math.atan2(2 * xy, xx - yy)) + 90.0) % 180.0
    best = (0.0, 0.0, first)
    for turn in _ANGLE_STEPS:
        lag, depth = _smear(g, first + turn)
        if depth < best[1]:
            best = (lag, depth, first + turn)
    return best[0], best[2] % 180.0


_MOTION_WINDOW_PX = 384
_ANGLE_STEPS = (0.0, -2.0, 2.0, -4.0, 4.0, -6.0, 6.0, -8.0, 8.0)


def _smear(g: npt.NDArray[np.float32], angle: float) -> tuple[float, float]:
    """(lag, depth): the deepest negative autocorrelation of the derivative along ``angle``."""
    h, w = g.shape[:2]
    turn = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)  # the motion made horizontal
    level = cv2.warpAffine(g, turn, (w, h), flags=cv2.INTER_LINEAR)
    m = int(min(h, w) * 0.15)  # the turned corners are empty
    step = np.diff(level[m : h - m, m : w - m], axis=1)
    step -= step.mean()
    rows, cols = step.shape
    top = min(_MAX_MOTION_PX, cols // 2)
    if top < 5:
        return 0.0, 0.0
    # Every row's autocorrelation at once, summed: through the power spectrum (Wiener–Khinchin).
    n = cv2.getOptimalDFTSize(2 * cols)
    padded = cv2.copyMakeBorder(step, 0, 0, 0, n - cols, cv2.BORDER_CONSTANT, value=0)
    spectrum = cv2.dft(padded, flags=cv2.DFT_ROWS | cv2.DFT_COMPLEX_OUTPUT)
    power = (spectrum[..., 0] ** 2 + spectrum[..., 1] ** 2).sum(axis=0, dtype=np.float64)
    total = np.fft.ifft(power).real[:top]
    per_pair = total / (rows * (cols - np.arange(top)))  # the mean product at each lag
    corr = per_pair[2:] / (per_pair[0] or 1.0)
    k = int(np.argmin(corr))
    offset = 0.0
    if 0 < k < corr.size - 1:  # the dip's bottom between samples (a parabola through three)
        before, at, after = corr[k - 1], corr[k], corr[k + 1]
        curve = before - 2 * at + after
        offset = 0.5 * (before - after) / curve if curve > 0 else 0.0
    return k + 2 + offset, float(corr[k])


_MAX_MOTION_PX = 48
"""The longest smear measured: a hand's swing in one 33 ms exposure at arm's length."""

MOTION_TRIES = ((-1.25, 0.0), (-0.5, 0.0), (-2.0, 0.0), (-1.25, 2.0), (-1.25, -2.0))
"""(length, angle) corrections tried in turn on :func:`motion_blur_of`'s estimate: the lag
reads about 1.25 px long (the line's ends), and the angle is within ±5°; a Wiener filter
restores a readable code only about ±1 px and ±3° from the truth."""


class MotionDeblur:
    """For a code smeared by motion (a phone swung up to the camera): the blur's length and
    direction measured on the region (:func:`motion_blur_of`), undone by a Wiener filter, read
    by zxing.

    The region's cepstrum decides whether it is smeared along a line at all (a cheap gate:
    plaid, moiré and grain do not pass it); the deconvolution then works on the region at up
    to ``max_px`` a side: full size for a phone at arm's length (modules of 5–7 px smeared by
    25 px do not survive a downscale). It also looks at frames in which zxing saw nothing
    (:meth:`decode_unsighted`): a swung code is often not even sighted; there it costs the
    contour finder and a sharpness measure (about 1 ms), and the cepstrum only for a blurred
    region. A grainy region (a dim lobby) is smoothed first and deconvolved more gently:
    the filter would otherwise lift the grain above the code.
    """

    name = "deblur"

    def __init__(self, inner: Decoder | None = None, *, max_px: int = 900) -> None:
        self._inner = inner or ZxingDecoder(binarizers=("local", "global"), name=self.name)
        self._max_px = max_px

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        return self.decode_in(grey, [(0, 0, w, h), *candidate_regions(grey, 2)])

    def decode_unsighted(self, grey: Frame) -> Decoded | None:
        """Only the likeliest candidate region, and only when it is blurred and its cepstrum
        shows a line: cheap on frames without a code."""
        regions = Regions(grey)
        boxes = [b for b in regions.boxes(1) if regions.blurred(b)]
        return self.decode_in(grey, boxes, prominence=MOTION_PROMINENCE_BLIND) if boxes else None

    def decode_in(
        self, frame: Frame, boxes: Sequence[Box], *, prominence: float = MOTION_PROMINENCE
    ) -> Decoded | None:
        grey = to_grey(frame)
        for x, y, w, h in boxes:
            crop = grey[y : y + h, x : x + w]
            # The deepest dip of the cepstrum must stand out: the region is smeared on a line.
            dips = [d for d in motions_of(crop) if d[0] >= 3]
            if not dips or dips[0][2] < prominence:
                continue
            scale = min(1.0, self._max_px / max(w, h, 1))
            work = crop
            if scale < 1.0:
                work = as_frame(
                    cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                )
            length, angle = motion_blur_of(work)
            if length < 3:
                continue
            found = self._restore(work, length, angle)
            if found is not None:
                corners = tuple((x + cx / scale, y + cy / scale) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, self.name)
        return None

    def _restore(self, grey: Frame, length: float, angle: float) -> Decoded | None:
        noise = 0.003
        if grain(grey) >= GRAINY:
            grey, noise = as_frame(cv2.GaussianBlur(grey, (0, 0), 1.0)), 0.01
        for more, turn in MOTION_TRIES:
            found = self._inner.decode(wiener(grey, line_psf(length + more, angle + turn), noise))
            if found is not None:
                return found
        return None


GRAINY = 2.5
"""The :func:`grain` above which a region is smoothed before deconvolution. Measured on
generated regions: smeared codes in good light 0–0.3, the same at 20–60 lux 4–11."""

_GRAIN_MASK = np.array([[1, -2, 1], [-2, 4, -2], [1, -2, 1]], np.float32)


def grain(grey: Frame) -> float:
    """The sensor noise's standard deviation in grey levels (Immerkær's mask, which cancels
    every smooth picture, and the median of its response, which ignores the code's edges).

    :func:`sensor_noise` cannot tell a code's own fine detail from grain; this can, about
    1 ms on a 500×500 region.
    """
    response = cv2.filter2D(grey.astype(np.float32), -1, _GRAIN_MASK)
    return float(np.median(np.abs(response))) * 1.4826 / 6.0


@runtime_checkable
class BlindReader(Protocol):
    """A stage worth trying even where zxing saw nothing, cheap on frames without a code."""

    def decode_unsighted(self, grey: Frame) -> Decoded | None:
        """The QR read, or None (quickly, when the frame holds nothing for this stage)."""
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

    def decode(self, frame: Frame) -> Decoded | None:
        return self.scan(frame).found

    def scan(self, frame: Frame) -> Scan:
        """The read, or whether and where a QR-like symbol was sighted without being read.

        ``seen`` holds the regions the slower stages tried (where zxing placed the symbol
        first): what a stream reader tracks from frame to frame.
        """
        grey = to_grey(frame)
        full = not self.gated or max(grey.shape[:2]) <= SMALL_FRAME_PX
        looked = sighted = False  # whether a sighting stage looked, and saw a QR-like symbol
        seen: list[Box] = []
        regions: tuple[Box, ...] | None = None  # found once, shared by zbar and enlarge
        for stage in self.stages:
            if looked and not sighted and not full:
                # zxing saw no QR at all: only stages that look for what zxing cannot sight.
                for blind in self.stages:
                    if isinstance(blind, BlindReader):
                        found = blind.decode_unsighted(grey)
                        if found is not None:
                            return Scan(found, True)
                return Scan(None)
            if isinstance(stage, Sighting):
                grainy = not full and sensor_noise(grey) >= NOISY
                look = as_frame(cv2.GaussianBlur(grey, (3, 3), 0)) if grainy else grey
                scan = stage.scan(look, every_pass=full, downscale=full or grainy)
                found, looked = scan.found, True
                sighted = sighted or scan.sighted
                seen.extend(scan.seen)
            elif looked and not full and isinstance(stage, RegionReader):
                if regions is None:
                    # Where zxing placed the symbol is often off or missing (format errors
                    # zero it); the contour finder's square blobs of fine detail come first.
                    regions = merge_boxes(candidate_regions(grey, self.max_regions) + seen)
                found = stage.decode_in(grey, regions)
            else:
                found = stage.decode(grey)
            if found is not None:
                return Scan(found, True)
        return Scan(None, sighted, merge_boxes(seen) if seen else regions or ())


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


def crop_grey(frame: Frame, box: Box) -> Frame:
    """The grey crop of ``box`` (frame pixels) from a BGR or grey frame (cropped first: cheap)."""
    x, y, w, h = box
    return as_frame(to_grey(frame[y : y + h, x : x + w]))


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
    base = crops[0]
    h, w = base.shape[:2]
    size = (max(1, w // 2), max(1, h // 2))
    window = cv2.createHanningWindow(size, cv2.CV_32F)

    def smoothed(crop: Frame) -> npt.NDArray[np.float32]:
        half = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
        return np.asarray(cv2.GaussianBlur(half, (0, 0), 1.5), np.float32)

    reference = smoothed(base)
    total = base.astype(np.float32)
    for crop in crops[1:]:
        (dx, dy), _ = cv2.phaseCorrelate(smoothed(crop), reference, window)
        shift = np.array([[1, 0, 2 * dx], [0, 1, 2 * dy]], np.float32)
        moved = cv2.warpAffine(
            crop, shift, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        total += moved.astype(np.float32)
    return as_frame(np.clip(total / len(crops) + 0.5, 0, 255))


def build_decoder(settings: DecoderSettings, *, gated: bool = True) -> DecoderChain:
    """The decoder chain named in ``[decoder] chain`` (zxing, zbar, enlarge).

    ``gated=False`` builds the former, ungated chain (the benchmark's reference).
    """
    makers: dict[str, Callable[[], Decoder]] = {
        "zxing": ZxingDecoder,
        "zbar": ZbarDecoder,
        "enlarge": EnlargeRetry,
        "deblur": MotionDeblur,
    }
    return DecoderChain([makers[name]() for name in settings.chain], gated=gated)

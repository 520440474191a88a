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

    def scan(self, frame: Frame, *, every_pass: bool = True) -> Scan:
        """The read, or whether (and where) a symbol was seen but not read.

        ``every_pass=False`` lets a decoder stop early on a frame in which it saw nothing.
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

    def scan(self, frame: Frame, *, every_pass: bool = True) -> Scan:
        """Reads the frame; when nothing reads, the boxes of symbols seen with errors.

        ``return_errors`` costs nothing extra: zxing has located those symbols anyway. With
        ``every_pass=False`` the later binarizers run only when the first one saw a symbol:
        on generated and real 1280×720 frames the global binarizer never read a code the
        local one had not at least seen, and it doubles the cost of an empty frame.
        """
        seen: list[Box] = []
        sighted = False
        for index, binarizer in enumerate(self._binarizers):
            if index > 0 and not every_pass and not sighted:
                break
            found = zxingcpp.read_barcodes(
                frame,
                formats=_QR,
                binarizer=binarizer,
                try_invert=self._try_invert,
                try_downscale=self._try_downscale,
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
    h, w = grey.shape[:2]
    factor = max(1.0, max(h, w) / 640.0)
    small = grey if factor == 1.0 else cv2.resize(grey, None, fx=1 / factor, fy=1 / factor)
    gradient = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    _, edges = cv2.threshold(gradient, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    blobs = cv2.morphologyEx(edges, cv2.MORPH_CLOSE, np.ones((9, 9), np.uint8))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    scored: list[tuple[float, tuple[int, int, int, int]]] = []
    min_side = 24
    for contour in contours:
        x, y, bw, bh = cv2.boundingRect(contour)
        if min(bw, bh) < min_side or max(bw, bh) > 2.2 * min(bw, bh):
            continue
        area = float(bw * bh)
        fill = cv2.contourArea(contour) / area
        if fill < 0.5:
            continue
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


MOTION_SOFTNESS = 0.75
"""The :func:`softness` under which a candidate region counts as blurred. Measured on
generated frames: codes blurred by motion 0.14–0.73, striped and checked shirts and random
squares 0.75 and more, printed text 2.3 and more, sharp codes about 1–3."""

MOTION_PROMINENCE = 10.0
"""How far (in standard deviations) the cepstrum's deepest dip must stand out for a region to
count as blurred along a line: motion-blurred codes 8–23 (mostly above 13), plaid 5–7,
defocus, moiré and grain 2.5–7."""


MOTION_PROMINENCE_BLIND = 12.0
"""The prominence asked of a region zxing did not sight: plaid reaches 7, swung codes 13–23."""


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


class MotionDeblur:
    """For a code smeared by motion (a phone swung up to the camera): the blur's length and
    direction estimated from the region's cepstrum, undone by a Wiener filter, read by zxing.

    Works on the region scaled to at most ``max_px`` a side (the deconvolution's cost grows
    with the pixels; 3 px modules still read). It also looks at frames in which zxing saw
    nothing (:meth:`decode_unsighted`): a swung code is often not even sighted; there it costs
    the contour finder and a sharpness measure (about 1 ms), and the cepstrum only for a
    blurred region.
    """

    name = "deblur"

    def __init__(self, inner: Decoder | None = None, *, max_px: int = 360) -> None:
        self._inner = inner or ZxingDecoder(binarizers=("local", "global"), name=self.name)
        self._max_px = max_px

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        h, w = grey.shape[:2]
        return self.decode_in(grey, [(0, 0, w, h), *candidate_regions(grey, 2)])

    def decode_unsighted(self, grey: Frame) -> Decoded | None:
        """Only the likeliest candidate region, and only when it is blurred and its cepstrum
        shows a line: cheap on frames without a code."""
        boxes = [b for b in candidate_regions(grey, 1) if _blurred(grey, b)]
        return self.decode_in(grey, boxes, prominence=MOTION_PROMINENCE_BLIND) if boxes else None

    def decode_in(
        self, frame: Frame, boxes: Sequence[Box], *, prominence: float = MOTION_PROMINENCE
    ) -> Decoded | None:
        grey = to_grey(frame)
        floor = prominence
        for x, y, w, h in boxes:
            crop = grey[y : y + h, x : x + w]
            scale = min(1.0, self._max_px / max(w, h, 1))
            small = crop
            if scale < 1.0:
                small = as_frame(
                    cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
                )
            # The deepest dip must stand out; the others only need to be dips at all.
            dips = [d for d in motions_of(small) if d[0] >= 3]
            if not dips or dips[0][2] < floor:
                continue
            length, angle, _ = dips[0]
            found = self._restore(small, length, angle)
            for other_length, other_angle, _ in dips[1:]:
                if found is not None:
                    break
                found = self._restore(small, other_length, other_angle, spread=(0.0,))
            ox, oy = x, y
            if found is None and scale < 0.75:
                # A large region (a whole phone) shrunk to max_px leaves modules too small
                # to restore: its middle at full size, where a phone shows its code.
                side = self._max_px * 4 // 3  # a phone's code is 300–380 px at arm's length
                mx, my = max(0, (w - side) // 2), max(0, (h - side) // 2)
                middle = as_frame(crop[my : my + side, mx : mx + side])
                found = self._restore(middle, length / scale, angle)
                ox, oy, scale = x + mx, y + my, 1.0
            if found is not None:
                corners = tuple((ox + cx / scale, oy + cy / scale) for cx, cy in found.corners)
                return Decoded(found.text, found.raw, corners, self.name)
        return None

    def _restore(
        self,
        grey: Frame,
        length: float,
        angle: float,
        spread: tuple[float, ...] = (0.0, -1.5, 1.5),
    ) -> Decoded | None:
        for guess in (length + step for step in spread):
            found = self._inner.decode(wiener(grey, line_psf(guess, angle)))
            if found is not None:
                return found
        return None


def _blurred(grey: Frame, box: Box) -> bool:
    """Whether a region is busy with detail (a code, even smeared, keeps its edges across the
    motion: a quarter or more of its pixels; a plain piece of furniture under a tenth) and
    blurred (see :data:`MOTION_SOFTNESS`), measured at half size."""
    x, y, w, h = box
    small = cv2.resize(
        grey[y : y + h, x : x + w], None, fx=0.5, fy=0.5, interpolation=cv2.INTER_AREA
    )
    edges = cv2.morphologyEx(small, cv2.MORPH_GRADIENT, np.ones((3, 3), np.uint8))
    if float(np.count_nonzero(edges > 24)) < 0.15 * edges.size:
        return False
    laplacian = float(cv2.Laplacian(small, cv2.CV_32F).var())
    return laplacian / (float(small.astype(np.float32).var()) + 1.0) < MOTION_SOFTNESS


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
    A grainy frame (see :data:`NOISY`) is smoothed for zxing's gated look: noise makes zxing
    slow without helping it read.
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
                scan = stage.scan(grey if full else _quietened(grey), every_pass=full)
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


def _quietened(grey: Frame) -> Frame:
    """A noisy frame lightly smoothed (3×3 Gaussian) for zxing's first look; others as they are.

    Measured on generated frames: zxing reads as many smoothed as raw, and on a dim, noisy
    lobby the pass costs about 2.5 ms instead of 6 or more.
    """
    if sensor_noise(grey) < NOISY:
        return grey
    return as_frame(cv2.GaussianBlur(grey, (3, 3), 0))


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

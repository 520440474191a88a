"""QR decoders: zxing-cpp, zbar (pyzbar), an enlarge-and-retry stage, and the chain of them.

The only module that imports ``zxingcpp`` and ``pyzbar``. The chain tries the fast, strong
decoder first (zxing-cpp reads almost every frame in a couple of milliseconds) and only spends
more time on frames it could not read, so the common case costs one zxing pass.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, cast

import cv2
import numpy as np
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
        for binarizer in self._binarizers:
            found = zxingcpp.read_barcodes(
                frame,
                formats=_QR,
                binarizer=binarizer,
                try_invert=self._try_invert,
                try_downscale=self._try_downscale,
                try_rotate=self._try_rotate,
                # Plain: the symbol's text as is (GS1 separators, CR/LF), no "<GS>" markup.
                text_mode=zxingcpp.TextMode.Plain,
            )
            for barcode in found:
                raw = bytes(barcode.bytes)
                if not raw:
                    continue
                p = barcode.position
                corners = clockwise(
                    [
                        (p.top_left.x, p.top_left.y),
                        (p.top_right.x, p.top_right.y),
                        (p.bottom_right.x, p.bottom_right.y),
                        (p.bottom_left.x, p.bottom_left.y),
                    ]
                )
                # zxing shows bytes it takes for binary data as Latin-1; BHYT and CCCD codes
                # carry UTF-8 text in byte mode, so read those bytes ourselves.
                binary = barcode.content_type == zxingcpp.ContentType.Binary
                text = text_of(raw) if binary else barcode.text
                return Decoded(text, raw, corners, self.name)
        return None


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
        grey = to_grey(frame)
        found = self._read(grey)
        if found is None and self._inverted_retry:
            found = self._read(as_frame(255 - grey))
        return found

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


class DecoderChain:
    """Decoder stages tried in order on one grey frame; the first success wins."""

    def __init__(self, stages: Sequence[Decoder]) -> None:
        if not stages:
            raise ValueError("a decoder chain needs at least one stage")
        self.stages = tuple(stages)

    def decode(self, frame: Frame) -> Decoded | None:
        grey = to_grey(frame)
        for stage in self.stages:
            found = stage.decode(grey)
            if found is not None:
                return found
        return None


def build_decoder(settings: DecoderSettings) -> Decoder:
    """The decoder chain named in ``[decoder] chain`` (zxing, zbar, enlarge)."""
    makers: dict[str, Callable[[], Decoder]] = {
        "zxing": ZxingDecoder,
        "zbar": ZbarDecoder,
        "enlarge": EnlargeRetry,
    }
    return DecoderChain([makers[name]() for name in settings.chain])

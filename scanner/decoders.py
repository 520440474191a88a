"""QR decoders: zxing-cpp, zbar (pyzbar), an enlarge-and-retry stage, and the chain of them
with the deblur and sharpen stages (``scanner/deblur.py``, ``scanner/sharpen.py``).

The only module that imports ``zxingcpp`` and ``pyzbar``. The chain tries the fast, strong
decoder first (zxing-cpp reads almost every frame in a couple of milliseconds) and only spends
more time on frames it could not read, so the common case costs one zxing pass.

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

import ctypes
import logging
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Protocol, cast, runtime_checkable

import cv2
import numpy as np
import zxingcpp

from kiosk.config import DecoderSettings
from scanner.deblur import MotionDeblur, gaussian_psf, wiener
from scanner.ports import Corners, Decoded, Decoder, Frame, as_frame
from scanner.refocus import Refocus
from scanner.regions import (
    MIN_SYMBOL_PX,
    Box,
    Regions,
    box_around,
    candidate_regions,
    extent,
    merge_boxes,
    read_scaled,
    to_grey,
    widened,
)
from scanner.sharpen import Sharpen, sharpened
from scanner.unbend import Unbend

log = logging.getLogger(__name__)

_QR = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
# zxing-cpp's QR family also holds Micro QR and rMQR. No card, ID or app shows either, and a
# stage that tries many pictures of one real code (squeezes, radii, sharpenings) made zxing
# find phantom Micro QR codes in its modules ("750645": on the approach clips, 3 reads of a
# wrong text, twice the same in one clip). Asking for QR model 2 alone is no cure: zxing then
# reads fewer real codes (hard stratum 276 → 274), so the family is searched and its Micro QR
# and rMQR reads dropped. What zxing took for one and could not read still counts as sighted:
# it is found in a real code's modules, and the regions around it lead to that code.
_NOT_QR = (zxingcpp.BarcodeFormat.MicroQRCode, zxingcpp.BarcodeFormat.RMQRCode)
_BINARIZERS = {
    "local": zxingcpp.Binarizer.LocalAverage,
    "global": zxingcpp.Binarizer.GlobalHistogram,
}


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


SMALL_FRAME_PX = 640
"""Frames no larger than this on either side (a cropped card photo) get every stage in full:
they are cheap to read, and a tiny or blurred code in them may not even be sighted."""


@dataclass(frozen=True)
class Scan:
    """One look at a frame: the QR read (or None), and whether QR-like symbols were seen.

    ``seen`` holds the boxes of unread symbols zxing could place; ``sighted`` is also true for
    symbols it could not place (a format error leaves the position empty), so the box list
    is a hint, not the whole story. ``guessed`` holds, where nothing was sighted, the small busy
    region the blind stages tried (:func:`small_busy`): a code held far away may be there, too
    small for one frame to read; a stream reader may fuse it over several. ``placed`` holds the
    corners zxing gave the unread symbols (the unbend and the refocus start from them:
    :mod:`scanner.placed`).
    """

    found: Decoded | None
    sighted: bool = False
    seen: tuple[Box, ...] = ()
    guessed: tuple[Box, ...] = ()
    placed: tuple[Corners, ...] = ()


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


@runtime_checkable
class PlacedReader(Protocol):
    """A decoder that starts from where zxing placed a symbol it could not read."""

    def decode_placed(self, frame: Frame, placed: Sequence[Corners]) -> Decoded | None:
        """The QR read at one of the ``placed`` symbols (corners in frame pixels), or None."""
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

    def second_look(self, frame: Frame) -> Scan:
        """The binarizers after the first, without downscaled passes: for a frame the first
        saw nothing in although something bright is in view (a lit screen, white paper,
        glare). Glare washes out a local-average threshold around it; a global histogram
        threshold still separates the modules (measured on the hard stratum: it reads 3 frames
        of glare over a code that the local binarizer does not even sight)."""
        return self._look(frame, self._binarizers[1:], every_pass=True, first_downscale=False)

    def scan(self, frame: Frame, *, every_pass: bool = True, downscale: bool | None = None) -> Scan:
        """Reads the frame; when nothing reads, the boxes of symbols seen with errors.

        ``return_errors`` costs nothing extra: zxing has located those symbols anyway. With
        ``every_pass=False`` the later binarizers run only when the first one saw a symbol:
        on generated and real 1280×720 frames the global binarizer never read a code the
        local one had not at least seen, and it doubles the cost of an empty frame.
        """
        first_downscale = every_pass if downscale is None else downscale
        return self._look(frame, self._binarizers, every_pass, first_downscale)

    def _look(
        self,
        frame: Frame,
        binarizers: Sequence[zxingcpp.Binarizer],
        every_pass: bool,
        first_downscale: bool,
    ) -> Scan:
        seen: list[Box] = []
        placed: list[Corners] = []
        sighted = False
        for index, binarizer in enumerate(binarizers):
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
                if barcode.format in _NOT_QR and barcode.valid:
                    continue  # a phantom read; seen but unread, it still marks a code there
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
                    if extent(corners) >= MIN_SYMBOL_PX:  # else zxing could not place it
                        seen.append(box_around(corners, frame.shape[1], frame.shape[0]))
                        placed.append(corners)
                    continue
                # zxing shows bytes it takes for binary data as Latin-1; BHYT and CCCD codes
                # carry UTF-8 text in byte mode, so read those bytes ourselves.
                binary = barcode.content_type == zxingcpp.ContentType.Binary
                text = text_of(raw) if binary else barcode.text
                return Scan(Decoded(text, raw, corners, self.name))
        return Scan(None, sighted, merge_boxes(seen), placed=tuple(placed))


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

    def decode_unsighted(self, grey: Frame, regions: Regions) -> Decoded | None:
        """The likeliest region where zxing saw nothing, when it is busy and lit in a frame
        showing something bright (zbar's own thresholding reads some codes under glare that
        zxing does not even sight); elsewhere nothing, at no cost."""
        if not regions.bright():
            return None
        boxes = [b for b in regions.boxes(1) if regions.busy(b) and regions.lit(b)]
        return self.decode_in(grey, boxes) if boxes else None

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
        for symbol in _zbar_qr_symbols(self._pyzbar, grey):
            raw = bytes(symbol.data)
            if raw:
                corners = clockwise([(float(p.x), float(p.y)) for p in symbol.polygon])
                return Decoded(undo_zbar_guess(text_of(raw)), raw, corners, self.name)
        return None


ZBAR_CFG_BINARY = 4
"""zbar's "return binary data as it is" setting (``ZBAR_CFG_BINARY`` in zbar.h since 0.23).

Without it zbar guesses each byte segment's character set and converts it: a QR whose writer
split the text into segments (the ``qrcode`` library does by default) can come out with a
UTF-8 Vietnamese name read as Shift-JIS, "Dương" as "Dﾆｰﾆ｡ng" (found on an independent set
of field frames: a misread, not a miss). pyzbar's ``decode`` cannot set it."""


def _zbar_qr_symbols(pyzbar: Any, grey: Frame) -> list[Any]:
    """zbar's QR symbols in ``grey``, their data the bytes as encoded: pyzbar's own ``decode``
    with :data:`ZBAR_CFG_BINARY` set. Falls back to ``decode`` (whose text
    :func:`undo_zbar_guess` then repairs) if pyzbar's internals ever change."""
    try:
        pixels, width, height = pyzbar._pixel_data(grey)
        qr = pyzbar.ZBarSymbol.QRCODE
        with pyzbar._image_scanner() as scanner:
            for symbology in pyzbar.ZBarSymbol:
                pyzbar.zbar_image_scanner_set_config(scanner, symbology, 0, int(symbology == qr))
            pyzbar.zbar_image_scanner_set_config(scanner, qr, ZBAR_CFG_BINARY, 1)
            with pyzbar._image() as image:
                pyzbar.zbar_image_set_format(image, pyzbar._FOURCC["L800"])
                pyzbar.zbar_image_set_size(image, width, height)
                pyzbar.zbar_image_set_data(
                    image, ctypes.cast(pixels, ctypes.c_void_p), len(pixels), None
                )
                pyzbar.zbar_scan_image(scanner, image)
                return list(pyzbar._decode_symbols(pyzbar._symbols_for_image(image)))
    except AttributeError:
        return list(pyzbar.decode(grey, symbols=[pyzbar.ZBarSymbol.QRCODE]))


def undo_zbar_guess(text: str) -> str:
    """``text`` with zbar's wrong guess undone: UTF-8 bytes that zbar converted as Shift-JIS
    (or Latin-1) turned back into what they said. A text that was not converted cannot be
    encoded back that way (Vietnamese letters are in neither set) and is kept as it is."""
    for charset in ("shift_jis", "cp932", "latin-1"):
        try:
            repaired = text.encode(charset).decode("utf-8")
        except UnicodeError:
            continue
        if repaired != text:
            return repaired
    return text


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


@runtime_checkable
class BlindReader(Protocol):
    """A stage worth trying even where zxing saw nothing, cheap on frames without a code."""

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

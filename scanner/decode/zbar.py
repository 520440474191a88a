"""The zbar adapter (pyzbar): a reader stage retried on the inverted frame, with zbar's guess
at a code's character set undone.

The only module that imports ``pyzbar``, and only when the stage is built (libzbar may be
missing: the stage then reads nothing).
"""

from __future__ import annotations

import ctypes
import logging
from collections.abc import Callable, Sequence
from types import ModuleType
from typing import Any, cast

from scanner.decode.regions import Regions, to_grey
from scanner.decode.symbol import clockwise, text_of
from scanner.ports import Box, Decoded, Frame, as_frame

log = logging.getLogger(__name__)


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

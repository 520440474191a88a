"""The zxing-cpp adapter: the reader stage (:class:`ZxingDecoder`, also the chain's gate: it says
where it saw a code it could not read) and the QR writer the scene generator draws codes with
(:func:`qr_modules`).

The only module of the scanner that imports ``zxingcpp``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import zxingcpp

from scanner.decode.regions import MIN_SYMBOL_PX, box_around, extent, merge_boxes
from scanner.decode.symbol import clockwise, text_of
from scanner.ports import Box, Corners, Decoded, Frame, Scan, as_frame

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


def qr_modules(text: str) -> Frame:
    """The QR symbol of ``text`` as a grey image, one pixel per module, with its quiet zone.

    The symbol holds the text's UTF-8 bytes without an ECI, as on real CCCD and BHYT cards.
    """
    qr, utf8 = zxingcpp.BarcodeFormat.QRCode, text.encode("utf-8")
    barcode = zxingcpp.create_barcode(text, qr, ec_level="M")
    if bytes(barcode.bytes) != utf8:
        # The writer picked a one-byte charset (text like "79 – 024" fits cp1252): give it the
        # UTF-8 bytes instead, which it stores as they are.
        barcode = zxingcpp.create_barcode(utf8, qr, ec_level="M")
    return as_frame(np.asarray(barcode.to_image(scale=1, add_quiet_zones=True)))

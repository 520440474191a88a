"""The zxing-cpp adapter: what it reads, where it says the code is, what it never hands out."""

from __future__ import annotations

import numpy as np
import zxingcpp

from kiosk.config import DecoderSettings
from scanner.decode.chain import build_decoder
from scanner.decode.zxing import ZxingDecoder
from scanner.ports import as_frame
from tests.scanner.pictures import on_white


def test_dark_mode_phone_screen_decodes_with_corners_on_the_code() -> None:
    text = "HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|01/01/2025|31/12/2025|$"
    frame = on_white(text, invert=True)
    found = ZxingDecoder().decode(frame)
    assert found is not None
    assert found.text == text
    xs = [x for x, _ in found.corners]
    ys = [y for _, y in found.corners]
    assert min(xs) >= 90
    assert max(xs) <= 410
    assert min(ys) >= 40
    assert max(ys) <= 360
    assert found.corners[0] == min(found.corners, key=lambda p: p[0] + p[1])


def test_a_micro_qr_code_is_never_read() -> None:
    # No card, ID or app shows one, and zxing found phantom ones in a real code's modules.
    micro = np.asarray(
        zxingcpp.create_barcode("12345", zxingcpp.BarcodeFormat.MicroQRCode).to_image(scale=8)
    )
    assert [b.text for b in zxingcpp.read_barcodes(micro)] == ["12345"]  # the library reads it
    assert ZxingDecoder().scan(as_frame(micro)).found is None
    assert build_decoder(DecoderSettings(), gated=False).decode(as_frame(micro)) is None

"""The zbar adapter: dark mode through the inverted retry, its character-set guess undone, a
missing libzbar, regions."""

from __future__ import annotations

import logging
import sys

import cv2
import numpy as np
import pytest
import qrcode

from kiosk.config import DecoderSettings
from scanner import scenes
from scanner.decode.chain import DecoderChain, build_decoder
from scanner.decode.zbar import ZbarDecoder, undo_zbar_guess
from scanner.ports import Frame, as_frame
from tests.scanner.pictures import on_white


def test_zbar_alone_reads_dark_mode_only_with_the_inverted_retry() -> None:
    text = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
    frame = on_white(text, invert=True)
    assert ZbarDecoder(inverted_retry=False).decode(frame) is None
    found = ZbarDecoder().decode(frame)
    assert found is not None
    assert found.text == text


def _segmented(text: str) -> Frame:
    """``text`` as a QR writer that splits it into segments draws it (the ``qrcode``
    library's default: digits in numeric mode, the rest in byte mode)."""
    writer = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    writer.add_data(text)
    writer.make(fit=True)
    modules = np.where(np.array(writer.get_matrix(), bool), 0, 255).astype(np.uint8)
    return as_frame(cv2.resize(modules, None, fx=5, fy=5, interpolation=cv2.INTER_NEAREST))


def test_zbar_returns_a_segmented_codes_bytes_as_encoded() -> None:
    # zbar guessed Shift-JIS for this one's byte segments: "Dương" came out "Dﾆｰﾆ｡ng".
    text = "031069523978|022157275|Dương Minh Quân|23021969|Nam|Phường An Biên, Hải Phòng|17062024"
    zbar = ZbarDecoder()
    found = zbar.decode(_segmented(text))
    assert found is not None
    assert found.raw == text.encode()
    assert found.text == text


def test_zbars_wrong_guess_is_undone_and_right_texts_are_kept() -> None:
    right = "Dương Minh Quân|Phường An Biên"
    assert undo_zbar_guess(right.encode().decode("shift_jis")) == right
    assert undo_zbar_guess(right.encode().decode("latin-1")) == right
    for kept in (right, "HS4797920123456|$", "Trà Vinh", "外側QRコード"):
        assert undo_zbar_guess(kept) == kept


def test_missing_libzbar_disables_the_stage_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As if libzbar were missing: importing pyzbar now raises ImportError.
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    with caplog.at_level(logging.WARNING, logger="scanner.decode.zbar"):
        chain = build_decoder(DecoderSettings(chain=("zbar", "zxing")))
    lines = [r for r in caplog.records if "zbar" in r.getMessage()]
    assert len(lines) == 1
    assert "libzbar0" in lines[0].getMessage()
    assert isinstance(chain, DecoderChain)
    zbar = chain.stages[0]
    assert isinstance(zbar, ZbarDecoder)
    assert not zbar.available
    found = chain.decode(on_white("still scanning"))
    assert found is not None
    assert (found.text, found.decoder) == ("still scanning", "zxing")


def test_zbar_reads_inside_a_region_with_corners_in_frame_pixels() -> None:
    text = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
    qr = scenes.qr_image(text, 240)
    frame = np.full((720, 1280), 220, np.uint8)
    frame[300 : 300 + qr.shape[0], 900 : 900 + qr.shape[1]] = 255 - qr  # dark mode
    zbar = ZbarDecoder()
    assert zbar.decode_in(frame, [(0, 0, 400, 400)]) is None
    found = zbar.decode_in(frame, [(0, 0, 400, 400), (850, 250, 360, 360)])
    assert found is not None
    assert found.text == text
    xs = [x for x, _ in found.corners]
    ys = [y for _, y in found.corners]
    assert min(xs) >= 890
    assert max(xs) <= 910 + qr.shape[1]
    assert min(ys) >= 290
    assert max(ys) <= 310 + qr.shape[0]

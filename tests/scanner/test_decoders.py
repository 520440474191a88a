"""The decoder chain on real rendered QR codes: every scene condition, dark mode, Vietnamese."""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import DecoderSettings
from kiosk.synthetic import cccd_payload, people
from scanner import scenes
from scanner.decoders import (
    DecoderChain,
    EnlargeRetry,
    ZbarDecoder,
    ZxingDecoder,
    build_decoder,
    text_of,
)
from scanner.ports import Decoder, Frame, as_frame

# CI puts shared/ beside the clone; KIOSK_QR_SAMPLES points elsewhere (e.g. a worktree).
SAMPLES = Path(
    os.environ.get("KIOSK_QR_SAMPLES")
    or Path(__file__).resolve().parents[2].parent / "shared" / "qr-samples"
)
FRAMES_PER_CONDITION = 2


def _on_white(text: str, side: int = 300, invert: bool = False) -> Frame:
    qr = scenes.qr_image(text, side)
    frame = np.full((480, 640), 255, np.uint8)
    frame[50 : 50 + qr.shape[0], 100 : 100 + qr.shape[1]] = qr
    return 255 - frame if invert else frame


@pytest.fixture(scope="module")
def frames() -> list[tuple[str, Frame, str]]:
    return list(scenes.generate(len(scenes.CONDITIONS) * FRAMES_PER_CONDITION, seed=3))


@pytest.mark.parametrize("condition", scenes.CONDITIONS)
def test_every_scene_condition_decodes_through_the_chain(
    condition: str, frames: list[tuple[str, Frame, str]]
) -> None:
    chain = build_decoder(DecoderSettings())
    mine = [(f, t) for c, f, t in frames if c == condition]
    assert len(mine) == FRAMES_PER_CONDITION
    for frame, text in mine:
        found = chain.decode(frame)
        assert found is not None, condition
        assert found.text == text
        assert found.raw == text.encode("utf-8")
        assert len(found.corners) == 4


def test_dark_mode_phone_screen_decodes_with_corners_on_the_code() -> None:
    text = "HS4797920123456|5472e1baa76e|07/09/2008|2|-|79 - 024|01/01/2025|31/12/2025|$"
    frame = _on_white(text, invert=True)
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


def test_zbar_alone_reads_dark_mode_only_with_the_inverted_retry() -> None:
    text = "7920123457|4e677579e1bb856e|1975|1|-|79 – 034|01/01/2025|-|05/01/2025|$"
    frame = _on_white(text, invert=True)
    assert ZbarDecoder(inverted_retry=False).decode(frame) is None
    found = ZbarDecoder().decode(frame)
    assert found is not None
    assert found.text == text


@pytest.mark.parametrize(
    "decoder", [ZxingDecoder(), ZbarDecoder(), EnlargeRetry()], ids=["zxing", "zbar", "enlarge"]
)
def test_vietnamese_cccd_names_come_out_right(decoder: Decoder) -> None:
    for person in people(5, seed=11):
        text = cccd_payload(person)
        found = decoder.decode(_on_white(text))
        assert found is not None
        assert found.text == text
        assert person.name in found.text


def test_text_of_prefers_utf8_then_shift_jis() -> None:
    assert text_of("Nguyễn Văn Đức".encode()) == "Nguyễn Văn Đức"
    assert text_of("外側QRコード".encode("shift_jis")) == "外側QRコード"
    assert text_of(b"\xff\xfe\xfa") == "\xff\xfe\xfa"


def test_enlarge_finds_a_small_code_in_a_large_picture() -> None:
    text = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu|10052021"
    modules = scenes.qr_modules(text)
    tiny = cv2.resize(modules, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_AREA)
    frame = np.full((720, 1280), 230, np.uint8)
    frame[500 : 500 + tiny.shape[0], 1000 : 1000 + tiny.shape[1]] = tiny
    frame = as_frame(cv2.GaussianBlur(frame, (0, 0), 0.9))  # 2 px a module, slightly soft
    assert ZxingDecoder().decode(frame) is None  # too small for one pass over the frame
    found = EnlargeRetry().decode(frame)
    assert found is not None
    assert found.text == text
    assert all(990 <= x <= 1010 + tiny.shape[1] for x, _ in found.corners)


def test_chain_stops_at_the_first_success() -> None:
    class Counting:
        def __init__(self, inner: Decoder) -> None:
            self.inner, self.calls = inner, 0

        def decode(self, frame: Frame) -> object:
            self.calls += 1
            return self.inner.decode(frame)

    first, second = Counting(ZxingDecoder()), Counting(ZbarDecoder())
    chain = DecoderChain([first, second])  # type: ignore[list-item]
    assert chain.decode(_on_white("hello")) is not None
    assert (first.calls, second.calls) == (1, 0)
    assert chain.decode(np.full((100, 100), 255, np.uint8)) is None
    assert (first.calls, second.calls) == (2, 1)


def test_missing_libzbar_disables_the_stage_with_one_log_line(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    # As if libzbar were missing: importing pyzbar now raises ImportError.
    monkeypatch.setitem(sys.modules, "pyzbar", None)
    monkeypatch.setitem(sys.modules, "pyzbar.pyzbar", None)
    with caplog.at_level(logging.WARNING, logger="scanner.decoders"):
        chain = build_decoder(DecoderSettings(chain=("zbar", "zxing")))
    lines = [r for r in caplog.records if "zbar" in r.getMessage()]
    assert len(lines) == 1
    assert "libzbar0" in lines[0].getMessage()
    assert isinstance(chain, DecoderChain)
    zbar = chain.stages[0]
    assert isinstance(zbar, ZbarDecoder)
    assert not zbar.available
    found = chain.decode(_on_white("still scanning"))
    assert found is not None
    assert (found.text, found.decoder) == ("still scanning", "zxing")


def test_real_photos_decode_mostly() -> None:
    if not SAMPLES.is_dir():
        pytest.skip(f"no real QR samples at {SAMPLES}: put shared/ beside the clone")
    chain = build_decoder(DecoderSettings())
    right = total = 0
    for expected in sorted(SAMPLES.glob("qrcode-*/*.txt"))[::4]:
        images = [p for p in expected.parent.glob(expected.stem + ".*") if p.suffix != ".txt"]
        image = images[0] if images else None
        if image is None:
            continue
        frame = cv2.imread(str(image))
        want = expected.read_text(encoding="utf-8").replace("\r\n", "\n").strip()
        found = chain.decode(frame)
        total += 1
        right += found is not None and found.text.replace("\r\n", "\n").strip() == want
    assert right >= total - 3, f"{right}/{total}"

"""The sharpen stage: moiré and defocus smoothed away, the modules lifted."""

from __future__ import annotations

import numpy as np

from kiosk.config import DecoderSettings
from kiosk.synthetic import bhyt_payload, people
from scanner import scenes
from scanner.decode.chain import build_decoder
from scanner.decode.zxing import ZxingDecoder
from tests.bench import hard_scenes


def test_a_defocused_screen_under_moire_reads_only_once_sharpened() -> None:
    text = bhyt_payload(next(iter(people(1, 4))), "15")
    qr = scenes.qr_image(text, 330)
    grey = np.full((720, 1280), 235, np.uint8)
    grey[150 : 150 + qr.shape[0], 450 : 450 + qr.shape[1]] = qr
    soft = hard_scenes.blur_with(scenes.bgr(grey), hard_scenes.disc_kernel(3.5))
    screen = np.zeros((720, 1280), np.float32)
    screen[120:520, 420:820] = 1
    frame = hard_scenes.screen_moire(soft, screen, np.random.default_rng(3))
    assert ZxingDecoder().decode(frame) is None
    found = build_decoder(DecoderSettings()).decode(frame)
    assert found is not None
    assert (found.text, found.decoder) == (text, "sharpen")

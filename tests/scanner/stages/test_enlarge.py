"""The enlarged retry: small and soft codes in a larger picture."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.config import DecoderSettings
from scanner.decode.chain import build_decoder
from scanner.decode.zxing import ZxingDecoder, qr_modules
from scanner.ports import as_frame
from scanner.stages.enlarge import EnlargeRetry
from tests.bench import hard_scenes


def test_enlarge_finds_a_small_code_in_a_large_picture() -> None:
    text = "079190001234||Lê Thị Hồng Nhung|15081990|Nữ|Số 12 Nguyễn Đình Chiểu|10052021"
    modules = qr_modules(text)
    tiny = cv2.resize(modules, None, fx=2.0, fy=2.0, interpolation=cv2.INTER_AREA)
    frame = np.full((720, 1280), 230, np.uint8)
    frame[500 : 500 + tiny.shape[0], 1000 : 1000 + tiny.shape[1]] = tiny
    frame = as_frame(cv2.GaussianBlur(frame, (0, 0), 0.9))  # 2 px a module, slightly soft
    assert ZxingDecoder().decode(frame) is None  # too small for one pass over the frame
    found = EnlargeRetry().decode(frame)
    assert found is not None
    assert found.text == text
    assert all(990 <= x <= 1010 + tiny.shape[1] for x, _ in found.corners)


def test_a_code_of_under_one_and_a_half_px_a_module_reads_once_its_softening_is_undone() -> None:
    # Approach clip 70: a long BHYT payload (73 modules) held 99 px wide, settled. Enlarged,
    # the lens's 0.7 px softening undone, its modules come back; zxing alone sees nothing.
    clip = list(hard_scenes.approach_clips(71, 2026))[70]
    assert clip.condition == "small"
    assert clip.module_px < 1.4
    *_, last = clip.frames()
    assert ZxingDecoder().decode(last) is None
    found = build_decoder(DecoderSettings()).decode(last)
    assert found is not None
    assert (found.text, found.decoder) == (clip.text, "enlarge")

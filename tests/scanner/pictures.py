"""Frames the scanner tests draw by hand: a code on white, a code swung across the camera."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scanner import scenes
from scanner.ports import Frame, as_frame
from tests.bench import hard_scenes


def on_white(text: str, side: int = 300, invert: bool = False) -> Frame:
    """A 640×480 grey frame with the QR of ``text`` on white (inverted: a dark-mode screen)."""
    qr = scenes.qr_image(text, side)
    frame = np.full((480, 640), 255, np.uint8)
    frame[50 : 50 + qr.shape[0], 100 : 100 + qr.shape[1]] = qr
    return 255 - frame if invert else frame


def swung(text: str, length: float, angle: float) -> Frame:
    """A 1280×720 grey frame with the QR of ``text`` smeared ``length`` px at ``angle``°."""
    qr = scenes.qr_image(text, 320)
    frame = np.full((720, 1280), 200, np.uint8)
    frame[180 : 180 + qr.shape[0], 500 : 500 + qr.shape[1]] = qr
    return as_frame(hard_scenes.blur_with(frame, hard_scenes.line_kernel(length, angle)))


def assert_a_camera_frame_drawn_alike(
    render: Callable[[str, str, np.random.Generator], Frame], condition: str, text: str
) -> None:
    """``render`` draws ``text`` under ``condition`` as a 1280×720 BGR camera frame, and the
    same frame again from the same seed."""
    first = render(condition, text, np.random.default_rng(4))
    again = render(condition, text, np.random.default_rng(4))
    assert first.shape == (scenes.HEIGHT, scenes.WIDTH, 3)
    assert first.dtype == np.uint8
    assert np.array_equal(first, again)

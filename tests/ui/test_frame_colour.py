"""The camera frame stays amber while a code is seen but not read, and turns green only at a
read: never green while the caption says "hold still" or "bring it closer"."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtGui import QColor, QImage
from pytestqt.qtbot import QtBot

from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.ui.ui_rig import Make, widget_pixels
from ui.screens.pictures import IDLE, READ, SEEN


def _count(pixels: NDArray[np.uint8], colour: str) -> int:
    c = QColor(colour)
    target = np.array([c.red(), c.green(), c.blue()], dtype=np.int16)
    return int((np.abs(pixels.astype(np.int16) - target).max(axis=2) <= 12).sum())


def _frame() -> QImage:
    image = QImage(640, 480, QImage.Format.Format_RGB888)
    image.fill(QColor("#5a5046"))  # a lobby's brown, neither amber nor green
    return image


def test_the_frame_is_amber_until_a_read_then_green(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window(read_hold_ms=600)
    welcome, preview = window.welcome, window.welcome.preview
    preview.set_frame(_frame(), None)
    assert preview.frame_color == IDLE
    corners = ((250.0, 170.0), (390.0, 170.0), (390.0, 310.0), (250.0, 310.0))
    for far, caption in ((True, "Đưa mã lại gần hơn"), (False, "Giữ yên…")):
        preview.set_frame(_frame(), corners)
        window.on_sighting(far=far)
        assert welcome.overlay_text == caption
        assert preview.frame_color == SEEN
        seen = widget_pixels(preview)
        assert _count(seen, SEEN) > 500, caption  # the outline and the guide's corners
        assert _count(seen, READ) == 0, caption  # nothing green yet
    window.on_scan(bhyt_payload(persons[0]))  # the read: the tick, and green
    assert welcome.overlay_text == "Đã đọc được mã"
    assert preview.frame_color == READ
    read = widget_pixels(preview)
    assert _count(read, READ) > 500
    assert _count(read, SEEN) == 0

"""The camera picture handed to the GUI thread: right colours, in the form Qt paints as it is."""

from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor, QImage

from ui.workers import to_qimage


def test_a_colour_frame_arrives_as_32_bit_pixels_with_its_colours() -> None:
    frame = np.zeros((4, 6, 3), dtype=np.uint8)
    frame[1, 2] = (255, 0, 0)  # OpenCV order: blue
    frame[3, 5] = (0, 0, 255)  # red
    image = to_qimage(frame)
    assert image.format() == QImage.Format.Format_RGB32
    assert (image.width(), image.height()) == (6, 4)
    assert image.pixelColor(2, 1) == QColor(0, 0, 255)
    assert image.pixelColor(5, 3) == QColor(255, 0, 0)
    assert image.pixelColor(0, 0) == QColor(0, 0, 0)


def test_the_picture_outlives_the_frame_it_came_from() -> None:
    frame = np.full((2, 2, 3), 200, dtype=np.uint8)
    image = to_qimage(frame)
    frame[:] = 0
    assert image.pixelColor(1, 1) == QColor(200, 200, 200)


def test_a_grey_frame_stays_grey() -> None:
    frame = np.array([[0, 128], [255, 64]], dtype=np.uint8)
    image = to_qimage(frame)
    assert image.format() == QImage.Format.Format_Grayscale8
    assert image.pixelColor(1, 0) == QColor(128, 128, 128)

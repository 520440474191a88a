"""The welcome screen's picture of the chip ID card shows its BACK, where the QR is (cards
issued since 1 July 2024 carry it only there): the QR, the chip and the machine-readable
zone, and no photo (a face says "the front")."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor
from pytestqt.qtbot import QtBot

from tests.ui.ui_rig import Make, widget_pixels
from ui.screens.pictures import DocumentPicture, cccd_back_parts


def _dark_share(pixels: NDArray[np.uint8], rect: QRectF) -> float:
    """The share of near-black pixels inside ``rect``."""
    part = pixels[int(rect.top()) : int(rect.bottom()), int(rect.left()) : int(rect.right())]
    return float((part.max(axis=2) < 60).mean())


def test_the_chip_id_card_is_drawn_from_the_back(qtbot: QtBot) -> None:
    picture = DocumentPicture("cccd")
    qtbot.addWidget(picture)
    picture.resize(474, 300)
    pixels = widget_pixels(picture)
    card_w = min(474 * 0.95, 300 * 0.95 * 1.58)
    card = picture._place(card_w, card_w / 1.58)
    parts = cccd_back_parts(card)
    qr, mrz, chip = parts["qr"], parts["mrz"], parts["chip"]
    # the QR top left, the machine-readable zone across the foot, the chip top right
    assert qr.center().x() < card.center().x()
    assert qr.center().y() < card.center().y()
    assert mrz.top() > qr.bottom()
    assert mrz.width() > card.width() * 0.8
    assert chip.center().x() > card.center().x()
    assert 0.3 < _dark_share(pixels, qr) < 0.8  # finder squares and modules
    assert _dark_share(pixels, mrz.adjusted(2, 2, -2, -2)) > 0.1  # rows of characters
    chip_rgb = np.array([0xD4, 0xA0, 0x17], dtype=np.int16)
    gold = np.abs(pixels.astype(np.int16) - chip_rgb).max(axis=2) <= 12
    assert gold.sum() > 0.3 * chip.width() * chip.height()
    # no photo: the front's grey portrait is nowhere
    grey = QColor("#90a4ae")
    photo = np.array([grey.red(), grey.green(), grey.blue()], dtype=np.int16)
    assert int((np.abs(pixels.astype(np.int16) - photo).max(axis=2) <= 6).sum()) < 50


def test_its_caption_says_the_back(make_window: Make) -> None:
    window, _ = make_window()
    captions = dict(window.welcome.captions)
    assert captions["welcome_cccd"].text() == "Thẻ căn cước (mặt sau)"
    window.toggle_language()
    assert captions["welcome_cccd"].text() == "Chip ID card (back)"

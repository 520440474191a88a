"""Large text ("Chữ lớn"): every text of a patient's screens at 1.5 times its own size.

The screens set their sizes in two ways: labels by their font (:func:`ui.screens.common.label`),
buttons and fields by a style sheet (the window's, or their own ``font-size``). Rather than a
second set of sizes in every screen, :func:`scale_text` walks a screen's widgets and sets each
text at ``factor`` times the size it was built with (kept on the widget the first time, so
the walk can be repeated: on widgets made since, such as the clinic buttons of the next
patient, and back to 1 for the next patient).

The queue number is left as it is (``keep_size``): at 380 px (460 px on a portrait screen) it
already takes the height the screen has.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QAbstractButton, QLabel, QLineEdit, QWidget

LARGE = 1.5

_BASE_PX = "text_base_px"  # the size the widget was built with
_BASE_SHEET = "text_base_sheet"  # the style sheet it was built with (buttons, fields)
_KEEP = "text_keep_size"
_FONT_SIZE = re.compile(r"font-size:\s*(\d+)px")


def keep_size(widget: QWidget) -> None:
    """Leave ``widget``'s text at its own size whatever the scale (the queue number)."""
    widget.setProperty(_KEEP, True)


def scale_text(root: QWidget, factor: float) -> None:
    """Every label's, button's and field's text under ``root`` at ``factor`` times the size it
    was built with (1: as built)."""
    for widget in (root, *root.findChildren(QWidget)):
        if widget.property(_KEEP):
            continue
        if isinstance(widget, QLabel):
            _scale_font(widget, factor)
        elif isinstance(widget, QAbstractButton | QLineEdit):
            _scale_sheet(widget, factor)


def text_scale_of(widget: QWidget) -> float:
    """The scale ``widget``'s text is shown at now (1 when never scaled)."""
    base = widget.property(_BASE_PX)
    if not base:
        return 1.0
    return float(QFontInfo(widget.font()).pixelSize()) / float(base)


def _scale_font(widget: QLabel, factor: float) -> None:
    base = widget.property(_BASE_PX)
    if base is None:
        if factor == 1:
            return  # never scaled: nothing to put back
        base = widget.font().pixelSize()
        if base <= 0:
            base = QFontInfo(widget.font()).pixelSize()
        widget.setProperty(_BASE_PX, base)
    font = widget.font()
    font.setPixelSize(round(int(base) * factor))
    widget.setFont(font)


def _scale_sheet(widget: QAbstractButton | QLineEdit, factor: float) -> None:
    sheet = widget.property(_BASE_SHEET)
    if sheet is None:
        if factor == 1:
            return
        widget.ensurePolished()  # the window's style sheet has set its font by now
        sheet = widget.styleSheet()
        widget.setProperty(_BASE_SHEET, sheet)
        widget.setProperty(_BASE_PX, QFontInfo(widget.font()).pixelSize())
    sheet = str(sheet)
    if factor == 1:
        widget.setStyleSheet(sheet)
        return
    if _FONT_SIZE.search(sheet):  # its own size, in its own style sheet
        scaled = _FONT_SIZE.sub(lambda m: f"font-size: {round(int(m[1]) * factor)}px", sheet)
    else:  # the window's size: one more declaration of its own
        px = round(int(widget.property(_BASE_PX)) * factor)
        rule = f"font-size: {px}px;"
        scaled = (
            f"{sheet} {type(widget).__name__} {{ {rule} }}" if "{" in sheet else (f"{sheet} {rule}")
        )
    widget.setStyleSheet(scaled)

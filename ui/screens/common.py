"""Shared look of every screen: sizes for a 1080-pixel-short-side touch screen, high contrast."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractButton,
    QBoxLayout,
    QLabel,
    QLayout,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kiosk.outcome import Lang
from ui.i18n import tr

INK = "#0d1b2a"
BACKGROUND = "#f5f7fa"
PRIMARY = "#0b5cad"
GOOD = "#11703a"
WARN = "#a15c00"
BAD = "#b3261e"

# pixel sizes: both orientations have a 1080-pixel side, so one scale serves both
TITLE_PX = 60
BODY_PX = 40
SMALL_PX = 30  # staff screens only
CAPTION_PX = 32  # the smallest text a patient reads from 60-80 cm
BANNER_PX = 48
EDGE = "#52606d"  # control edges: 6:1 against the page, far above the 3:1 a control needs
MUTED = "#3e4c59"  # secondary patient text (countdowns): 8:1 against the page
BUTTON_PX = 44
NUMBER_PX = 380  # the queue number: digits ~7.5 cm tall on a 24" 1080p screen (2 m: > 4 cm)
NUMBER_TALL_PX = 460  # on a portrait screen there is room for even bigger digits (3 fit across)

STYLE = f"""
QWidget {{ background: {BACKGROUND}; color: {INK}; font-family: 'DejaVu Sans'; }}
QPushButton {{
    background: {PRIMARY}; color: white; border: none; border-radius: 18px;
    font-size: {BUTTON_PX}px; font-weight: bold; padding: 18px 36px; min-height: 96px;
}}
QPushButton:pressed {{ background: #08427c; }}
QPushButton:disabled {{ background: #9aa5b1; }}
QPushButton[role="secondary"] {{
    background: #dde3ea; color: {INK}; border: 4px solid {EDGE};
}}
QPushButton[role="danger"] {{ background: {BAD}; }}
QPushButton[role="key"] {{
    min-height: 72px; min-width: 0px; padding: 4px; font-size: 36px; border-radius: 12px;
}}
QPushButton[role="lang"] {{
    background: white; color: {PRIMARY}; border: 3px solid {PRIMARY};
    min-height: 64px; font-size: 32px; padding: 6px 24px;
}}
QPushButton[role="tool"] {{
    background: white; color: {PRIMARY}; border: 3px solid {PRIMARY};
    min-height: 64px; font-size: 32px; padding: 6px 20px;
}}
QPushButton[role="tool"]:checked {{ background: {PRIMARY}; color: white; }}
QPushButton[density="compact"] {{
    font-size: 32px; padding: 10px 20px; min-height: 56px; min-width: 0px;
}}
QPushButton:disabled, QPushButton[role="danger"]:disabled,
QPushButton[role="secondary"]:disabled {{ background: #c3cad3; color: #eef1f4; }}
QLineEdit {{
    background: white; border: 3px solid #9aa5b1; border-radius: 10px;
    font-size: 38px; padding: 10px; min-height: 64px;
}}
QLineEdit[density="compact"] {{ font-size: 30px; padding: 6px 10px; min-height: 48px; }}
QLineEdit[target="true"] {{ border-color: {PRIMARY}; background: #e8f1fb; }}
QListWidget {{
    background: white; font-size: 26px; border: 3px solid #9aa5b1; border-radius: 10px;
}}
QListWidget::item {{ padding: 6px 8px; border-bottom: 1px solid #dde3ea; }}
QListWidget::item:selected {{ background: #cfe0f3; color: {INK}; }}
QProgressBar {{ min-height: 48px; font-size: 28px; border: 2px solid #9aa5b1;
    border-radius: 8px; text-align: center; background: white; }}
QProgressBar::chunk {{ background: {PRIMARY}; }}
QComboBox {{
    font-size: 26px; min-height: 56px; background: white; padding: 4px 12px;
    border: 3px solid #9aa5b1; border-radius: 10px;
}}
QComboBox::drop-down {{ width: 40px; border: none; background: white; }}
"""


def line_edit(*, compact: bool = False) -> QLineEdit:
    """A text field; ``compact``: the smaller staff size."""
    widget = QLineEdit()
    if compact:
        widget.setProperty("density", "compact")
    return widget


def set_pixel_size(widget: QWidget, px: int) -> None:
    font = widget.font()
    font.setPixelSize(px)
    widget.setFont(font)


def label(px: int, *, bold: bool = False, color: str = INK, wrap: bool = True) -> QLabel:
    """A centred label of a given pixel size."""
    widget = QLabel()
    font = QFont("DejaVu Sans")
    font.setPixelSize(px)
    font.setBold(bold)
    widget.setFont(font)
    widget.setStyleSheet(f"color: {color}; background: transparent;")
    widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
    widget.setWordWrap(wrap)
    return widget


def button(role: str = "", *, compact: bool = False) -> QPushButton:
    """A touch button. ``compact``: the smaller staff size (still 76 px tall)."""
    widget = QPushButton()
    if role:
        widget.setProperty("role", role)
    if compact:
        widget.setProperty("density", "compact")  # not "size": QWidget has a size property
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
    widget.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # touch targets: no keyboard focus to steal
    return widget


class Countdown:
    """The "back to the start in N s" line of a patient's screen (the window sets it on each
    tick)."""

    def __init__(self) -> None:
        self.widget = label(CAPTION_PX, color=MUTED)
        self.seconds = 0
        self.lang: Lang = "vi"

    def set(self, seconds: int, lang: Lang) -> None:
        self.seconds, self.lang = seconds, lang
        self.widget.setText(tr("back_in", lang, s=seconds) if seconds > 0 else "")


@dataclass(frozen=True)
class Stretch:
    """Room in a :func:`column` that grows with the screen, shared out by ``factor``."""

    factor: int = 1


def column(*items: QWidget | QLayout | int | Stretch, parent: QWidget | None = None) -> QVBoxLayout:
    """A vertical box of ``items`` from the top: widgets, layouts, fixed gaps (a number of
    pixels) and stretches; ``parent``: the widget it lays out."""
    box = QVBoxLayout(parent) if parent is not None else QVBoxLayout()
    for item in items:
        if isinstance(item, Stretch):
            box.addStretch(item.factor)
        elif isinstance(item, int):
            box.addSpacing(item)
        elif isinstance(item, QLayout):
            box.addLayout(item)
        else:
            box.addWidget(item)
    return box


class Screen(QWidget):
    """A page of the kiosk window."""

    #: a patient screen with personal data returns to welcome when idle
    personal = False

    def retranslate(self, lang: Lang) -> None:
        """Show every text in ``lang``."""

    def clear(self) -> None:
        """Forget anything personal shown on this screen."""

    def orient(self, landscape: bool) -> None:
        """Lay the screen out for a landscape (1920x1080) or portrait (1080x1920) screen."""

    #: "Chữ lớn" is on: the screen's texts are half as big again (:mod:`ui.screens.text_size`)
    large = False

    def set_large(self, large: bool) -> None:
        """Lay the screen out for large text (or back); the texts themselves are scaled by
        :func:`ui.screens.text_size.scale_text`."""
        self.large = large


class LeavingScreen(Screen):
    """A patient's last screen (a result, a reception ticket): the countdown back to the
    start and the "done" button that goes there now."""

    done = Signal()
    personal = True

    def __init__(self) -> None:
        super().__init__()
        self.countdown = Countdown()
        self.done_button = button("secondary")
        self.done_button.clicked.connect(self.done.emit)


class AdaptiveBox(QBoxLayout):
    """Side by side (``across``) or stacked, switched by :meth:`Screen.orient`."""

    def __init__(self) -> None:
        super().__init__(QBoxLayout.Direction.LeftToRight)

    def set_across(self, across: bool) -> None:
        wanted = QBoxLayout.Direction.LeftToRight if across else QBoxLayout.Direction.TopToBottom
        if self.direction() != wanted:
            self.setDirection(wanted)

    @property
    def across(self) -> bool:
        return self.direction() == QBoxLayout.Direction.LeftToRight


Captioned = TypeVar("Captioned", bound=QLabel | QAbstractButton)


class Captions:
    """A screen's fixed texts: each widget with its catalogue key, all set again in a language.

    A widget is added where it is built (``self.ok = captions.add(button(), "ok")``), so that
    the key stands next to the widget rather than in a list of its own in ``retranslate``.
    """

    def __init__(self) -> None:
        self._keyed: list[tuple[str, QLabel | QAbstractButton]] = []

    def add(self, widget: Captioned, key: str) -> Captioned:
        self._keyed.append((key, widget))
        return widget

    def retranslate(self, lang: Lang) -> None:
        for key, widget in self._keyed:
            widget.setText(tr(key, lang))

"""Every screen fits a 1920x1080 landscape and a 1080x1920 portrait kiosk screen exactly.

Each screen is filled as ``make screenshots`` fills it (the longest synthetic texts, both
languages) and checked by :func:`ui.layout_check.layout_problems`: the window keeps its size,
no widget leaves the window or its parent, and every label's and button's text fits its widget.
"""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QFontInfo
from PySide6.QtWidgets import QLabel, QPushButton, QWidget
from pytestqt.qtbot import QtBot

from kiosk.config import Config
from ui.layout_check import layout_problems
from ui.screenshots import LANGS, SIZES, scenes, show_scene

STAFF_SCENES = {"staff-pin", "staff-home", "admin"}


@pytest.fixture
def config_env() -> dict[str, str]:
    return {"KIOSK_KIOSK_HIDE_CURSOR": "false"}


@pytest.mark.parametrize("text", ["normal", "large"])
@pytest.mark.parametrize(
    "orientations", [("landscape", "portrait"), ("portrait", "landscape")], ids="-then-".join
)
@pytest.mark.slow
def test_every_screen_fits_exactly(
    orientations: tuple[str, str], text: str, still_window: Any, config: Config
) -> None:
    """Every screen in both orientations, each shown right after the screen was turned (the
    pages are still laid out the other way): a stale layout must not leave the window too big.
    ``large``: every patient screen with "Chữ lớn" on, its texts half as big again."""
    problems: list[str] = []
    large = text == "large"
    for lang in LANGS:
        for name, scene in scenes(still_window, config):
            if large and name in STAFF_SCENES:
                continue  # staff screens have no large text
            for orientation in orientations:
                size = SIZES[orientation]
                show_scene(still_window, size, lang, scene, large=large)
                if large:
                    assert still_window.toolbar.large, name
                assert still_window.current is not None
                problems += [
                    f"{name}/{orientation}/{lang}: {p}" for p in layout_problems(still_window, size)
                ]
    assert not problems, "\n".join(problems)


def test_the_checker_sees_a_cut_off_label_and_button(qtbot: QtBot, still_window: Any) -> None:
    """The check itself can fail: a long text squeezed into a small widget is reported."""
    show_scene(still_window, SIZES["landscape"], "en", lambda: None)
    assert layout_problems(still_window, SIZES["landscape"]) == []
    assert layout_problems(still_window, (1000, 1000))  # the wrong size is reported
    squeezed = QLabel("a sentence far too long for forty pixels", still_window.welcome)
    squeezed.setWordWrap(False)
    squeezed.setGeometry(10, 10, 40, 40)
    squeezed.show()
    button = QPushButton("another long text", still_window.welcome)
    button.setGeometry(100, 10, 50, 90)
    button.show()
    problems = layout_problems(still_window, SIZES["landscape"])
    assert any("QLabel" in p and "text needs" in p for p in problems)
    assert any("QPushButton" in p and "text needs" in p for p in problems)


def test_patient_buttons_are_big_and_the_number_is_huge(still_window: Any, config: Config) -> None:
    """Patients' touch targets stay at least 80 px tall; the number's digits at least 180 px."""
    named = dict(scenes(still_window, config))
    for size in SIZES.values():
        for lang in LANGS:
            show_scene(still_window, size, lang, named["accepted"])
            assert still_window.accepted.number.fontMetrics().capHeight() >= 180
            assert still_window.accepted.done_button.height() >= 80
            show_scene(still_window, size, lang, named["confirm"])
            assert min(still_window.confirm.yes.height(), still_window.confirm.no.height()) >= 80
            show_scene(still_window, size, lang, named["choose-clinic"])
            assert min(b.height() for b in still_window.clinics.buttons.values()) >= 80
            assert still_window.lang_button.height() >= 64


# --- sizes and contrast, read from the widgets themselves ---------------------------------------

PATIENT_TEXT_PX = 32  # read from 60-80 cm by people with poor eyesight
TEXT_CONTRAST = 4.5
EDGE_CONTRAST = 3.0


def _luminance(colour: QColor) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    return (
        0.2126 * channel(colour.redF())
        + 0.7152 * channel(colour.greenF())
        + 0.0722 * channel(colour.blueF())
    )


def contrast(a: QColor, b: QColor) -> float:
    """The WCAG contrast ratio of two colours (1 to 21)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def backdrop(widget: QWidget | None) -> QColor:
    """The colour behind a widget: the first palette background, itself or up its parents,
    that is not transparent."""
    current = widget
    while current is not None:
        colour = current.palette().color(current.backgroundRole())
        if colour.alpha() == 255:
            return colour
        current = current.parentWidget()
    raise AssertionError(f"nothing opaque behind {widget!r}")


def shown_widgets(window: QWidget) -> list[QLabel | QPushButton]:
    return [
        w
        for w in window.findChildren(QWidget)
        if w.isVisibleTo(window) and isinstance(w, QLabel | QPushButton) and w.text()
    ]


def size_and_contrast_problems(window: Any, patient: bool) -> list[str]:
    """Patient text under 32 px, text under 4.5:1, control edges under 3:1."""
    problems: list[str] = []
    picture = window.grab().toImage()
    for w in shown_widgets(window):
        name = f"{type(w).__name__} {w.text()[:30]!r}"
        px = QFontInfo(w.font()).pixelSize()
        if patient and px < PATIENT_TEXT_PX:
            problems.append(f"{name}: {px} px text")
        own = w.palette().color(w.backgroundRole())
        behind = own if own.alpha() == 255 else backdrop(w.parentWidget())
        ink = w.palette().color(w.foregroundRole())
        if w.isEnabled() and contrast(ink, behind) < TEXT_CONTRAST:  # disabled: exempt
            problems.append(f"{name}: text at {contrast(ink, behind):.2f}:1")
        if isinstance(w, QPushButton) and w.isEnabled():
            # the control's outermost pixels, where its edge is drawn, against the page
            middle = w.mapTo(window, QPoint(2, w.height() // 2))
            edge = QColor(picture.pixel(middle))
            page = backdrop(w.parentWidget())
            if contrast(edge, page) < EDGE_CONTRAST:
                problems.append(f"{name}: edge at {contrast(edge, page):.2f}:1")
    return problems


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
def test_every_screen_is_big_enough_and_contrasted(
    orientation: str, still_window: Any, config: Config
) -> None:
    """Patient text at least 32 px; every text 4.5:1 against what is behind it; every control's
    edge 3:1 against the page (WCAG 1.4.3, 1.4.11); both languages."""
    problems: list[str] = []
    for lang in LANGS:
        for name, scene in scenes(still_window, config):
            show_scene(still_window, SIZES[orientation], lang, scene)
            problems += [
                f"{name}/{lang}: {p}"
                for p in size_and_contrast_problems(still_window, name not in STAFF_SCENES)
            ]
    assert not problems, "\n".join(problems)


def test_the_contrast_check_sees_a_pale_button_and_small_text(
    qtbot: QtBot, still_window: Any, config: Config
) -> None:
    """The check itself can fail: the old borderless grey button and a 30 px caption."""
    show_scene(
        still_window, SIZES["landscape"], "vi", dict(scenes(still_window, config))["confirm"]
    )
    assert size_and_contrast_problems(still_window, True) == []
    still_window.confirm.no.setStyleSheet("border: none;")
    still_window.confirm.message.setStyleSheet("color: #9aa5b1; background: transparent;")
    still_window.countdown_probe = QLabel("30 px", still_window.confirm)
    font = still_window.countdown_probe.font()
    font.setPixelSize(30)
    still_window.countdown_probe.setFont(font)
    still_window.countdown_probe.show()
    problems = size_and_contrast_problems(still_window, True)
    assert any("Không phải" in p and "edge" in p for p in problems), problems
    assert any("Xin xem lại" in p and "text at" in p for p in problems), problems
    assert any("30 px" in p for p in problems), problems


def test_staff_keys_are_big_and_the_language_button_is_low_in_portrait(
    still_window: Any, config: Config
) -> None:
    """Staff keys at least 80 px tall; in portrait the language toggle sits in the bottom
    quarter of the screen (reachable from a wheelchair)."""
    named = dict(scenes(still_window, config))
    for orientation, size in SIZES.items():
        show_scene(still_window, size, "vi", named["staff-home"])
        keys = still_window.staff.keypad.keys.values()
        assert min(k.height() for k in keys) >= 80, orientation
        show_scene(still_window, size, "vi", named["staff-pin"])
        assert min(k.height() for k in still_window.pin.keypad.keys.values()) >= 80
    show_scene(still_window, SIZES["portrait"], "vi", named["welcome"])
    top = still_window.lang_button.mapTo(still_window, QPoint(0, 0)).y()
    assert top >= 1920 * 0.75
    show_scene(still_window, SIZES["landscape"], "vi", named["welcome"])
    assert still_window.lang_button.mapTo(still_window, QPoint(0, 0)).y() < 100

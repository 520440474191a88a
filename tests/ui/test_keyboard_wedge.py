"""USB scanner bursts are scans on every screen; human typing still types."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot

from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.fakes import FakeTime
from tests.ui.ui_rig import Make, Rig
from ui.keyboard_wedge import KeyboardWedge
from ui.window import KioskWindow


def _key(char: str) -> int:
    """Qt's key code for ``char``: a letter's is the code point of its capital (Key_A is 0x41)."""
    if char == "\r":
        return int(Qt.Key.Key_Return)
    return ord(char.upper()) if char.isalnum() else ord(char)


def type_text(target: QWidget, text: str, clock: FakeTime, gap_ms: float) -> None:
    """Send key events (press and release) for ``text`` with ``gap_ms`` between characters."""
    for char in text:
        key = _key(char)
        shown = "" if char == "\r" else char
        for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            event = QKeyEvent(kind, key, Qt.KeyboardModifier.NoModifier, shown)
            QCoreApplication.sendEvent(target, event)
        clock.ms += gap_ms


def make_form(qtbot: QtBot) -> tuple[QWidget, QLineEdit, list[str], KeyboardWedge, FakeTime]:
    form = QWidget()
    field = QLineEdit()
    QVBoxLayout(form).addWidget(field)
    qtbot.addWidget(form)
    form.show()
    field.setFocus()
    fired: list[str] = []
    shortcut = QShortcut(QKeySequence("7"), form)
    shortcut.setContext(Qt.ShortcutContext.ApplicationShortcut)
    shortcut.activated.connect(lambda: fired.append("7"))
    clock = FakeTime()
    wedge = KeyboardWedge(max_gap_ms=40, min_length=8, now_ms=clock)
    return form, field, fired, wedge, clock


@contextmanager
def filtering(wedge: KeyboardWedge) -> Iterator[None]:
    """The wedge sees every key event of the application while the block runs."""
    app = QApplication.instance()
    assert app is not None
    app.installEventFilter(wedge)
    try:
        yield
    finally:
        app.removeEventFilter(wedge)


def test_scanner_burst_is_a_scan_and_types_nothing(qtbot: QtBot) -> None:
    form, field, _, wedge, clock = make_form(qtbot)
    assert form.isVisible()
    with filtering(wedge):
        payload = "HS4797920123456|4e677579|1975|1|-|79 - 024|01/01/2025|-|$"
        with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
            type_text(field, payload + "\r", clock, gap_ms=4)
        assert blocker.args == [payload]
        qtbot.wait(150)  # any replay timer would have fired by now
        assert field.text() == ""


def test_human_typing_passes_through(qtbot: QtBot) -> None:
    form, field, _, wedge, clock = make_form(qtbot)
    assert form.isVisible()
    scans: list[str] = []
    wedge.scanned.connect(scans.append)
    with filtering(wedge):
        type_text(field, "7920123457\r", clock, gap_ms=180)
        qtbot.waitUntil(lambda: field.text() == "7920123457", timeout=1000)
        assert scans == []


def test_scanner_burst_does_not_trigger_a_shortcut(qtbot: QtBot) -> None:
    form, field, fired, wedge, clock = make_form(qtbot)
    field.hide()  # focus on a widget that takes no text: single-key shortcuts can fire
    form.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
    form.activateWindow()
    qtbot.waitUntil(form.isActiveWindow, timeout=2000)
    form.setFocus()
    qtbot.keyClick(form, "7")
    assert fired == ["7"]  # the shortcut works without the wedge
    fired.clear()
    with filtering(wedge):
        with qtbot.waitSignal(wedge.scanned, timeout=1000) as blocker:
            for char in "7920123457":
                qtbot.keyClick(form, char)
                clock.ms += 3
            qtbot.keyClick(form, Qt.Key.Key_Return)
        assert blocker.args == ["7920123457"]
        assert fired == []


@dataclass
class Scanner:
    """A window whose wedge runs on fake time, and a person whose BHYT QR it can be sent."""

    window: KioskWindow
    rig: Rig
    clock: FakeTime
    person: SyntheticPerson

    def burst(self, target: QWidget) -> None:
        """The person's QR and Enter at a scanner's pace, as key events to ``target``."""
        type_text(target, bhyt_payload(self.person) + "\r", self.clock, gap_ms=3)


@pytest.fixture
def scanner(make_window: Make, persons: list[SyntheticPerson]) -> Scanner:
    window, rig = make_window()
    clock = FakeTime()
    window.wedge._now = clock
    return Scanner(window, rig, clock, persons[0])


def test_burst_on_the_staff_screen_is_a_lookup_not_typing(qtbot: QtBot, scanner: Scanner) -> None:
    window = scanner.window
    window.staff_auth.login("101", "1234")
    window.open_staff()
    window.staff.code.setFocus()
    # the kiosk's scanner serves the lobby too: a read counts at the desk after "Quét thẻ"
    window.staff.scan_button.click()
    scanner.burst(window.staff.code)
    # the whole burst reached the service once, as this person's BHYT QR
    qtbot.waitUntil(lambda: scanner.rig.lookups == [scanner.person.card_number], timeout=2000)
    assert window.staff.code.text() == ""
    qtbot.waitUntil(window.staff.check_in_button.isEnabled, timeout=2000)


def test_burst_on_the_welcome_screen_checks_in(qtbot: QtBot, scanner: Scanner) -> None:
    window = scanner.window
    with qtbot.waitSignal(window.outcome_shown, timeout=5000):
        scanner.burst(window)
    assert window.accepted.number.text() == "1"

"""A bare code at the kiosk: the birth year on the keypad before anything of the card is shown."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit
from pytestqt.qtbot import QtBot

from kiosk.outcome import Reason, Status
from kiosk.synthetic import SyntheticPerson, bhyt_payload
from tests.ui.ui_rig import Make
from ui.window import KioskWindow


def _shown_text(window: KioskWindow) -> str:
    page = window.current
    assert page is not None
    parts = [w.text() for w in page.findChildren(QLabel)]
    parts += [w.text() for w in page.findChildren(QLineEdit)]
    return "\n".join(parts)


def _type(window: KioskWindow, year: str) -> None:
    for digit in year:
        window.birth_year.keypad.press(digit)


def test_a_bare_code_asks_the_birth_year_and_reveals_nothing(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    person = persons[0]
    window.on_scan(person.bhxh_number)
    qtbot.waitUntil(lambda: window.current is window.birth_year, timeout=5000)
    shown = _shown_text(window)
    assert "Ông/Bà sinh năm nào?" in shown
    for secret in (person.name.split()[-1], str(person.birth.year)):
        assert secret not in shown
    assert not window.birth_year.ok.isEnabled()
    _type(window, str(person.birth.year + 3))
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.birth_year.ok.click()
    outcome = blocker.args[0]
    assert (outcome.status, outcome.reason) == (Status.NEEDS_RECEPTION, Reason.BIRTH_YEAR_WRONG)
    assert window.current is window.reception
    shown = _shown_text(window)
    assert person.name.split()[-1] not in shown
    assert str(person.birth.year) not in shown
    assert not rig.store.checkins


def test_the_right_birth_year_checks_the_patient_in(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, rig = make_window()
    person = persons[1]
    window.on_scan(person.card_number)
    qtbot.waitUntil(lambda: window.current is window.birth_year, timeout=5000)
    _type(window, "19")
    assert not window.birth_year.ok.isEnabled()  # four digits first
    window.birth_year.year.clear()
    _type(window, str(person.birth.year))
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.birth_year.ok.click()
    outcome = blocker.args[0]
    assert outcome.status is Status.ACCEPTED, outcome
    assert outcome.checkin is not None
    assert window.current is window.accepted
    assert len(rig.store.checkins) == 1


def test_a_card_qr_does_not_ask(
    qtbot: QtBot, make_window: Make, persons: list[SyntheticPerson]
) -> None:
    window, _ = make_window()
    with qtbot.waitSignal(window.outcome_shown, timeout=5000) as blocker:
        window.on_scan(bhyt_payload(persons[2]))
    assert blocker.args[0].status is Status.ACCEPTED
